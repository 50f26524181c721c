/**
 * Builds volet A messages (ORU^R01 v2.5 or MDM^T02/T10/T04 v2.6) the way a DPI sends them, for the
 * demo's DPI simulator, the benchmark and tests. Field placement follows volet A §2.3–2.4.
 */
import { serializeEr7, type FieldValue, type SegmentValue } from '../hl7/index.js';
import { metaFlagCodes, type DocumentAction, type MetaFlagCode, type MetaFlags } from '../domain/index.js';
import type { InstanceId, SyntheticPatient } from '../cda/index.js';

export interface VoletAMessageOptions {
  structure: 'ORU' | 'MDM';
  action: DocumentAction;
  controlId: string;
  timestamp: Date;
  cdaXml: string;
  documentId: InstanceId;
  parentDocumentId?: InstanceId;
  typeCode: { code: string; label: string; system?: 'LN' | 'TRE_A05' };
  patient: SyntheticPatient;
  identityStatus?: string;          // PID-32, default VALI like the ANS examples
  flags?: Partial<Record<MetaFlagCode, boolean>>;
  sender: { rpps: string; family: string; given: string; finess: string; orgName: string };
  recipients?: { address: string; rpps?: string; family?: string; given?: string }[];
  /** Adds the patient's own mailbox (<INS>@patient.mssante.fr) as a recipient. */
  patientMailbox?: boolean;
  patientMayNotReply?: boolean;
  replyTo?: string;
  mailBodyPs?: string;
  mailBodyPatient?: string;
  sendingApp?: string; sendingFacility?: string; receivingApp?: string; receivingFacility?: string;
}

const flagLabels: Record<MetaFlagCode, string> = {
  MASQUE_PS: 'Masqué aux professionnels de Santé',
  INVISIBLE_PATIENT: 'Document Non Visible par le patient',
  INVISIBLE_REP_LEGAUX: 'Non visible par les représentants Légaux du patient',
  CONNEXION_SECRETE: 'Connexion Secrete',
  MODIF_CONF_CODE: 'Modification Confidentiality Code',
  DESTDMP: 'Destinataire DMP',
  DESTMSSANTEPS: 'Destinataire (Professionnel de Santé, organisation ou BAL applicative)',
  DESTMSSANTEPAT: 'Destinataire Patient',
  ACK_RECEPTION: 'Accusé de réception',
  ACK_LECTURE_MSS: 'Accusé de lecture',
};

const defaultFlags: MetaFlags = {
  MASQUE_PS: false, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false, CONNEXION_SECRETE: false,
  MODIF_CONF_CODE: false, DESTDMP: true, DESTMSSANTEPS: true, DESTMSSANTEPAT: false,
  ACK_RECEPTION: true, ACK_LECTURE_MSS: false,
};

/** Builds a segment from a sparse map of 1-based field numbers. */
function seg(name: string, fields: Record<number, FieldValue | undefined>): SegmentValue {
  const max = Math.max(0, ...Object.keys(fields).map(Number));
  const out: FieldValue[] = [];
  for (let i = 1; i <= max; i++) out.push(fields[i] ?? '');
  return [name, ...out];
}

export function hl7Timestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** TXA-12/13 form of volet A §2.4.6: `ext^^root^ISO` when there is an extension, else the bare root. */
function documentNumber(id: InstanceId): FieldValue {
  return id.extension ? [id.extension, '', id.root, 'ISO'] : id.root;
}

