export type {
  XdsCode, XdsAuthor, XdsMimeType, XdsDocumentEntry, XdsIntendedRecipient, XdsSubmissionSet, XdsAssociationKind,
  XdsAssociation, XdsDocumentContent, XdsSubmission, XdsStatusUpdate,
} from './xds-model.js';
export { XDS_UUID, ASSOCIATION_TYPE, XDS_STATUS, INS_OID, ID_NAT_PS_OID, ID_NAT_STRUCT_OID, CODE_SYSTEM } from './xds-constants.js';
export { buildSubmission } from './build-submission.js';
export type { XdsSubmissionInput, BuildSubmissionOptions } from './build-submission.js';
export { buildDeletion } from './build-status-update.js';
export type { XdsDeletionInput } from './build-status-update.js';
export type { SubmissionSetInput } from './submission-set.js';
export type { VisibilityFlags } from './document-codes.js';
export type { XdsRequester } from './xds-authors.js';
export { xdsPatientId, isXdsPatientId } from './patient-ids.js';
export type { XdsPatient } from './patient-ids.js';
export { contentTypeCode, contentTypeByPatientClass } from './content-type.js';
export { SIGNATURE_METADATA } from './signature-entry.js';
export { cdaTimeToXds, formatXdsTime } from './xds-time.js';
export { randomUrnUuid, deterministicUuids, oidFromUuid, isOid } from './xds-ids.js';
export type { UuidSource } from './xds-ids.js';
export { submitObjectsRequestXml, provideAndRegisterXml, intendedRecipientValue, NS as EBRIM_NS } from './ebrim-xml.js';
export type { SubmitObjectsOptions, ProvideAndRegisterOptions, ProvideAndRegisterRequest } from './ebrim-xml.js';
export { findDocumentsQueryXml, getDocumentsQueryXml } from './stored-query-xml.js';
export type { FindDocumentsQuery, GetDocumentsQuery, QueryReturnType } from './stored-query-xml.js';
export { escapeText, escapeAttr } from './xml-writer.js';
export { typeCodesDmp } from './value-sets/type-codes-dmp.js';
export { classCodesDmp } from './value-sets/class-codes-dmp.js';
export { confidentialityCodesDmp } from './value-sets/confidentiality-codes-dmp.js';
export { contentTypeCodesDmp } from './value-sets/content-type-codes-dmp.js';
export { formatCodesDmp } from './value-sets/format-codes-dmp.js';
export { facilityTypeCodesDmp } from './value-sets/facility-type-codes-dmp.js';
export { practiceSettingCodesDmp } from './value-sets/practice-setting-codes-dmp.js';
export type { ValueSet, ValueSetConcept, TypeCodeConcept } from './value-sets/value-set.js';
