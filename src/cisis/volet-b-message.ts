/**
 * Volet B (Transmission au LPS d'un document CDA provenant d'un courriel MSSanté, 1.1.x): the MDM^T02 / T10 / T04
 * Relais sends to the DPI for ONE CDA of an inbound IHE_XDM archive (digest §3.1–3.3). Field placement follows the
 * ANS volet B examples; every value that comes from the mail is escaped by the ER7 serializer.
 */
import { serializeEr7, type ComponentValue, type FieldValue, type SegmentValue } from '../hl7/index.js';
import { instanceIdToEi, type CdaHeader, type InstanceId } from '../cda/index.js';
import { RelaisError } from '../domain/index.js';
import { cisisTypeCodeLabel, typeCodeSystemName } from './type-codes.js';

export type VoletBAction = 'publish' | 'replace' | 'delete';

/** What a directory knows about a mailbox (`From:` → PRT SB, `To:` → PRT RCT): digest §3.3, PRT-5/8/10 RE. */
export interface VoletBDirectoryEntry {
  /** A professional (PRT-5, XCN). `idType` from Interop'Santé table 0203; `8`+RPPS ids are IDNPS (digest C16). */
  person?: {
    id: string; family?: string; given?: string;
    idType?: 'RPPS' | 'ADELI' | 'IDNPS';
    /** PRT-5.9 namespace; default ASIP-SANTE-PS (OID 1.2.250.1.71.4.2.1). */
    authority?: string;
  };
  /** An organisation (PRT-8, XON): FINESS or SIRET-based id. */
  organization?: {
    id: string; name?: string;
    idType?: 'FINEJ' | 'FINEG' | 'IDNST';
    /** PRT-8.6 namespace; default ASIP-SANTE-ST (OID 1.2.250.1.71.4.2.2). */
    authority?: string;
  };
  /** An application mailbox's software id (PRT-10). */
  device?: string;
}

/** Care unit a receiving mailbox routes to (PRT-8 of PRT RCT), as in the ANS example `Service d'urologie^^^^^120456789^UF^^^3435`. */
export interface VoletBCareUnit {
  name: string;
  /** PRT-8.10: the unit's code in the establishment. */
  id: string;
  /** PRT-8.7: `UF`, `SVR` (service), `POLE`… */
  type: string;
  /** PRT-8.6: the FINESS of the establishment the code belongs to. */
  authority?: string;
}

export interface VoletBMail {
  /** `Message-ID:` as received (kept verbatim, angle brackets included when present). */
  messageId: string;
  subject: string;
  /** Address of `From:`. */
  from: string;
  /** The initial recipient(s): `Original-Recipient:` when present, else `To:`. May be empty after a manual forward. */
  recipients: readonly string[];
  /** Address of `Reply-To:`. */
  replyTo?: string;
  /** The text body. */
  body: string | Buffer;
}

/** One CDA of the archive; an XdmDocument from src/xdm fits as is. */
export interface VoletBDocument {
  cda: Buffer;
  header: CdaHeader;
  action: VoletBAction;
  /** The replaced document's uniqueId (`root` or `root^extension`); the CDA's RPLC parent is used first. */
  replacesUniqueId?: string;
  /** DocumentEntry confidentialityCode values of METADATA.XML. */
  confidentialityCodes: readonly { code: string }[];
}

export interface VoletBInput {
  controlId: string;
  /** MSH-7. */
  timestamp: Date;
  /** When the mail was read from the mailbox: EVN-2 and EVN-6. */
  receivedAt: Date;
  sendingApp: string;
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  /** MSH-11; default P. */
  processingId?: 'P' | 'T' | 'D';
  document: VoletBDocument;
  /**
   * For a replacement: the confidentiality codes the replaced version arrived with, when Relais knows them.
   * MODIF_CONF_CODE is Y when the visibility flags differ; a replacement whose predecessor is unknown is Y too.
   */
  previousConfidentialityCodes?: readonly { code: string }[];
  mail: VoletBMail;
  /** Address (case-insensitive) → what is known of that mailbox. */
  directory?: Readonly<Record<string, VoletBDirectoryEntry>>;
  /** Receiving mailbox (case-insensitive) → care unit. */
  careUnits?: Readonly<Record<string, VoletBCareUnit>>;
  /** PID-32 when the CDA carries an INS; default VALI, as every ANS example (digest C9). */
  identityReliability?: string;
}

