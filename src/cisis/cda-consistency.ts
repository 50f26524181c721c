import { formatInstanceId } from '../cda/index.js';
import type { InstanceId } from '../cda/index.js';
import type { DocumentAction } from '../domain/index.js';
import type { DecodedDocument } from './document-payload.js';
import type { TypeCode } from './document-type.js';
import type { Findings } from './findings.js';
import type { PatientRead } from './patient.js';
import { at, atSegment } from './segment-refs.js';
import type { SegmentRef } from './segment-refs.js';
import type { IntakeDocument, VoletAConfig } from './types.js';

export interface ConsistencyInput {
  documents: readonly (DecodedDocument | undefined)[];
  typeCodes: readonly (TypeCode | undefined)[];
  pid: SegmentRef | undefined;
  txa: SegmentRef | undefined;
  action: DocumentAction | undefined;
  patient: PatientRead;
  config: VoletAConfig;
}

/**
 * The HL7 message and the CDA must say the same thing (volet A §2.4.3, §2.4.5–2.4.7): one patient, whose INS is
 * PID-3's; the same type code; TXA-12 = the CDA id and, for a replacement, TXA-13 = the RPLC parent. An IPP that
 * PID-3 omits is tolerated with a warning (the ANS Ségur examples do so).
 */
export function checkCdaConsistency(input: ConsistencyInput, f: Findings): IntakeDocument[] {
  const out: IntakeDocument[] = [];
  input.documents.forEach((doc, i) => {
    if (doc === undefined) return;
    const { header, group } = doc;
    const ok = [
      checkPatient(doc, input, f),
      checkCode(doc, input.typeCodes[i], f),
    ].every(Boolean);
    const rplc = header.relatedDocuments.find((r) => r.typeCode === 'RPLC');
    const parent = rplc?.parentIds[0];
    if (input.action === 'replace' && parent === undefined) {
      f.business('RPLC_MISSING', at(group.obx, 5), 'a replacement (RO / C / T10) must carry a CDA with relatedDocument typeCode="RPLC" naming the replaced document');
    } else if (input.action === 'replace' && parent !== undefined && formatInstanceId(parent) === formatInstanceId(header.id)) {
      // Volet A §2.1: even a masking change (MODIF_CONF_CODE=Y) is a new version; the DMP holds the old uniqueId.
      f.business('REPLACES_ITSELF', at(group.obx, 5), `the replacement CDA has the id of the document it replaces (${formatInstanceId(parent)})`);
    } else if (input.action === 'publish' && parent !== undefined) {
      f.warn('RPLC_ON_INITIAL', at(group.obx, 5), 'an initial transmission carries a CDA that declares it replaces another document');
    }
    if (i === 0 && input.txa !== undefined) checkTxa(input.txa, header.id, parent, input.action, f);
    const typeCode = input.typeCodes[i];
    if (!ok || typeCode === undefined) return;
    out.push({
      cda: doc.bytes,
      sha256: doc.sha256,
      header,
      documentId: formatInstanceId(header.id),
      ...(parent === undefined ? {} : { parentDocumentId: formatInstanceId(parent) }),
      typeCode,
    });
  });
  return out;
}

function checkCode(doc: DecodedDocument, typeCode: TypeCode | undefined, f: Findings): boolean {
  const cdaCode = doc.header.code.code;
  if (typeCode !== undefined && cdaCode !== typeCode.code) {
    f.business('TYPE_CODE_MISMATCH', at(doc.group.obx, 3), `OBX-3.1 is '${typeCode.code}' but the CDA code is '${cdaCode}'`);
    return false;
  }
  return true;
}

