import type { CdaHeader } from '../cda/index.js';
import type { ErrorCode } from '../domain/index.js';
import type { VisibilityFlags, XdsCode, XdsIntendedRecipient, XdsPatient, XdsRequester } from '../xds/index.js';

/** What the recipient must do with a document: integrate it, replace the previous version ("C"), delete it ("D"). */
export type XdmAction = 'publish' | 'replace' | 'delete';

export interface XdmDocumentInput {
  /** The exact CDA bytes written to the archive. */
  cda: Buffer;
  /** readCdaHeader() of those bytes. */
  header: CdaHeader;
  /** MetaDMPMSS flags: they become the DMP confidentiality codes, as for the DMP. */
  flags: VisibilityFlags;
  action: XdmAction;
  /**
   * The version this one replaces. Default for a replacement: the CDA relatedDocument RPLC parent id. `entryUUID`
   * is the replaced entry's id in the archive that carried it, when the caller kept it.
   */
  replaces?: { uniqueId: string; entryUUID?: string };
  /** A document of an earlier stay (digest §C10). */
  historical?: boolean;
}

/** Who made the archive, for INDEX.HTM and README.TXT (digest §B1). */
export interface XdmSender {
  organisation: string;
  /** Phone, mail or postal address a human can use; one line each. */
  contact: string[];
  software: { name: string; version: string; vendor?: string };
}

export interface XdmArchiveInput {
  /** The one patient of the archive (CONF.23): the INS of every document. */
  patient: XdsPatient;
  /** The SubmissionSet author (PRT SB of volet A). */
  requester: XdsRequester;
  /** PV1-2, for the contentTypeCode. */
  patientClass?: string;
  submissionTime: Date;
  /** OID of this PFI instance (XDSSubmissionSet.sourceId). */
  sourceOid: string;
  /** Default: a new `2.25.<uuid>` OID. */
  submissionSetUniqueId?: string;
  /** MSSanté addresses of the recipients, with their XON/XCN when known. */
  intendedRecipients: readonly XdsIntendedRecipient[];
  /** At least one; written DOC00001.XML, DOC00002.XML… in this order. */
  documents: readonly XdmDocumentInput[];
  sender: XdmSender;
}

export interface XdmArchiveEntry {
  /** Path inside the zip, e.g. `IHE_XDM/SUBSET01/DOC00001.XML`. */
  path: string;
  /** SHA-1 of the entry bytes, lower-case hex. */
  sha1: string;
  size: number;
}

export interface XdmArchive {
  zip: Buffer;
  metadataXml: string;
  entries: XdmArchiveEntry[];
}

/** Caps applied while reading an archive from an untrusted mail. */
export interface XdmReadLimits {
  /** Entries in the central directory, folders included. */
  maxEntries: number;
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number;
  /** Uncompressed bytes of all entries together. */
  maxTotalBytes: number;
  /** Uncompressed / compressed size of one entry, checked on entries larger than `ratioFloorBytes`. */
  maxRatio: number;
  /** Entries smaller than this are not ratio-checked (a tiny file may compress very well). */
  ratioFloorBytes: number;
  /** Size of one METADATA.XML. */
  maxMetadataBytes: number;
}

export interface XdmReadOptions extends Partial<XdmReadLimits> {
  /** Accept the INS test and demo OIDs (`…4.10`, `…4.11`): test platforms only. */
  testOids?: boolean;
}

export interface XdmPatient {
  /** `INS^^^&OID&ISO` as the metadata carries it. */
  patientId: string;
  ins: string;
  insOid: string;
}

export interface XdmSubmissionSet {
  /** Folder name, e.g. `SUBSET01`. */
  subset: string;
  entryUUID: string;
  uniqueId: string;
  sourceId?: string;
  submissionTime?: string;
  /** intendedRecipient values as written (`XON|XCN|XTN`). */
  intendedRecipients: string[];
}

export interface XdmDocument {
  subset: string;
  /** The URI slot, relative to the subset folder. */
  uri: string;
  /** The entry path inside the zip. */
  path: string;
  entryUUID: string;
  uniqueId: string;
  typeCode: XdsCode;
  cda: Buffer;
  header: CdaHeader;
  confidentialityCodes: XdsCode[];
  /** For a replacement: the replaced version's id, from the CDA relatedDocument RPLC parent (TXA-13). */
  replacesUniqueId?: string;
  action: XdmAction;
}

/** The codes a read can fail with; each is in the error catalogue (docs/errors.md). */
export type XdmErrorCode = Extract<ErrorCode, `RLS_XDM_${string}`>;

export type XdmReadResult =
  | { ok: true; patient: XdmPatient; submissionSets: XdmSubmissionSet[]; documents: XdmDocument[] }
  | { ok: false; code: XdmErrorCode; detail: string; path?: string };