/** The four MetaDMPMSS flags of volet B, in their required order (digest §3.2), with the examples' labels. */
export const voletBFlagLabels = [
  ['MASQUE_PS', 'Masqué aux professionnels de Santé'],
  ['INVISIBLE_PATIENT', 'Document Non Visible par le patient'],
  ['INVISIBLE_REP_LEGAUX', 'Non visible par les représentants Légaux du patient'],
  ['MODIF_CONF_CODE', 'Modification Confidentiality Code'],
] as const;

export type VoletBFlags = Readonly<Record<(typeof voletBFlagLabels)[number][0], boolean>>;

/** INS assigning authorities (digest §2.4.3): namespace of PID-3.4. */
const insAuthorities: Readonly<Record<string, string>> = {
  '1.2.250.1.213.1.4.8': 'ASIP-SANTE-INS-NIR',
  '1.2.250.1.213.1.4.9': 'ASIP-SANTE-INS-NIA',
  '1.2.250.1.213.1.4.10': 'ASIP-SANTE-INS-NIR',
  '1.2.250.1.213.1.4.11': 'ASIP-SANTE-INS-NIA',
};

const events = { publish: 'T02', replace: 'T10', delete: 'T04' } as const;
const orderControls = { publish: 'NW', replace: 'RO', delete: 'CA' } as const;
const resultStatuses = { publish: 'F', replace: 'C', delete: 'D' } as const;

