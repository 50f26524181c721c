import type { DocumentAction } from '../domain/index.js';
import type { Findings } from './findings.js';
import { at } from './segment-refs.js';
import type { SegmentRef } from './segment-refs.js';
import type { VoletAHeader } from './volet-a-header.js';
import type { ObxGroup } from './volet-a-structure.js';

/** Volet A §2.2: the same action said three ways. */
const byOrderControl: Readonly<Record<string, DocumentAction>> = { NW: 'publish', RO: 'replace', CA: 'delete' };
const byResultStatus: Readonly<Record<string, DocumentAction>> = { F: 'publish', C: 'replace', D: 'delete' };
const byEvent: Readonly<Record<string, DocumentAction>> = { T02: 'publish', T10: 'replace', T04: 'delete' };
const orderControlOf: Readonly<Record<DocumentAction, string>> = { publish: 'NW', replace: 'RO', delete: 'CA' };
const resultStatusOf: Readonly<Record<DocumentAction, string>> = { publish: 'F', replace: 'C', delete: 'D' };

/**
 * ORC-1 ↔ OBX-11 ↔ event (volet A §2.2). For an MDM the event decides; for an ORU, ORC-1. Every document OBX
 * must agree (in a two-document ORU, both carry the same status). A disagreement is a business error (§7 C12).
 */
export function readAction(header: VoletAHeader, orc: SegmentRef | undefined, documents: readonly ObxGroup[], f: Findings): DocumentAction | undefined {
  const eventAction = header.structure === 'MDM_T02' ? byEvent[header.event] : undefined;
  let orderAction: DocumentAction | undefined;
  if (orc !== undefined) {
    const control = orc.segment.get(1, 1);
    orderAction = byOrderControl[control];
    if (control === '') {
      f.input('101', at(orc, 1), 'ORC-1 (order control) is empty; expected NW, RO or CA');
    } else if (orderAction === undefined) {
      f.input('103', at(orc, 1), `ORC-1 is '${control}'; expected NW (initial), RO (replacement) or CA (deletion)`);
    } else if (eventAction !== undefined && orderAction !== eventAction) {
      f.business('ACTION_MISMATCH', at(orc, 1), `ORC-1 is ${control} but MSH-9 is MDM^${header.event}, which requires ORC-1 ${orderControlOf[eventAction]}`);
    }
  }
  const reference = eventAction ?? orderAction;
  let ok = reference !== undefined;
  for (const doc of documents) {
    const status = doc.obx.segment.get(11, 1);
    const statusAction = byResultStatus[status];
    if (status === '') {
      f.input('101', at(doc.obx, 11), 'OBX-11 (result status) of the document OBX is empty; expected F, C or D');
      ok = false;
    } else if (statusAction === undefined) {
      f.input('103', at(doc.obx, 11), `OBX-11 is '${status}'; expected F (initial), C (replacement) or D (deletion)`);
      ok = false;
    } else if (reference !== undefined && statusAction !== reference) {
      const source = eventAction !== undefined ? `MSH-9 MDM^${header.event}` : `ORC-1 ${orderControlOf[reference]}`;
      f.business('ACTION_MISMATCH', at(doc.obx, 11), `OBX-11 is ${status} but ${source} requires OBX-11 ${resultStatusOf[reference]}`);
      ok = false;
    }
  }
  if (orderAction === undefined || (eventAction !== undefined && orderAction !== eventAction)) ok = false;
  return ok ? reference : undefined;
}
