import { createHash } from 'node:crypto';
import { INS_OID, XDS_UUID, isOid } from '../../xds/index.js';
import type { ReadEntry, ReadSubmission } from './read-submission.js';
import type { SandboxRegistryError } from './soap-answers.js';

/**
 * The metadata rules the sandbox applies to an ITI-41 submission, as the DMP registry would (digest §C4, §C5, §I):
 * INS patientId, bare OID uniqueIds, UTC times, the coded metadata, hash and size of the attached bytes, and the
 * XAdES signature entry with its `signs` association. Each broken rule is one RegistryError; codeContext names
 * the field and the entry, never a value that could be patient data.
 */

const INS_OIDS = new Set<string>(Object.values(INS_OID));
const PATIENT_ID = /^[0-9A-Za-z]{1,20}\^\^\^&([0-9.]+)&ISO$/;
/** HL7 v2 DTM in UTC without offset: the DMP wants UTC (digest §C4); the precisions of IHE TF-3 §4.2.3.1.2. */
const UTC_DTM = /^\d{4}(?:\d{2}){2}(?:\d{2}(?:\d{2}(?:\d{2})?)?)?$/;
const SUBMISSION_TIME = /^\d{14}$/;
const SIGNATURE_CLASS = 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1';

const REQUIRED_CODES: readonly [string, string][] = [
  ['classCode', XDS_UUID.documentEntryClassCode],
  ['typeCode', XDS_UUID.documentEntryTypeCode],
  ['formatCode', XDS_UUID.documentEntryFormatCode],
  ['confidentialityCode', XDS_UUID.documentEntryConfidentialityCode],
  ['healthcareFacilityTypeCode', XDS_UUID.documentEntryHealthcareFacilityTypeCode],
  ['practiceSettingCode', XDS_UUID.documentEntryPracticeSettingCode],
];

export function isInsPatientId(patientId: string | undefined): boolean {
  const m = patientId === undefined ? null : PATIENT_ID.exec(patientId);
  return m !== null && INS_OIDS.has(m[1] as string);
}

function metadataError(codeContext: string, location?: string): SandboxRegistryError {
  return { errorCode: 'XDSRegistryMetadataError', codeContext, ...(location === undefined ? {} : { location }) };
}

export function isSignatureEntry(e: ReadEntry): boolean {
  return e.codes.get(XDS_UUID.documentEntryClassCode)?.[0]?.code === SIGNATURE_CLASS;
}

const IMAGING_REPORT = '18748-4';
const DICOM_MODALITY_SCHEME = '1.2.840.10008.2.16.4';
const REFERENCE_ID_TYPES: readonly [string, string][] = [
  ['Order Placer Number', 'urn:ihe:iti:xds:2013:order'],
  ['Accession Number', 'urn:ihe:iti:xds:2013:accession'],
  ['Study Instance UID', 'urn:ihe:iti:xds:2016:studyInstanceUID'],
];

/**
 * SC.DB/RIS.09 (digest §C11): an imaging report carries, 1..* each, its order placer numbers, accession numbers and
 * study instance UIDs in referenceIdList, and its modalities in eventCodeList.
 */
function imagingErrors(e: ReadEntry): SandboxRegistryError[] {
  if (e.codes.get(XDS_UUID.documentEntryTypeCode)?.[0]?.code !== IMAGING_REPORT) return [];
  const refs = e.slots.get('urn:ihe:iti:xds:2013:referenceIdList') ?? [];
  const errors = REFERENCE_ID_TYPES
    .filter(([, type]) => !refs.some((r) => r.endsWith(`^${type}`)))
    .map(([name]) => metadataError(`compte rendu d'imagerie sans ${name} dans referenceIdList`, e.entryUUID));
  if (!(e.codes.get(XDS_UUID.documentEntryEventCodeList) ?? []).some((c) => c.codingScheme === DICOM_MODALITY_SCHEME)) {
    errors.push(metadataError('compte rendu d\'imagerie sans modalité (DCM) dans eventCodeList', e.entryUUID));
  }
  return errors;
}

