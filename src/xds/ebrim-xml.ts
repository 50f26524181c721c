import { childUuid } from './xds-ids.js';
import { ASSOCIATION_TYPE, XDS_UUID } from './xds-constants.js';
import type {
  XdsAssociation, XdsAuthor, XdsCode, XdsDocumentEntry, XdsIntendedRecipient, XdsStatusUpdate, XdsSubmission,
  XdsSubmissionSet,
} from './xds-model.js';
import { el, textEl, XML_DECLARATION } from './xml-writer.js';

/**
 * ebRIM 3.0 serialization of the XDS model (IHE ITI TF-3 §4.2; MSS/DMP digest §B2 skeleton): the
 * lcm:SubmitObjectsRequest of METADATA.XML (XDM), of ITI-41 (inside xdsb:ProvideAndRegisterDocumentSetRequest)
 * and of ITI-57 (status update).
 */

export const NS = Object.freeze({
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  xdsb: 'urn:ihe:iti:xds-b:2007',
  xop: 'http://www.w3.org/2004/08/xop/include',
});

function slot(name: string, values: readonly string[]): string {
  if (values.length === 0) return '';
  return el('rim:Slot', { name }, el('rim:ValueList', {}, ...values.map((v) => textEl('rim:Value', {}, v))));
}

function localized(tag: 'rim:Name' | 'rim:Description', value: string | undefined): string {
  return value === undefined ? '' : el(tag, {}, el('rim:LocalizedString', { value }));
}

/** A coded-metadata Classification: nodeRepresentation = code, slot codingScheme, Name = display. */
function codeClassification(scheme: string, objectId: string, code: XdsCode, position: string): string {
  return el('rim:Classification', {
    id: childUuid(objectId, position), classificationScheme: scheme, classifiedObject: objectId, nodeRepresentation: code.code,
  }, slot('codingScheme', [code.codingScheme]), localized('rim:Name', code.display));
}

/** An author Classification (nodeRepresentation empty, IHE TF-3 §4.2.3.1.4). */
function authorClassification(scheme: string, objectId: string, a: XdsAuthor, position: string): string {
  return el('rim:Classification', {
    id: childUuid(objectId, position), classificationScheme: scheme, classifiedObject: objectId, nodeRepresentation: '',
  },
  slot('authorPerson', a.person === undefined ? [] : [a.person]),
  slot('authorInstitution', a.institutions),
  slot('authorRole', a.roles),
  slot('authorSpecialty', a.specialties),
  slot('authorTelecommunication', a.telecoms));
}

function externalIdentifier(scheme: string, objectId: string, value: string, name: string): string {
  return el('rim:ExternalIdentifier', {
    id: childUuid(objectId, name), registryObject: objectId, identificationScheme: scheme, value,
  }, localized('rim:Name', name));
}

function documentEntryXml(d: XdsDocumentEntry): string {
  const id = d.entryUUID;
  const U = XDS_UUID;
  return el('rim:ExtrinsicObject', { id, mimeType: d.mimeType, objectType: U.documentEntryType },
    slot('creationTime', [d.creationTime]),
    slot('languageCode', [d.languageCode]),
    slot('legalAuthenticator', d.legalAuthenticator === undefined ? [] : [d.legalAuthenticator]),
    slot('serviceStartTime', d.serviceStartTime === undefined ? [] : [d.serviceStartTime]),
    slot('serviceStopTime', d.serviceStopTime === undefined ? [] : [d.serviceStopTime]),
    slot('sourcePatientId', [d.sourcePatientId]),
    slot('sourcePatientInfo', d.sourcePatientInfo),
    slot('hash', [d.hash]),
    slot('size', [String(d.size)]),
    slot('URI', d.uri === undefined ? [] : [d.uri]),
    slot('urn:ihe:iti:xds:2013:referenceIdList', d.referenceIds),
    ...(d.extraSlots ?? []).map((s) => slot(s.name, s.values)),
    localized('rim:Name', d.title),
    localized('rim:Description', d.comments),
    ...d.authors.map((a, i) => authorClassification(U.documentEntryAuthor, id, a, `author${i}`)),
    codeClassification(U.documentEntryClassCode, id, d.classCode, 'classCode'),
    ...d.confidentialityCodes.map((c, i) => codeClassification(U.documentEntryConfidentialityCode, id, c, `confidentiality${i}`)),
    ...d.eventCodes.map((c, i) => codeClassification(U.documentEntryEventCodeList, id, c, `event${i}`)),
    codeClassification(U.documentEntryFormatCode, id, d.formatCode, 'formatCode'),
    codeClassification(U.documentEntryHealthcareFacilityTypeCode, id, d.healthcareFacilityTypeCode, 'facilityType'),
    codeClassification(U.documentEntryPracticeSettingCode, id, d.practiceSettingCode, 'practiceSetting'),
    codeClassification(U.documentEntryTypeCode, id, d.typeCode, 'typeCode'),
    externalIdentifier(U.documentEntryPatientId, id, d.patientId, 'XDSDocumentEntry.patientId'),
    externalIdentifier(U.documentEntryUniqueId, id, d.uniqueId, 'XDSDocumentEntry.uniqueId'));
}

