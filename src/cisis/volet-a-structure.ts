import { mailBodyCodes, metaFlagCodes } from '../domain/index.js';
import type { Findings } from './findings.js';
import { at, atSegment } from './segment-refs.js';
import type { SegmentRef } from './segment-refs.js';

/** One OBX with the PRT and NTE segments that follow it (ORU OBSERVATION / MDM OBXNTE group). */
export interface ObxGroup {
  obx: SegmentRef;
  prts: SegmentRef[];
  ntes: SegmentRef[];
}

export interface VoletAStructure {
  evn?: SegmentRef;
  pid?: SegmentRef;
  pv1?: SegmentRef;
  orc?: SegmentRef;
  obr?: SegmentRef;
  txa?: SegmentRef;
  /** Document OBX groups, in order (1 for MDM, 1..2 for ORU). */
  documents: ObxGroup[];
  /** MetaDMPMSS OBX groups, in message order (meta-flags.ts checks their order). */
  metadata: ObxGroup[];
}

export const metadataCodeSystem = 'MetaDMPMSS';
const metadataCodes: ReadonlySet<string> = new Set<string>([...metaFlagCodes, ...mailBodyCodes]);

/** A metadata OBX is recognised by its code system or, when a DPI drifts on the name (§7 C7), by its code. */
export function isMetadataObx(obx: SegmentRef): boolean {
  return obx.segment.get(3, 3) === metadataCodeSystem || metadataCodes.has(obx.segment.get(3, 1));
}

/** Segments allowed before the first OBX, per structure (volet A §2.3, HL7 v2.5 ORU_R01 / v2.6 MDM_T02). */
const headerSegments = {
  ORU_R01: new Set(['SFT', 'PID', 'PD1', 'NTE', 'NK1', 'PV1', 'PV2', 'ORC', 'OBR', 'TQ1', 'TQ2', 'CTD']),
  MDM_T02: new Set(['SFT', 'UAC', 'EVN', 'PID', 'PV1', 'ORC', 'TQ1', 'TQ2', 'OBR', 'NTE', 'TXA']),
} as const;
/** Key segments and the order they must come in. */
const keyOrder = {
  ORU_R01: ['PID', 'PV1', 'ORC', 'OBR'],
  MDM_T02: ['EVN', 'PID', 'PV1', 'ORC', 'OBR', 'TXA'],
} as const;
/** Trailing segments of ORU_R01 v2.5 that volet A does not use; tolerated. */
const ignoredTrailing = new Set(['SPM', 'DSC']);

/**
 * Segment order and cardinality (volet A §2.3, §7 C14): one PID, one ORDER_OBSERVATION / COMMON_ORDER,
 * the document OBX (1 for MDM, 1..2 for ORU) with at least one PRT after the first, then the metadata OBX.
 */
