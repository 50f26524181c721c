/**
 * Fixed identifiers of the XDS metadata model (IHE ITI TF-3 §4.2.5, copied in the MSS/DMP digest §B2) and the
 * DMP-specific values of §C4/§C7.
 */
export const XDS_UUID = Object.freeze({
  documentEntryType: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  documentEntryAuthor: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  documentEntryClassCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  documentEntryConfidentialityCode: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  documentEntryEventCodeList: 'urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4',
  documentEntryFormatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  documentEntryHealthcareFacilityTypeCode: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  documentEntryPracticeSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  documentEntryTypeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  documentEntryPatientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  documentEntryUniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  submissionSet: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  submissionSetAuthor: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  submissionSetContentTypeCode: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  submissionSetPatientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  submissionSetSourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
  submissionSetUniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  /** ITI-18 stored queries (TD3.1). */
  findDocumentsQuery: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d',
  getDocumentsQuery: 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4',
});

export const ASSOCIATION_TYPE = Object.freeze({
  HasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  RPLC: 'urn:ihe:iti:2007:AssociationType:RPLC',
  signs: 'urn:ihe:iti:2007:AssociationType:signs',
  UpdateAvailabilityStatus: 'urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus',
});

export const XDS_STATUS = Object.freeze({
  approved: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
  deprecated: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated',
  /** DMP logical deletion, TD3.3c (digest §C1, §C7). */
  dmpDeleted: 'urn:asip:ci-sis:2010:StatusType:Deleted',
  dmpArchived: 'urn:asip:ci-sis:2010:StatusType:Archived',
});

/** INS assigning authorities (digest §I.1, volet A §2.4.3): production NIR / NIA, then the test and demo OIDs. */
export const INS_OID = Object.freeze({
  nir: '1.2.250.1.213.1.4.8',
  nia: '1.2.250.1.213.1.4.9',
  nirTest: '1.2.250.1.213.1.4.10',
  nirDemo: '1.2.250.1.213.1.4.11',
});

/** National identifiers of professionals (idNat_PS) and structures (idNat_Struct) (digest §B2, §C5). */
export const ID_NAT_PS_OID = '1.2.250.1.71.4.2.1';
export const ID_NAT_STRUCT_OID = '1.2.250.1.71.4.2.2';

/** Code systems written as XDS codingScheme. */
export const CODE_SYSTEM = Object.freeze({
  hl7Confidentiality: '2.16.840.1.113883.5.25',
  dmpVisibility: '1.2.250.1.213.1.1.4.13',
  ccam: '1.2.250.1.213.2.5',
  cim10: '2.16.840.1.113883.6.3',
  dicomModality: '1.2.840.10008.2.16.4',
  snomedCt: '2.16.840.1.113883.6.96',
  loinc: '2.16.840.1.113883.6.1',
});
