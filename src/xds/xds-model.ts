/**
 * The XDS metadata model Relais writes for the DMP (ITI-41, TD2.1) and for MSSanté XDM archives (ITI-32).
 * Values are already in their XDS wire form (HL7 v2 datatypes, UTC times); ebrim-xml.ts only serializes them.
 * Digest references: MSS/DMP digest §B2 (metadata), §C4 (DMP submission), §C5–C7 (codes, replacement, deletion).
 */

/** A coded value: the Classification nodeRepresentation, its codingScheme slot and its Name. */
export interface XdsCode {
  code: string;
  codingScheme: string;
  display: string;
}

/** One author classification. Each field is already an HL7 v2 string (digest §B2 "HL7 v2 datatype formats"). */
export interface XdsAuthor {
  /** XCN, e.g. `801234567890^DURANT^Romuald^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS`. */
  person?: string;
  /** XON, e.g. `Clinique X^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1750000000`. */
  institutions: string[];
  /** CE `code^display^OID` (JDV_J47 functionCode). */
  roles: string[];
  /** CE `code^display^OID` (JDV_J01). */
  specialties: string[];
  /** XTN. */
  telecoms: string[];
}

/** The only mime type Relais submits: CDA R2 and the XAdES signature are both XML. */
export type XdsMimeType = 'text/xml';

export interface XdsDocumentEntry {
  /** `urn:uuid:` v4, the ExtrinsicObject id (and the xdsb:Document id in ITI-41). */
  entryUUID: string;
  /** A bare OID (the DMP refuses `root^extension`, digest §C4). */
  uniqueId: string;
  /** `INS^^^&<INS OID>&ISO`. */
  patientId: string;
  /** CX: the IPP when the CDA carries one, else the INS. */
  sourcePatientId: string;
  /** `PID-5|…`, `PID-7|…`, `PID-8|…`. */
  sourcePatientInfo: string[];
  classCode: XdsCode;
  typeCode: XdsCode;
  formatCode: XdsCode;
  healthcareFacilityTypeCode: XdsCode;
  practiceSettingCode: XdsCode;
  /** The CDA confidentialityCode first, then the DMP visibility codes (TRE_A07) from MetaDMPMSS. */
  confidentialityCodes: XdsCode[];
  eventCodes: XdsCode[];
  /** UTC, `YYYYMMDDhhmmss` (or `YYYYMMDD` when the CDA gives only a date). */
  creationTime: string;
  serviceStartTime?: string;
  serviceStopTime?: string;
  languageCode: string;
  title: string;
  comments?: string;
  mimeType: XdsMimeType;
  /** SHA-1 of the exact bytes submitted, lower-case hex. */
  hash: string;
  size: number;
  authors: XdsAuthor[];
  /** XCN. */
  legalAuthenticator?: string;
  /** CXi values of `urn:ihe:iti:xds:2013:referenceIdList` (imaging: order, accession, study instance UID). */
  referenceIds: string[];
  /** XDM only: the file name relative to the SUBSET folder (`DOC00001.XML`). */
  uri?: string;
  /** Extra metadata slots (IHE ITI TF-3 §4.1.14), written after the standard ones (XDM: the `action` of a replacement or deletion). */
  extraSlots?: { name: string; values: string[] }[];
}

export interface XdsIntendedRecipient {
  /** XON of the recipient organisation, if any. */
  organization?: string;
  /** XCN of the recipient person, if any. */
  person?: string;
  /** The recipient's MSSanté address, written as XTN `^^Internet^<address>`. */
  mail?: string;
}

export interface XdsSubmissionSet {
  entryUUID: string;
  /** A new OID for each submission. */
  uniqueId: string;
  /** OID of the sending system (the PFI instance). */
  sourceId: string;
  /** UTC, `YYYYMMDDhhmmss`. */
  submissionTime: string;
  /** JDV_J59, from PV1-2 (volet A §2.4.4). */
  contentTypeCode: XdsCode;
  authors: XdsAuthor[];
  patientId: string;
  /** XDM over MSSanté (digest §B2). */
  intendedRecipients: XdsIntendedRecipient[];
  title?: string;
}

export type XdsAssociationKind = 'HasMember' | 'RPLC' | 'signs' | 'UpdateAvailabilityStatus';

export interface XdsAssociation {
  id: string;
  kind: XdsAssociationKind;
  sourceObject: string;
  targetObject: string;
  /** HasMember from the SubmissionSet to a new DocumentEntry: `Original`. */
  submissionSetStatus?: 'Original' | 'Reference';
  /** UpdateAvailabilityStatus (ITI-57). */
  originalStatus?: string;
  newStatus?: string;
}

/** The bytes of one DocumentEntry, keyed by its entryUUID (xdsb:Document/@id). */
export interface XdsDocumentContent {
  entryUUID: string;
  content: Buffer;
}

/** An ITI-41 / XDM submission: metadata plus the documents, in submission order (the CDA first). */
export interface XdsSubmission {
  submissionSet: XdsSubmissionSet;
  documentEntries: XdsDocumentEntry[];
  associations: XdsAssociation[];
  documents: XdsDocumentContent[];
}

/** An ITI-57 metadata update that changes one entry's availability status (TD3.3c deletion, digest §C7). */
export interface XdsStatusUpdate {
  submissionSet: XdsSubmissionSet;
  associations: XdsAssociation[];
}