/** HL7 DTM to the second, local time, as the volet examples are written. */
function hl7Timestamp(t: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(t.getFullYear(), 4)}${p(t.getMonth() + 1)}${p(t.getDate())}${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}`;
}

/** Builds a segment from a sparse map of 1-based field numbers. */
function seg(name: string, fields: Record<number, FieldValue | undefined>): SegmentValue {
  const max = Math.max(0, ...Object.keys(fields).map(Number));
  const out: FieldValue[] = [];
  for (let i = 1; i <= max; i++) out.push(fields[i] ?? '');
  return [name, ...out];
}

function visibility(codes: readonly { code: string }[]): { masquePs: boolean; invisiblePatient: boolean; invisibleRepLegaux: boolean } {
  const set = new Set(codes.map((c) => c.code.trim().toUpperCase()));
  return {
    masquePs: set.has('MASQUE_PS'),
    invisiblePatient: set.has('INVISIBLE_PATIENT'),
    // The DMP / XDS spelling, and the shortened HL7 one should a sender use it in METADATA.XML.
    invisibleRepLegaux: set.has('INVISIBLE_REPRESENTANTS_LEGAUX') || set.has('INVISIBLE_REP_LEGAUX'),
  };
}

/**
 * The four flags from METADATA.XML. MODIF_CONF_CODE is not carried by the archive (digest §3.3, inferred): Y for a
 * replacement whose visibility differs from the replaced version's, or whose predecessor Relais never saw.
 */
export function voletBFlags(
  action: VoletBAction, codes: readonly { code: string }[], previous?: readonly { code: string }[],
): VoletBFlags {
  const now = visibility(codes);
  let modified = false;
  if (action === 'replace') {
    if (previous === undefined) modified = true;
    else {
      const before = visibility(previous);
      modified = before.masquePs !== now.masquePs || before.invisiblePatient !== now.invisiblePatient
        || before.invisibleRepLegaux !== now.invisibleRepLegaux;
    }
  }
  return {
    MASQUE_PS: now.masquePs, INVISIBLE_PATIENT: now.invisiblePatient, INVISIBLE_REP_LEGAUX: now.invisibleRepLegaux,
    MODIF_CONF_CODE: modified,
  };
}

/** OBR-4.3 / OBX-3.3: LN or TRE_A05 for a JDV_J07 code; otherwise read from the CDA code's system. */
function typeSystem(header: CdaHeader): string {
  const fromValueSet = typeCodeSystemName(header.code.code);
  if (fromValueSet !== undefined) return fromValueSet;
  if (header.code.codeSystem === '2.16.840.1.113883.6.1') return 'LN';
  if (header.code.codeSystem === '1.2.250.1.213.1.1.4.12') return 'TRE_A05';
  return header.code.codeSystemName ?? '';
}

function parseUniqueId(uniqueId: string): InstanceId {
  const [root = '', extension] = uniqueId.split('^');
  return extension === undefined || extension === '' ? { root } : { root, extension };
}

function lookup<T>(table: Readonly<Record<string, T>> | undefined, address: string): T | undefined {
  if (table === undefined) return undefined;
  const key = address.trim().toLowerCase();
  for (const [k, v] of Object.entries(table)) if (k.trim().toLowerCase() === key) return v;
  return undefined;
}

function personXcn(p: NonNullable<VoletBDirectoryEntry['person']>): ComponentValue[] {
  const idType = p.idType ?? (p.id.startsWith('8') ? 'IDNPS' : 'RPPS');
  return [p.id, p.family ?? '', p.given ?? '', '', '', '', '', '', [p.authority ?? 'ASIP-SANTE-PS', '1.2.250.1.71.4.2.1', 'ISO'],
    'D', '', '', idType];
}

function organizationXon(o: NonNullable<VoletBDirectoryEntry['organization']>): ComponentValue[] {
  return [o.name ?? '', '', '', '', '', [o.authority ?? 'ASIP-SANTE-ST', '1.2.250.1.71.4.2.2', 'ISO'], o.idType ?? 'FINEG', '', '', o.id];
}

function mailbox(address: string): FieldValue {
  return ['', '', 'X.400', address.trim()];
}

function patientIds(header: CdaHeader): FieldValue {
  const reps: FieldValue[] = header.patient.ids.map((id) => {
    const ins = insAuthorities[id.root];
    if (ins !== undefined) return [id.extension ?? '', '', '', [ins, id.root, 'ISO'], 'INS'];
    // A local identifier (IPP): the CDA gives the assigning authority's OID only.
    return [id.extension ?? id.root, '', '', ['', id.extension === undefined ? '' : id.root, 'ISO'], 'PI'];
  });
  return { repetitions: reps };
}

/** One MDM^T02 / T10 / T04 (HL7 v2.6, MSH-21 `1.1^CISIS_CDA_HL7_LPS`) for one CDA of an inbound mail. */
export function buildVoletBMessage(input: VoletBInput): string {
  const { document: doc, mail } = input;
  const header = doc.header;
  const action = doc.action;
  const typeCode = header.code.code;
  const typeCE: FieldValue = [typeCode, cisisTypeCodeLabel(typeCode) ?? header.code.displayName ?? '', typeSystem(header)];
  const segments: SegmentValue[] = [];

  // serializeEr7 takes MSH from MSH-3 on.
  segments.push(['MSH', input.sendingApp, input.sendingFacility, input.receivingApp, input.receivingFacility,
    hl7Timestamp(input.timestamp), '', ['MDM', events[action], 'MDM_T02'], input.controlId, input.processingId ?? 'P', '2.6',
    '', '', '', '', 'FRA', 'UNICODE UTF-8', '', '', ['1.1', 'CISIS_CDA_HL7_LPS']]);
  // The volet's figure: EVN is the date the mail was received (EVN-2 recorded, EVN-6 occurred, as the examples).
  const received = hl7Timestamp(input.receivedAt);
  segments.push(seg('EVN', { 2: received, 6: received }));

  const p = header.patient;
  const hasIns = p.ids.some((id) => insAuthorities[id.root] !== undefined);
  const names: FieldValue[] = [[p.birthFamily ?? '', p.firstGiven ?? p.given[0] ?? '', p.given.join(' '), '', '', '', 'L']];
  if (p.usedFamily !== undefined || p.usedGiven !== undefined) {
    names.push([p.usedFamily ?? p.birthFamily ?? '', p.usedGiven ?? p.firstGiven ?? '', '', '', '', '', 'D']);
  }
  segments.push(seg('PID', {
    3: patientIds(header),
    5: { repetitions: names },
    7: p.birthTime,
    8: p.gender,
    11: p.birthPlaceCode === undefined ? undefined : ['', '', '', '', '', '', 'BDL', '', p.birthPlaceCode],
    // Identity Unknown Indicator: the CDA names the patient.
    31: 'N',
    32: hasIns ? (input.identityReliability ?? 'VALI') : undefined,
  }));
  segments.push(seg('PV1', { 1: '1', 2: 'N' }));
  segments.push(seg('ORC', { 1: orderControls[action] }));
  segments.push(seg('OBR', { 1: '1', 4: typeCE }));

  // TXA-13 is required for T10; a deletion carries the last version, whose parent the ANS example names as well.
  let parent: InstanceId | undefined;
  if (action !== 'publish') {
    parent = header.relatedDocuments.find((r) => r.typeCode === 'RPLC')?.parentIds[0]
      ?? (doc.replacesUniqueId === undefined ? undefined : parseUniqueId(doc.replacesUniqueId));
    if (parent === undefined && action === 'replace') throw new RelaisError('RLS_XDM_ACTION', 'a replacement names no replaced document');
  }
  const legal = header.legalAuthenticator?.person?.ids[0];
  segments.push(seg('TXA', {
    1: '1', 2: typeCode, 3: 'TEXT', 4: header.effectiveTime?.slice(0, 14),
    12: instanceIdToEi(header.id), 13: parent === undefined ? undefined : instanceIdToEi(parent), 17: 'AU',
    22: legal === undefined ? undefined : legal.extension ?? legal.root,
  }));
  segments.push(seg('OBX', {
    1: '1', 2: 'ED', 3: typeCE, 5: ['', 'text', 'XML', 'Base64', doc.cda.toString('base64')], 11: resultStatuses[action],
  }));

  const sender = lookup(input.directory, mail.from);
  segments.push(seg('PRT', {
    2: 'UC', 4: ['SB', '', 'participation'],
    5: sender?.person === undefined ? undefined : personXcn(sender.person),
    8: sender?.organization === undefined ? undefined : organizationXon(sender.organization),
    10: sender?.device,
    15: mailbox(mail.from),
  }));
  const seen = new Set<string>();
  for (const address of mail.recipients) {
    const key = address.trim().toLowerCase();
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    const known = lookup(input.directory, address);
    const unit = lookup(input.careUnits, address);
    segments.push(seg('PRT', {
      2: 'UC', 4: ['RCT', '', 'participation'],
      5: known?.person === undefined ? undefined : personXcn(known.person),
      8: unit !== undefined
        ? [unit.name, '', '', '', '', unit.authority ?? '', unit.type, '', '', unit.id]
        : known?.organization === undefined ? undefined : organizationXon(known.organization),
      10: known?.device,
      15: mailbox(address),
    }));
  }
  if (mail.replyTo !== undefined && mail.replyTo.trim() !== '') {
    segments.push(seg('PRT', { 2: 'UC', 4: ['REPLY', '', 'participation'], 15: mailbox(mail.replyTo) }));
  }

  const body = typeof mail.body === 'string' ? Buffer.from(mail.body, 'utf8') : mail.body;
  // The volet gives the mail OBX no OBX-3.3 (digest C4): Message-ID and Subject only, escaped by the serializer.
  segments.push(seg('OBX', { 1: '2', 2: 'ED', 3: [mail.messageId, mail.subject], 5: ['', 'text', '', 'Base64', body.toString('base64')], 11: 'F' }));

  const flags = voletBFlags(action, doc.confidentialityCodes, input.previousConfidentialityCodes);
  let n = 3;
  for (const [code, label] of voletBFlagLabels) {
    segments.push(seg('OBX', {
      1: String(n++), 2: 'CWE', 3: [code, label, 'MetaDMPMSS'], 5: [flags[code] ? 'Y' : 'N', '', 'expandedYes-NoIndicator'], 11: 'F',
    }));
  }
  return serializeEr7(segments);
}