function entryErrors(e: ReadEntry, setPatientId: string | undefined, vihfPatientId: string, content: Buffer | undefined): SandboxRegistryError[] {
  const errors: SandboxRegistryError[] = [];
  const where = e.entryUUID;
  if (e.uniqueId === undefined || !isOid(e.uniqueId)) errors.push(metadataError('XDSDocumentEntry.uniqueId doit être un OID sans extension', where));
  if (!isInsPatientId(e.patientId)) errors.push(metadataError('XDSDocumentEntry.patientId doit être un INS (OID INS)', where));
  else if (e.patientId !== setPatientId || e.patientId !== vihfPatientId) {
    errors.push({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'patientId différent du lot de soumission ou du VIHF', location: where });
  }
  if (e.mimeType === undefined || e.mimeType === '') errors.push(metadataError('XDSDocumentEntry.mimeType absent', where));
  for (const name of ['creationTime', 'serviceStartTime', 'serviceStopTime']) {
    const value = e.slots.get(name)?.[0];
    if (value === undefined) {
      if (name === 'creationTime') errors.push(metadataError('XDSDocumentEntry.creationTime absent', where));
    } else if (!UTC_DTM.test(value)) {
      errors.push(metadataError(`XDSDocumentEntry.${name} doit être une date UTC AAAAMMJJhhmmss`, where));
    }
  }
  for (const [name, scheme] of REQUIRED_CODES) {
    const codes = e.codes.get(scheme) ?? [];
    if (codes.length === 0 || codes.some((c) => c.code === '' || c.codingScheme === '')) {
      errors.push(metadataError(`XDSDocumentEntry.${name} absent ou incomplet`, where));
    }
  }
  errors.push(...imagingErrors(e));
  if (content === undefined) {
    errors.push({ errorCode: 'XDSMissingDocument', codeContext: 'aucun document joint pour cette fiche', location: where });
  } else {
    const hash = e.slots.get('hash')?.[0];
    const size = e.slots.get('size')?.[0];
    // hash and size are optional for an ITI-41 source (§C4), but when sent they must match the bytes.
    if (hash !== undefined && hash.toLowerCase() !== createHash('sha1').update(content).digest('hex')) {
      errors.push({ errorCode: 'XDSNonIdenticalHash', codeContext: 'hash différent du document joint', location: where });
    }
    if (size !== undefined && size !== String(content.length)) {
      errors.push({ errorCode: 'XDSNonIdenticalSize', codeContext: 'size différente du document joint', location: where });
    }
  }
  return errors;
}

/** Every rule broken by an ITI-41 submission; `documents` are the attached bytes by xdsb:Document id. */
export function submissionErrors(s: ReadSubmission, documents: ReadonlyMap<string, Buffer>, vihfPatientId: string): SandboxRegistryError[] {
  const errors: SandboxRegistryError[] = [];
  const set = s.submissionSet;
  if (set === undefined) return [metadataError('pas de lot de soumission (RegistryPackage SubmissionSet)')];
  if (set.uniqueId === undefined || !isOid(set.uniqueId)) errors.push(metadataError('XDSSubmissionSet.uniqueId doit être un OID', set.entryUUID));
  if (set.sourceId === undefined || !isOid(set.sourceId)) errors.push(metadataError('XDSSubmissionSet.sourceId doit être un OID', set.entryUUID));
  if (set.submissionTime === undefined || !SUBMISSION_TIME.test(set.submissionTime)) {
    errors.push(metadataError('XDSSubmissionSet.submissionTime doit être une date UTC AAAAMMJJhhmmss', set.entryUUID));
  }
  if (!isInsPatientId(set.patientId)) errors.push(metadataError('XDSSubmissionSet.patientId doit être un INS', set.entryUUID));
  else if (set.patientId !== vihfPatientId) {
    errors.push({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'le patient du VIHF n\'est pas celui du lot', location: set.entryUUID });
  }
  if (s.entries.length === 0) errors.push({ errorCode: 'XDSMissingDocumentMetadata', codeContext: 'aucune fiche de document' });
  for (const e of s.entries) {
    errors.push(...entryErrors(e, set.patientId, vihfPatientId, documents.get(e.entryUUID)));
    const member = s.associations.some((a) => a.kind === 'HasMember' && a.sourceObject === set.entryUUID && a.targetObject === e.entryUUID);
    if (!member) errors.push(metadataError('fiche sans association HasMember depuis le lot', e.entryUUID));
  }
  for (const id of documents.keys()) {
    if (!s.entries.some((e) => e.entryUUID === id)) {
      errors.push({ errorCode: 'XDSMissingDocumentMetadata', codeContext: 'document joint sans fiche', location: id });
    }
  }
  // digest §C4 items 3–4: a signature entry, and `signs` from it to the SubmissionSet.
  const signatures = s.entries.filter(isSignatureEntry);
  const signed = signatures.some((sig) => s.associations.some((a) => a.kind === 'signs' && a.sourceObject === sig.entryUUID && a.targetObject === set.entryUUID));
  if (!signed) errors.push(metadataError('signature XAdES absente ou sans association signs vers le lot'));
  return errors;
}
