import { mailBodyCodes, metaFlagCodes } from '../domain/index.js';
import type { MailBodyCode, MetaFlagCode, MetaFlags } from '../domain/index.js';
import type { Findings } from './findings.js';
import { at } from './segment-refs.js';
import type { SegmentRef } from './segment-refs.js';
import { metadataCodeSystem } from './volet-a-structure.js';
import type { ObxGroup } from './volet-a-structure.js';

export interface MetaFlagsRead {
  /** All ten flags, when every required one was read (ACK_* default to N, §7 C2). */
  flags?: MetaFlags;
  /** The flags that could be read, for the rules that need only some. */
  known: Partial<Record<MetaFlagCode, boolean>>;
  /** Where each flag sits (its OBX), for ERR-2. */
  where: Partial<Record<MetaFlagCode | MailBodyCode, SegmentRef>>;
  /** NTE-4 = FIN after DESTMSSANTEPAT (§2.4.9 #8). */
  patientMayNotReply: boolean;
}

/** The order of volet A §2.4.9: the ten flags, then the two optional mail bodies. */
const expectedOrder: readonly (MetaFlagCode | MailBodyCode)[] = [...metaFlagCodes, ...mailBodyCodes];
/** §7 C2: ACK_RECEPTION and ACK_LECTURE_MSS are "Optional [1..1]" in the tables; absent means N. */
const optionalFlags: ReadonlySet<string> = new Set<string>(['ACK_RECEPTION', 'ACK_LECTURE_MSS', ...mailBodyCodes]);

function isFlag(code: string): code is MetaFlagCode {
  return (metaFlagCodes as readonly string[]).includes(code);
}

/**
 * Reads the MetaDMPMSS OBX (volet A §2.4.9): the ten flags in their order, each `Y|N^^expandedYes-NoIndicator`,
 * then CORPSMAIL_PS / CORPSMAIL_PATIENT. A missing required flag, a duplicate or a wrong order is answered 100;
 * a value other than Y/N, 103.
 */
export function readMetaFlags(groups: readonly ObxGroup[], f: Findings): MetaFlagsRead {
  const known: Partial<Record<MetaFlagCode, boolean>> = {};
  const where: Partial<Record<MetaFlagCode | MailBodyCode, SegmentRef>> = {};
  /** Required codes skipped so far, with the OBX found in their place. */
  const skipped = new Map<string, SegmentRef>();
  let next = 0;
  let patientMayNotReply = false;
  if (groups.length === 0) {
    f.input('100', undefined, `no MetaDMPMSS OBX after the document OBX; volet A §2.4.9 requires, in order: ${metaFlagCodes.join(', ')}`);
    return { known, where, patientMayNotReply };
  }

  for (const group of groups) {
    const obx = group.obx;
    const code = obx.segment.get(3, 1);
    const position = expectedOrder.indexOf(code as MetaFlagCode | MailBodyCode);
    if (position < 0) {
      f.warn('METADATA_UNKNOWN', at(obx, 3), `metadata OBX '${code}' is not one of volet A 2.1; ignored`);
      continue;
    }
    const metaCode = expectedOrder[position] as MetaFlagCode | MailBodyCode;
    if (where[metaCode] !== undefined) {
      f.input('100', at(obx, 3), `metadata ${metaCode} appears twice`);
      continue;
    }
    where[metaCode] = obx;
    if (obx.segment.get(3, 3) !== metadataCodeSystem) {
      f.warn('METADATA_CODE_SYSTEM', at(obx, 3, 1, 3), `OBX-3.3 of ${metaCode} is '${obx.segment.get(3, 3)}'; expected ${metadataCodeSystem}`);
    }
    if (position < next) {
      skipped.delete(metaCode);
      f.input('100', at(obx, 3), `metadata ${metaCode} is out of order; volet A §2.4.9 order: ${expectedOrder.join(', ')}`);
    } else {
      for (let k = next; k < position; k++) {
        const missing = expectedOrder[k] as string;
        if (!optionalFlags.has(missing)) skipped.set(missing, obx);
      }
      next = position + 1;
    }

    if (isFlag(metaCode)) {
      const value = obx.segment.get(5, 1);
      if (value === 'Y' || value === 'N') {
        known[metaCode] = value === 'Y';
      } else {
        f.input(value === '' ? '101' : '103', at(obx, 5), `${metaCode} must be Y or N (expandedYes-NoIndicator), found '${value}'`);
      }
      if (metaCode === 'DESTMSSANTEPAT') {
        // §2.4.9 #8: NTE-4 = FIN under DESTMSSANTEPAT means the patient may not reply (X-MSS-MES: FIN).
        patientMayNotReply = group.ntes.some((nte) => nte.segment.get(4, 1).toUpperCase() === 'FIN');
      }
    }
  }

  for (const code of expectedOrder) {
    if (optionalFlags.has(code) || where[code] !== undefined) continue;
    const place = skipped.get(code);
    f.input('100', place === undefined ? lastLocation(groups) : at(place),
      `required metadata OBX ${code} (MetaDMPMSS) is missing; volet A §2.4.9 requires, in order: ${metaFlagCodes.join(', ')}`);
  }
  for (const code of ['ACK_RECEPTION', 'ACK_LECTURE_MSS'] as const) {
    if (where[code] === undefined) {
      known[code] = false;
      f.warn('ACK_FLAG_MISSING', lastLocation(groups), `metadata ${code} is absent; taken as N (volet A §7 C2)`);
    }
  }

  const complete = metaFlagCodes.every((code) => known[code] !== undefined);
  const flags = complete ? Object.freeze(Object.fromEntries(metaFlagCodes.map((c) => [c, known[c] === true]))) as MetaFlags : undefined;
  return { ...(flags === undefined ? {} : { flags }), known, where, patientMayNotReply };
}

function lastLocation(groups: readonly ObxGroup[]): string | undefined {
  const last = groups[groups.length - 1];
  return last === undefined ? undefined : at(last.obx);
}