export function readVoletAStructure(refs: readonly SegmentRef[], structure: 'ORU_R01' | 'MDM_T02', f: Findings): VoletAStructure {
  const result: VoletAStructure = { documents: [], metadata: [] };
  const firstOf = new Map<string, SegmentRef>();
  const allowed: ReadonlySet<string> = headerSegments[structure];
  let i = 1;
  for (; i < refs.length; i++) {
    const ref = refs[i] as SegmentRef;
    if (ref.name === 'OBX') break;
    if (ref.name.startsWith('Z')) {
      f.warn('SEGMENT_IGNORED', at(ref), `segment ${ref.name} is not part of volet A; ignored`);
      continue;
    }
    if (ref.name === 'PRT') {
      f.input('100', at(ref), 'PRT segments must follow the document OBX (volet A §2.4.8)');
      continue;
    }
    if (!allowed.has(ref.name)) {
      f.input('100', at(ref), `segment ${ref.name} is not expected here in ${structure}`);
      continue;
    }
    const first = firstOf.get(ref.name);
    if (first === undefined) {
      firstOf.set(ref.name, ref);
    } else if (ref.name === 'ORC' || ref.name === 'OBR') {
      f.input('198', at(ref), `a second ${ref.name}: volet A uses exactly one ${structure === 'ORU_R01' ? 'ORDER_OBSERVATION' : 'COMMON_ORDER'} group`);
    } else if (['PID', 'PV1', 'EVN', 'TXA'].includes(ref.name)) {
      f.input('198', at(ref), `segment ${ref.name} may appear only once in ${structure}`);
    }
  }

  const required = structure === 'ORU_R01' ? ['PID', 'ORC', 'OBR'] : ['EVN', 'PID', 'PV1', 'ORC', 'OBR', 'TXA'];
  for (const name of required) {
    if (!firstOf.has(name)) f.input('100', atSegment(name), `required segment ${name} is missing from ${structure}`);
  }
  if (structure === 'ORU_R01' && !firstOf.has('PV1')) {
    // §7 C14: PV1 sits in an RE group of ORU_R01; its absence leaves the patient class and visit unknown.
    f.warn('PV1_MISSING', atSegment('PV1'), 'no PV1 segment: patient class and visit number unknown');
  }
  let previous: SegmentRef | undefined;
  for (const name of keyOrder[structure]) {
    const ref = firstOf.get(name);
    if (ref === undefined) continue;
    if (previous !== undefined && ref.index < previous.index) {
      f.input('100', at(ref), `segment ${name} must come after ${previous.name} in ${structure}`);
    }
    previous = ref;
  }
  result.evn = firstOf.get('EVN');
  result.pid = firstOf.get('PID');
  result.pv1 = firstOf.get('PV1');
  result.orc = firstOf.get('ORC');
  result.obr = firstOf.get('OBR');
  result.txa = structure === 'MDM_T02' ? firstOf.get('TXA') : undefined;

  // OBX groups.
  const groups: ObxGroup[] = [];
  for (; i < refs.length; i++) {
    const ref = refs[i] as SegmentRef;
    const current = groups[groups.length - 1];
    if (ref.name === 'OBX') {
      groups.push({ obx: ref, prts: [], ntes: [] });
    } else if (ref.name === 'PRT' && current !== undefined) {
      current.prts.push(ref);
    } else if (ref.name === 'NTE' && current !== undefined) {
      current.ntes.push(ref);
    } else if (ref.name.startsWith('Z') || (structure === 'ORU_R01' && ignoredTrailing.has(ref.name))) {
      f.warn('SEGMENT_IGNORED', at(ref), `segment ${ref.name} is not used by volet A; ignored`);
    } else if (ref.name === 'ORC' || ref.name === 'OBR') {
      f.input('198', at(ref), `a second ${ref.name}: volet A uses exactly one ${structure === 'ORU_R01' ? 'ORDER_OBSERVATION' : 'COMMON_ORDER'} group`);
    } else {
      f.input('100', at(ref), `segment ${ref.name} is not expected among the OBX segments of ${structure}`);
    }
  }

  for (const group of groups) {
    if (isMetadataObx(group.obx)) {
      result.metadata.push(group);
    } else if (result.metadata.length > 0) {
      f.input('100', at(group.obx), 'a document OBX must come before the MetaDMPMSS OBX segments');
    } else {
      result.documents.push(group);
    }
  }

  const maxDocuments = structure === 'ORU_R01' ? 2 : 1;
  if (result.documents.length === 0) {
    const where = groups[0]?.obx;
    f.input('100', where === undefined ? atSegment('OBX') : at(where), 'no document OBX: the first OBX must carry the CDA (OBX-2 ED)');
  } else if (result.documents.length > maxDocuments) {
    const extra = result.documents[maxDocuments] as ObxGroup;
    f.input('198', at(extra.obx), structure === 'ORU_R01'
      ? 'an ORU carries one or two document OBX (the same document as CDA N1 and N3)'
      : 'an MDM carries exactly one document OBX');
    result.documents.length = maxDocuments;
  }

  const [first] = result.documents;
  if (first !== undefined && first.prts.length === 0) {
    f.input('100', at(first.obx), 'at least one PRT (SB, RCT or REPLY) must follow the document OBX (volet A §2.4.8)');
  }
  for (const group of groups) {
    if (group === first) continue;
    for (const prt of group.prts) {
      f.input('100', at(prt), 'PRT segments belong right after the first document OBX (volet A §2.4.8)');
    }
  }
  return result;
}
