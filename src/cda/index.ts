export type {
  InstanceId, CodedValue, CdaPerson, CdaOrganization, CdaAuthor, CdaPatient, CdaRelatedDocument, CdaServiceEvent,
  CdaOrder, CdaHeader, ReadOptions,
} from './types.js';
export { readCdaHeader } from './cda-header.js';
export { extractNonXmlBody } from './non-xml-body.js';
export type { ExtractBodyOptions } from './non-xml-body.js';
export { formatInstanceId, instanceIdToEi } from './instance-id.js';
export { loadSafeXml, decodeXml, DEFAULT_MAX_XML_BYTES } from './safe-xml.js';
export type { SafeXmlOptions } from './safe-xml.js';
export { syntheticCda } from './synthetic-cda.js';
export type { SyntheticPatient, SyntheticDocumentOptions, SyntheticImaging } from './synthetic-cda.js';
export { syntheticPdf } from './synthetic-pdf.js';
export { segurDocumentTypes, findSegurDocumentType } from './segur-document-types.js';
export type { SegurDocumentType } from './segur-document-types.js';
