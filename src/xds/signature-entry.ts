import { createHash } from 'node:crypto';
import { CODE_SYSTEM } from './xds-constants.js';
import type { XdsAuthor, XdsCode, XdsDocumentEntry } from './xds-model.js';

/** The fixed metadata of the DMP signature DocumentEntry (digest §C4 item 3, as the ANS samples send it). */
export const SIGNATURE_METADATA = Object.freeze({
  title: 'Source',
  languageCode: 'art',
  classCode: { code: 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1', codingScheme: 'URN', display: 'Digital Signature' },
  typeCode: { code: 'E1762', codingScheme: 'ASTM', display: 'Full Document' },
  formatCode: { code: 'http://www.w3.org/2000/09/xmldsig#', codingScheme: 'URN', display: 'Default Signature Style' },
  eventCode: { code: '1.2.840.10065.1.12.1.14', codingScheme: '1.2.840.10065.1.12', display: 'Source' },
  // N + MASQUE_PS + INVISIBLE_PATIENT, so that nobody sees the signature as a document.
  confidentialityCodes: [
    { code: 'N', codingScheme: CODE_SYSTEM.hl7Confidentiality, display: 'Normal' },
    { code: 'MASQUE_PS', codingScheme: CODE_SYSTEM.dmpVisibility, display: 'Masqué aux professionnels de santé' },
    { code: 'INVISIBLE_PATIENT', codingScheme: CODE_SYSTEM.dmpVisibility, display: 'Non visible par le patient' },
  ] as readonly XdsCode[],
});

export interface SignatureEntryInput {
  entryUUID: string;
  uniqueId: string;
  xml: Buffer;
  /** The signed document's entry: patient, authors, facility type and practice setting are copied from it. */
  document: XdsDocumentEntry;
  /** UTC submission time: the signature is created now, not at the document's date. */
  submissionTime: string;
  /** The SubmissionSet authors; the first person is the legal authenticator, as in the ANS sample (S4). */
  submissionAuthors: readonly XdsAuthor[];
}

/** The XAdES signature DocumentEntry that goes with a DMP submission (digest §C4 item 3, §I.4). */
export function signatureEntry(i: SignatureEntryInput): XdsDocumentEntry {
  const m = SIGNATURE_METADATA;
  const legal = i.submissionAuthors.find((a) => a.person !== undefined)?.person;
  return {
    entryUUID: i.entryUUID,
    uniqueId: i.uniqueId,
    patientId: i.document.patientId,
    sourcePatientId: i.document.sourcePatientId,
    sourcePatientInfo: [...i.document.sourcePatientInfo],
    classCode: { ...m.classCode },
    typeCode: { ...m.typeCode },
    formatCode: { ...m.formatCode },
    healthcareFacilityTypeCode: { ...i.document.healthcareFacilityTypeCode },
    practiceSettingCode: { ...i.document.practiceSettingCode },
    confidentialityCodes: m.confidentialityCodes.map((c) => ({ ...c })),
    eventCodes: [{ ...m.eventCode }],
    creationTime: i.submissionTime,
    serviceStartTime: i.submissionTime,
    serviceStopTime: i.submissionTime,
    languageCode: m.languageCode,
    title: m.title,
    mimeType: 'text/xml',
    hash: createHash('sha1').update(i.xml).digest('hex'),
    size: i.xml.length,
    authors: i.document.authors.map((a) => ({ ...a })),
    ...(legal === undefined ? {} : { legalAuthenticator: legal }),
    referenceIds: [],
  };
}