/** intendedRecipient: `XON|XCN|XTN`, trailing empty parts dropped (IHE TF-3 §4.2.3.3.7). */
export function intendedRecipientValue(r: XdsIntendedRecipient): string {
  return [r.organization ?? '', r.person ?? '', r.mail === undefined ? '' : `^^Internet^${r.mail}`].join('|').replace(/\|+$/, '');
}

function submissionSetXml(s: XdsSubmissionSet): string {
  const id = s.entryUUID;
  const U = XDS_UUID;
  return el('rim:RegistryPackage', { id },
    slot('submissionTime', [s.submissionTime]),
    slot('intendedRecipient', s.intendedRecipients.map(intendedRecipientValue)),
    localized('rim:Name', s.title),
    ...s.authors.map((a, i) => authorClassification(U.submissionSetAuthor, id, a, `author${i}`)),
    codeClassification(U.submissionSetContentTypeCode, id, s.contentTypeCode, 'contentTypeCode'),
    externalIdentifier(U.submissionSetUniqueId, id, s.uniqueId, 'XDSSubmissionSet.uniqueId'),
    externalIdentifier(U.submissionSetSourceId, id, s.sourceId, 'XDSSubmissionSet.sourceId'),
    externalIdentifier(U.submissionSetPatientId, id, s.patientId, 'XDSSubmissionSet.patientId'))
    // The Classification that makes this RegistryPackage a SubmissionSet.
    + el('rim:Classification', { id: childUuid(id, 'submissionSet'), classifiedObject: id, classificationNode: U.submissionSet });
}

function associationXml(a: XdsAssociation): string {
  return el('rim:Association', {
    id: a.id, associationType: ASSOCIATION_TYPE[a.kind], sourceObject: a.sourceObject, targetObject: a.targetObject,
  },
  slot('SubmissionSetStatus', a.submissionSetStatus === undefined ? [] : [a.submissionSetStatus]),
  slot('OriginalStatus', a.originalStatus === undefined ? [] : [a.originalStatus]),
  slot('NewStatus', a.newStatus === undefined ? [] : [a.newStatus]));
}

function isSubmission(s: XdsSubmission | XdsStatusUpdate): s is XdsSubmission {
  return 'documentEntries' in s;
}

function registryObjectList(s: XdsSubmission | XdsStatusUpdate): string {
  const entries = isSubmission(s) ? s.documentEntries.map(documentEntryXml) : [];
  return el('rim:RegistryObjectList', {}, submissionSetXml(s.submissionSet), ...entries, ...s.associations.map(associationXml));
}

export interface SubmitObjectsOptions {
  /** Start with `<?xml version="1.0" encoding="UTF-8"?>` (METADATA.XML). Default false. */
  xmlDeclaration?: boolean;
}

/** `lcm:SubmitObjectsRequest`: XDM METADATA.XML, or the ITI-57 body for a status update (TD3.3c). */
export function submitObjectsRequestXml(s: XdsSubmission | XdsStatusUpdate, options: SubmitObjectsOptions = {}): string {
  const xml = el('lcm:SubmitObjectsRequest', { 'xmlns:lcm': NS.lcm, 'xmlns:rim': NS.rim }, registryObjectList(s));
  return options.xmlDeclaration === true ? `${XML_DECLARATION}\n${xml}` : xml;
}

export interface ProvideAndRegisterOptions {
  /**
   * `mtom` (default, digest §C2): each xdsb:Document holds `<xop:Include href="cid:…"/>` and the bytes travel as
   * MIME parts; `inline`: the bytes are base64 inside xdsb:Document.
   */
  documents?: 'mtom' | 'inline';
  /** Content-ID of the n-th document (no angle brackets). Default `doc<n>@relais`. */
  contentId?: (index: number, entryUUID: string) => string;
}

export interface ProvideAndRegisterRequest {
  /** The `xdsb:ProvideAndRegisterDocumentSetRequest` element (the SOAP Body content). */
  xml: string;
  /** MTOM parts to attach, in document order; empty for `inline`. */
  parts: { contentId: string; entryUUID: string; content: Buffer }[];
}

/** The ITI-41 `xdsb:ProvideAndRegisterDocumentSetRequest` (TD2.1, digest §C2/§C4). */
export function provideAndRegisterXml(s: XdsSubmission, options: ProvideAndRegisterOptions = {}): ProvideAndRegisterRequest {
  const mode = options.documents ?? 'mtom';
  const contentId = options.contentId ?? ((n: number) => `doc${n + 1}@relais`);
  const parts: ProvideAndRegisterRequest['parts'] = [];
  const docs = s.documents.map((d, n) => {
    if (mode === 'inline') return textEl('xdsb:Document', { id: d.entryUUID }, d.content.toString('base64'));
    const cid = contentId(n, d.entryUUID);
    parts.push({ contentId: cid, entryUUID: d.entryUUID, content: d.content });
    return el('xdsb:Document', { id: d.entryUUID }, el('xop:Include', { 'xmlns:xop': NS.xop, href: `cid:${cid}` }));
  });
  const xml = el('xdsb:ProvideAndRegisterDocumentSetRequest', { 'xmlns:xdsb': NS.xdsb, 'xmlns:lcm': NS.lcm, 'xmlns:rim': NS.rim },
    el('lcm:SubmitObjectsRequest', {}, registryObjectList(s)), ...docs);
  return { xml, parts };
}