export function buildVoletAMessage(o: VoletAMessageOptions): string {
  const mdm = o.structure === 'MDM';
  const flags: MetaFlags = { ...defaultFlags, ...o.flags };
  const ts = hl7Timestamp(o.timestamp);
  const event = mdm ? ({ publish: 'T02', replace: 'T10', delete: 'T04' } as const)[o.action] : 'R01';
  const orc1 = ({ publish: 'NW', replace: 'RO', delete: 'CA' } as const)[o.action];
  const obx11 = ({ publish: 'F', replace: 'C', delete: 'D' } as const)[o.action];
  const typeSystem = o.typeCode.system ?? 'LN';
  const typeCE: FieldValue = [o.typeCode.code, o.typeCode.label, typeSystem];
  const p = o.patient;
  const segments: SegmentValue[] = [];

  segments.push(['MSH', o.sendingApp ?? 'DPI', o.sendingFacility ?? 'CH-DEMO', o.receivingApp ?? 'RELAIS', o.receivingFacility ?? 'CH-DEMO',
    ts, '', mdm ? ['MDM', event, 'MDM_T02'] : ['ORU', 'R01', 'ORU_R01'], o.controlId, 'P', mdm ? '2.6' : '2.5',
    '', '', '', '', 'FRA', 'UNICODE UTF-8', '', '', ['2.1', 'CISIS_CDA_HL7_V2']]);
  if (mdm) segments.push(seg('EVN', { 2: ts, 6: ts }));
  segments.push(seg('PID', {
    3: { repetitions: [
      [p.ins, '', '', ['ASIP-SANTE-INS-NIR', p.insOid, 'ISO'], 'INS'],
      [p.ipp, '', '', [p.ippAuthority, '', ''], 'PI'],
    ] },
    5: [p.family, p.given[0] ?? '', p.given.join(' '), '', '', '', 'L'],
    7: p.birthDate,
    8: p.gender,
    11: ['', '', '', '', '', '', 'BDL', '', p.birthPlace],
    32: o.identityStatus ?? 'VALI',
  }));
  segments.push(seg('PV1', { 1: '1', 2: 'I', 3: 'UF-DEMO', 19: [`V${p.ipp}`, '', '', [p.ippAuthority, '', ''], 'VN'] }));
  segments.push(seg('ORC', { 1: orc1 }));
  segments.push(seg('OBR', { 1: '1', 4: typeCE }));
  if (mdm) {
    segments.push(seg('TXA', {
      1: '1', 2: o.typeCode.code, 3: 'TEXT', 4: ts, 12: documentNumber(o.documentId),
      ...(o.parentDocumentId ? { 13: documentNumber(o.parentDocumentId) } : {}), 17: 'AU',
    }));
  }
  const base64 = Buffer.from(o.cdaXml, 'utf8').toString('base64');
  segments.push(seg('OBX', { 1: '1', 2: 'ED', 3: typeCE, 5: ['', mdm ? 'text' : 'TEXT', 'XML', 'Base64', base64], 11: obx11 }));

  const s = o.sender;
  segments.push(seg('PRT', {
    2: 'UC', 4: ['SB', 'Send by', 'participation'],
    5: [`8${s.rpps}`, s.family, s.given, '', '', '', '', '', ['ASIP-SANTE-PS', '1.2.250.1.71.4.2.1', 'ISO'], 'D', '', '', 'IDNPS'],
    8: [s.orgName, '', '', '', '', ['ASIP-SANTE-ST', '1.2.250.1.71.4.2.2', 'ISO'], 'FINEG', '', '', s.finess],
  }));
  for (const r of o.recipients ?? []) {
    segments.push(seg('PRT', {
      2: 'UC', 4: ['RCT', 'Results Copies To', 'participation'],
      ...(r.rpps ? { 5: [`8${r.rpps}`, r.family ?? '', r.given ?? '', '', '', '', '', '', ['ASIP-SANTE-PS', '1.2.250.1.71.4.2.1', 'ISO'], 'D', '', '', 'IDNPS'] } : {}),
      15: ['', 'NET', 'X.400', r.address],
    }));
  }
  if (o.patientMailbox) {
    segments.push(seg('PRT', {
      2: 'UC', 4: ['RCT', 'Results Copies To', 'participation'],
      5: [p.ins, p.family, p.given[0] ?? '', '', '', '', '', '', ['', p.insOid, 'ISO'], 'L', '', '', 'INS'],
      15: ['', 'NET', 'X.400', `${p.ins}@patient.mssante.fr`],
    }));
  }
  if (o.replyTo) segments.push(seg('PRT', { 2: 'UC', 4: ['REPLY', 'Reply To', 'participation'], 15: ['', 'NET', 'X.400', o.replyTo] }));

  let n = 2;
  for (const code of metaFlagCodes) {
    segments.push(seg('OBX', {
      1: String(n++), 2: mdm ? 'CWE' : 'CE', 3: [code, flagLabels[code], 'MetaDMPMSS'],
      5: [flags[code] ? 'Y' : 'N', '', 'expandedYes-NoIndicator'], 11: 'F',
    }));
    // volet A §2.4.9 row 8: NTE-4 = FIN after DESTMSSANTEPAT means the patient may not reply.
    if (code === 'DESTMSSANTEPAT' && o.patientMayNotReply) segments.push(seg('NTE', { 1: '1', 4: 'FIN' }));
  }
  const bodies: [string, string, string | undefined][] = [
    ['CORPSMAIL_PS', 'Corps du mail pour un PS', o.mailBodyPs],
    ['CORPSMAIL_PATIENT', 'Corps du mail pour le patient', o.mailBodyPatient],
  ];
  for (const [code, label, text] of bodies) {
    if (text === undefined) continue;
    segments.push(seg('OBX', {
      1: String(n++), 2: 'ED', 3: [code, label, 'MetaDMPMSS'],
      5: ['', mdm ? 'text' : 'TEXT', '', 'Base64', Buffer.from(text, 'utf8').toString('base64')], 11: 'F',
    }));
  }
  return serializeEr7(segments);
}