function checkPatient(doc: DecodedDocument, input: ConsistencyInput, f: Findings): boolean {
  const { header, group } = doc;
  const { patient } = input.patient;
  const where = input.pid === undefined ? atSegment('PID', 1, 3) : at(input.pid, 3);
  const inDocument = `the CDA in OBX^${group.obx.occurrence}`;
  if (header.recordTargetCount !== 1) {
    f.business('RECORD_TARGET_COUNT', at(group.obx, 5), `${inDocument} has ${header.recordTargetCount} recordTarget elements; exactly one patient is allowed`);
    return false;
  }
  const insOids = input.config.insOids;
  const cdaIns = header.patient.ids.filter((id) => insOids.includes(id.root) && id.extension !== undefined);
  if (patient.ins !== undefined) {
    if (cdaIns.length === 0) {
      f.business('PATIENT_MISMATCH', where, `PID-3 carries an INS but the recordTarget of ${inDocument} carries none`);
      return false;
    }
    if (!cdaIns.some((id) => id.root === patient.insOid && id.extension === patient.ins)) {
      const roots = cdaIns.map((id) => id.root).join(', ');
      f.business('PATIENT_MISMATCH', where, `the INS of ${inDocument} (OID ${roots}) is not the INS of PID-3 (OID ${patient.insOid ?? ''}): another patient`);
      return false;
    }
  } else if (cdaIns.length > 0) {
    f.business('PATIENT_MISMATCH', where, `the recordTarget of ${inDocument} carries an INS that PID-3 lacks`);
    return false;
  }

  // Local identifiers (IPP…): PID-3 should list exactly the recordTarget ids (§2.4.3); a gap is only logged.
  const others = header.patient.ids.filter((id) => !insOids.includes(id.root) && id.extension !== undefined);
  for (const id of others) {
    if (!patient.ids.some((p) => p.id === id.extension && (p.authorityOid === undefined || p.authorityOid === id.root))) {
      f.warn('PID3_ID_MISSING', where, `PID-3 lacks an identifier that ${inDocument} carries (assigning authority ${id.root})`);
    }
  }
  for (const p of patient.ids) {
    if (p.id === patient.ins) continue;
    if (!header.patient.ids.some((id) => id.extension === p.id && (p.authorityOid === undefined || p.authorityOid === id.root))) {
      f.warn('PID3_ID_NOT_IN_CDA', where, `PID-3 carries an identifier (type ${p.typeCode ?? '?'}) that ${inDocument} lacks`);
    }
  }
  const cdaBirth = header.patient.birthTime?.slice(0, 8);
  if (patient.birthDate !== undefined && cdaBirth !== undefined && patient.birthDate.slice(0, 8) !== cdaBirth) {
    f.warn('PATIENT_TRAIT_DIFFERS', input.pid === undefined ? undefined : at(input.pid, 7), `PID-7 differs from the birth date in ${inDocument}`);
  }
  if (patient.gender !== undefined && header.patient.gender !== undefined && patient.gender !== header.patient.gender) {
    f.warn('PATIENT_TRAIT_DIFFERS', input.pid === undefined ? undefined : at(input.pid, 8), `PID-8 differs from the gender in ${inDocument}`);
  }
  return true;
}

/** TXA-12 / TXA-13 (volet A §2.4.6): `extension^^root^ISO`, or the root alone with components 2–4 empty. */
function readEi(txa: SegmentRef, field: number, f: Findings): InstanceId | undefined {
  const seg = txa.segment;
  const first = seg.get(field, 1);
  const root = seg.get(field, 3);
  if (first === '') return undefined;
  if (seg.get(field, 2) !== '') {
    f.warn('TXA_EI_NAMESPACE', at(txa, field, 1, 2), `TXA-${field}.2 is filled; volet A §2.4.6 leaves it empty`);
  }
  return root === '' ? { root: first } : { root, extension: first };
}

const sameId = (a: InstanceId, b: InstanceId): boolean => a.root === b.root && (a.extension ?? '') === (b.extension ?? '');

function checkTxa(txa: SegmentRef, id: InstanceId, parent: InstanceId | undefined, action: DocumentAction | undefined, f: Findings): void {
  const unique = readEi(txa, 12, f);
  if (unique === undefined) {
    f.input('101', at(txa, 12), 'TXA-12 (unique document number) is empty; expected the CDA id');
  } else if (!sameId(unique, id)) {
    f.business('DOCUMENT_ID_MISMATCH', at(txa, 12), `TXA-12 names ${formatInstanceId(unique)} but the CDA id is ${formatInstanceId(id)}`);
  }
  const parentTxa = readEi(txa, 13, f);
  if (action === 'replace') {
    if (parentTxa === undefined) {
      f.input('101', at(txa, 13), 'TXA-13 (parent document number) is required for MDM^T10');
    } else if (parent !== undefined && !sameId(parentTxa, parent)) {
      f.business('PARENT_ID_MISMATCH', at(txa, 13), `TXA-13 names ${formatInstanceId(parentTxa)} but the CDA replaces ${formatInstanceId(parent)}`);
    }
  } else if (parentTxa !== undefined && parent !== undefined && !sameId(parentTxa, parent)) {
    f.warn('TXA13_DIFFERS', at(txa, 13), `TXA-13 names ${formatInstanceId(parentTxa)} but the CDA relatedDocument names ${formatInstanceId(parent)}`);
  }
}
