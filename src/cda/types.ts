/** HL7 v3 II: an OID/UUID root and an optional extension. */
export interface InstanceId { root: string; extension?: string }

/** HL7 v3 CD/CE. `translations` only when the document carries some (imaging: CCAM act, modality, region). */
export interface CodedValue {
  code: string;
  codeSystem?: string;
  codeSystemName?: string;
  displayName?: string;
  translations?: CodedValue[];
}

export interface CdaPerson { ids: InstanceId[]; family?: string; given?: string[]; prefix?: string }

export interface CdaOrganization { ids: InstanceId[]; name?: string }

export interface CdaAuthor {
  time?: string;
  /** assignedAuthor/id and, when present, assignedPerson/name. For a device author only `ids` is filled. */
  person?: CdaPerson;
  functionCode?: CodedValue;
  /** assignedAuthor/code (profession / specialty, TRE_G15 / TRE_R38). */
  specialty?: CodedValue;
  organization?: CdaOrganization;
  device?: { softwareName?: string; manufacturerModelName?: string };
}

/**
 * The patient of recordTarget/patientRole, read per the ANS INS rules (CI-SIS structuration minimale):
 * family@BR = birth name, family@CL (or the older SP) = used name; an unqualified given = the list of birth
 * given names, given@BR = first birth given name, given@CL = used given name.
 */
export interface CdaPatient {
  /** recordTarget/patientRole/id, in document order (INS first in the ANS examples, then the IPP). */
  ids: InstanceId[];
  /** family[@qualifier='BR'], else the first unqualified family, else the first family. */
  birthFamily?: string;
  /** family[@qualifier='CL'], else family[@qualifier='SP']. */
  usedFamily?: string;
  /**
   * Birth given names in order (INS list, split on spaces): the unqualified given element(s), which the current ANS
   * models fill with the whole list; when the list does not start with given@BR (older examples), given@BR is put first.
   */
  given: string[];
  /** given[@qualifier='BR'] (premier prénom de naissance), else given[0]. */
  firstGiven?: string;
  /** given[@qualifier='CL'] (prénom utilisé). */
  usedGiven?: string;
  /** administrativeGenderCode/@code. */
  gender?: string;
  /** birthTime/@value, raw HL7 TS. */
  birthTime?: string;
  /** INSEE code of the birthplace: birthplace/place/addr/county (what every ANS example uses), else censusTract. */
  birthPlaceCode?: string;
}

export interface CdaRelatedDocument { typeCode: string; parentIds: InstanceId[]; parentSetId?: InstanceId; parentVersion?: string }

export interface CdaServiceEvent {
  /** serviceEvent/id (imaging: the DICOM Study Instance UID). */
  ids: InstanceId[];
  code?: CodedValue;
  effectiveLow?: string;
  effectiveHigh?: string;
  performers: CdaPerson[];
}

/** inFulfillmentOf/order (imaging: Order Placer Number and DICOM PS3.20 accession number). */
export interface CdaOrder { ids: InstanceId[]; accessionNumber?: InstanceId }

export interface CdaHeader {
  id: InstanceId;
  setId?: InstanceId;
  versionNumber?: string;
  /** ClinicalDocument/code (the XDS typeCode). */
  code: CodedValue;
  title?: string;
  /** Raw TS, with its timezone offset when the document gives one. */
  effectiveTime?: string;
  confidentialityCode?: CodedValue;
  languageCode?: string;
  templateIds: InstanceId[];
  /** Number of recordTarget elements; the caller refuses anything but 1 (one patient per document). */
  recordTargetCount: number;
  /** The patient of the first recordTarget. */
  patient: CdaPatient;
  authors: CdaAuthor[];
  custodian?: CdaOrganization;
  legalAuthenticator?: { time?: string; person?: CdaPerson; organization?: CdaOrganization };
  relatedDocuments: CdaRelatedDocument[];
  /** The first documentationOf/serviceEvent (serviceStartTime/StopTime come from it). */
  serviceEvent?: CdaServiceEvent;
  /** Every documentationOf/serviceEvent, in order (imaging: one per exam, eventCodeList). */
  serviceEvents: CdaServiceEvent[];
  orders: CdaOrder[];
  /**
   * The XDS practiceSettingCode source: serviceEvent/performer/assignedEntity/representedOrganization/
   * standardIndustryClassCode, else the same code on the first author's or the legal authenticator's organization.
   */
  practiceSetting?: CodedValue;
  encompassingEncounter?: {
    code?: CodedValue;
    effectiveLow?: string;
    effectiveHigh?: string;
    /** location/healthCareFacility/code (XDS healthcareFacilityTypeCode). */
    healthcareFacilityType?: CodedValue;
    /** Same value as CdaHeader.practiceSetting (kept here for callers reading the encounter). */
    practiceSetting?: CodedValue;
    /** location/healthCareFacility/location/name. */
    locationName?: string;
  };
  /** nonXMLBody → N1, structuredBody → N3. */
  level: 'N1' | 'N3';
  /** N1: the nonXMLBody text mediaType and representation; the bytes themselves via extractNonXmlBody(). */
  nonXmlBody?: { mediaType: string; representation: string };
}

export interface ReadOptions {
  /** Default 20 MiB. */
  maxBytes?: number;
  /**
   * Both scopes read the header with the same strict scanner, up to the first root-level component, then only look
   * at the body's first elements to tell nonXMLBody from structuredBody.
   * 'full' (default): the WHOLE document is also checked to be well-formed XML (xml-well-formed.ts: balanced tags,
   * attributes, references, namespace prefixes, comments/PIs/CDATA, legal characters, nothing after the root but
   * comments, PIs and white space), without building a tree: a malformed body is refused too (RLS_CDA_NOT_XML).
   * 'header': the rest of the body is not checked (a body truncated or malformed further on is not seen).
   */
  scope?: 'header' | 'full';
}
