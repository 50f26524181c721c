import type { CdaHeader } from '../cda/index.js';
import type { DocumentAction, MetaFlags } from '../domain/index.js';
import type { AckError } from '../hl7/index.js';

/** MSS management matrix profiles (volet A §2.4.10 and §7 C1): the published 2.1.2 table, the 2.1.3 draft, or lenient. */
export const mssMatrixProfiles = ['2.1.2', '2.1.3', 'lenient'] as const;
export type MssMatrixProfile = (typeof mssMatrixProfiles)[number];

export interface VoletAConfig {
  mssMatrixProfile: MssMatrixProfile;
  /** PID-32 codes that count as a qualified identity (volet A §7 C9). */
  qualifiedIdentityCodes: readonly string[];
  /** INS assigning-authority OIDs accepted as INS. */
  insOids: readonly string[];
  /** Decoded CDA size cap, in bytes. */
  maxDocumentBytes: number;
  /** How much of the CDA is checked before the ACK: the header only (the body is checked by the senders), or the whole document. */
  cdaCheck: 'header' | 'full';
}

export interface PatientIdentity {
  /** INS matricule (15 characters), from the PID-3 repetition typed INS (CX-5) or carrying an INS OID. */
  ins?: string;
  insOid?: string;
  /** INS present AND PID-32 in qualifiedIdentityCodes. */
  insQualified: boolean;
  /** PID-32 (first repetition). */
  identityStatus?: string;
  /** CX-5 'PI'. */
  ipp?: { id: string; authority: string };
  /** Every PID-3 repetition. */
  ids: { id: string; authorityOid?: string; authorityName?: string; typeCode?: string }[];
  birthFamily?: string;
  given: string[];
  birthDate?: string;
  gender?: string;
  birthPlaceCode?: string;
  /** PV1-19, PV1-2, PID-18. */
  visitNumber?: string;
  patientClass?: string;
  administrativeFileNumber?: string;
}

/** PRT SB (volet A §2.4.8 a). */
export interface Requester {
  personId?: string; personIdType?: string; personAuthorityOid?: string; family?: string; given?: string;
  orgName?: string; orgIdType?: string; orgId?: string; orgAuthorityOid?: string; deviceId?: string;
}

/** PRT RCT (volet A §2.4.8 b). */
export interface Recipient {
  /** PRT-15.4 (for the patient: `<INS>@patient.mssante.fr`, see participants.ts). */
  address: string;
  /** patient: typed INS or @patient.mssante.fr carrying the patient's INS; representative: the same forms with another INS. */
  kind: 'ps' | 'patient' | 'representative';
  personId?: string; personIdType?: string; family?: string; given?: string;
  orgName?: string; orgId?: string; orgIdType?: string; deviceId?: string;
}

export interface IntakeDocument {
  /** Decoded bytes. */
  cda: Buffer;
  /** Hex SHA-256 of `cda`. */
  sha256: string;
  header: CdaHeader;
  /** formatInstanceId(header.id). */
  documentId: string;
  /** From the RPLC relatedDocument, for a replacement. */
  parentDocumentId?: string;
  /** OBR-4 / OBX-3. */
  typeCode: { code: string; label: string; system: string };
}

/** A tolerated defect, returned for the log (never put in an AA ACK). */
export interface ValidationIssue { code: string; location?: string; text: string }

export interface IntakeRequest {
  structure: 'ORU_R01' | 'MDM_T02';
  event: 'R01' | 'T02' | 'T10' | 'T04';
  version: '2.5' | '2.6';
  controlId: string; sendingApp: string; sendingFacility: string; receivingApp: string; receivingFacility: string;
  /** MSH-11. */
  processingId: string;
  /** MSH-7. */
  messageTime?: string;
  /** From ORC-1 / OBX-11 / the event (volet A §2.2). */
  action: DocumentAction;
  patient: PatientIdentity;
  requester?: Requester;
  recipients: Recipient[];
  /** PRT REPLY PRT-15.4. */
  replyTo?: string;
  /** NTE-4 = FIN after DESTMSSANTEPAT. */
  patientMayNotReply: boolean;
  flags: MetaFlags;
  /** Decoded UTF-8 text; undecodable → undefined + warning. */
  mailBodies: { ps?: string; patient?: string };
  /** 1 for MDM, 1..2 for ORU. */
  documents: IntakeDocument[];
  warnings: ValidationIssue[];
}

export type VoletAResult =
  | { ok: true; request: IntakeRequest }
  | { ok: false; ackCode: 'AE' | 'AR'; errors: AckError[]; warnings: ValidationIssue[] };
