import { createHash } from 'node:crypto';
import type { CdaHeader } from '../cda/index.js';
import { formatInstanceId } from '../cda/index.js';
import { RelaisError } from '../domain/index.js';
import {
  classCode, confidentialityCodes, eventCodes, formatCode, healthcareFacilityTypeCode, practiceSettingCode, typeCode,
  type VisibilityFlags,
} from './document-codes.js';
import { checkCdaPatient, sourcePatientId, sourcePatientInfo, xdsPatientId, type XdsPatient } from './patient-ids.js';
import { referenceIds } from './reference-ids.js';
import { signatureEntry } from './signature-entry.js';
import { buildSubmissionSet } from './submission-set.js';
import {
  authorFromCda, institutionAuthor, organizationXon, personXcn, requesterInstitution, type XdsRequester,
} from './xds-authors.js';
import { isOid, oidFromUuid, randomUrnUuid, type UuidSource } from './xds-ids.js';
import type { XdsAssociation, XdsDocumentEntry, XdsIntendedRecipient, XdsSubmission } from './xds-model.js';
import { cdaTimeToXds } from './xds-time.js';

export interface XdsSubmissionInput {
  /** The exact CDA bytes that will be sent (hash and size are computed on them). */
  cda: Buffer;
  /** readCdaHeader() of those bytes. */
  header: CdaHeader;
  /** The INS from PID-3. */
  patient: XdsPatient;
  /** PRT with PRT-4 = SB (volet A §2.4.8). */
  requester: XdsRequester;
  /** MetaDMPMSS flags (volet A §2.4.9). */
  flags: VisibilityFlags;
  /** PV1-2 (volet A §2.4.4). */
  patientClass?: string;
  /** The current DMP entry of the replaced document, found by TD3.1b just before (digest §C7). */
  replaces?: { entryUUID: string; uniqueId: string };
  submissionTime: Date;
  /** OID of this PFI instance. */
  sourceOid: string;
  /** A document of an earlier stay (digest §C10). */
  historical?: boolean;
  /** The XAdES signature document (DMP only); `uniqueId` is the one its ds:Signature/@Id names. */
  signature?: { xml: Buffer; uniqueId?: string };
  /** Default: a new `2.25.<uuid>` OID. The XAdES manifest names it, so the DMP layer may choose it first. */
  submissionSetUniqueId?: string;
  /** XDM over MSSanté: the recipients (digest §B2). */
  intendedRecipients?: readonly XdsIntendedRecipient[];
  /** XDM: the document's file name in its SUBSET folder. */
  uri?: string;
}

export interface BuildSubmissionOptions {
  /** Source of `urn:uuid:` ids; default random v4. Tests pass deterministicUuids(seed). */
  newUuid?: UuidSource;
}

const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** uniqueId = `ClinicalDocument/id/@root`, a bare OID: the DMP refuses `root^extension` (digest §C4, §I.4). */
function documentUniqueId(header: CdaHeader): string {
  if (header.id.extension !== undefined && header.id.extension !== '') {
    throw new RelaisError('RLS_XDS_UNIQUE_ID', 'the CDA id has an extension; the DMP accepts only a bare OID uniqueId');
  }
  if (!isOid(header.id.root)) {
    throw new RelaisError('RLS_XDS_UNIQUE_ID', 'the CDA id root is not an OID of at most 64 characters');
  }
  return header.id.root;
}

function requiredTime(field: string, ts: string | undefined): string {
  const t = ts === undefined ? undefined : cdaTimeToXds(ts);
  if (t === undefined) {
    throw new RelaisError('RLS_XDS_MISSING_METADATA', `the CDA ${field} is missing or not a valid TS`, { field });
  }
  return t;
}

function optionalTime(field: string, ts: string | undefined): string | undefined {
  return ts === undefined ? undefined : requiredTime(field, ts);
}

/** A replacement must be announced by the CDA itself: relatedDocument typeCode="RPLC" naming the replaced id. */
function checkReplacement(header: CdaHeader, replaces: { entryUUID: string; uniqueId: string }): void {
  if (!URN_UUID.test(replaces.entryUUID)) {
    throw new RelaisError('RLS_XDS_REPLACEMENT', 'the replaced entryUUID is not a urn:uuid');
  }
  const parents = header.relatedDocuments.filter((r) => r.typeCode === 'RPLC').flatMap((r) => r.parentIds.map(formatInstanceId));
  if (!parents.includes(replaces.uniqueId)) {
    throw new RelaisError('RLS_XDS_REPLACEMENT', 'the CDA has no relatedDocument RPLC naming the replaced uniqueId');
  }
}

/** The DocumentEntry of the CDA (digest §B2/§C5; volet A §2.5: everything from the CDA except the extra codes). */
function documentEntry(input: XdsSubmissionInput, entryUUID: string): XdsDocumentEntry {
  const h = input.header;
  const uniqueId = documentUniqueId(h);
  if (h.recordTargetCount !== 1) {
    throw new RelaisError('RLS_XDS_PATIENT_ID', 'the CDA must have exactly one recordTarget', { count: h.recordTargetCount });
  }
  const patientId = xdsPatientId(input.patient);
  checkCdaPatient(h.patient, input.patient);
  const type = typeCode(h);
  const authors = h.authors.map(authorFromCda);
  if (input.historical === true) {
    // HISTO.04 / RG_2230: the structure is added as an extra author, the original persons are kept.
    const structure = requesterInstitution(input.requester) ?? (h.custodian === undefined ? undefined : organizationXon(h.custodian));
    if (structure !== undefined) authors.push(institutionAuthor(structure));
  }
  const legal = h.legalAuthenticator?.person === undefined ? undefined : personXcn(h.legalAuthenticator.person);
  const start = optionalTime('serviceEvent/effectiveTime/low', h.serviceEvent?.effectiveLow);
  const stop = optionalTime('serviceEvent/effectiveTime/high', h.serviceEvent?.effectiveHigh);
  return {
    entryUUID,
    uniqueId,
    patientId,
    sourcePatientId: sourcePatientId(h.patient, input.patient),
    sourcePatientInfo: sourcePatientInfo(h.patient),
    classCode: classCode(type),
    typeCode: type,
    formatCode: formatCode(h),
    healthcareFacilityTypeCode: healthcareFacilityTypeCode(h),
    practiceSettingCode: practiceSettingCode(h),
    confidentialityCodes: confidentialityCodes(h, input.flags),
    eventCodes: eventCodes(h),
    // HISTO.03: the business date of the act, from the CDA, never "now".
    creationTime: requiredTime('effectiveTime', h.effectiveTime),
    ...(start === undefined ? {} : { serviceStartTime: start }),
    ...(stop === undefined ? {} : { serviceStopTime: stop }),
    languageCode: h.languageCode ?? 'fr-FR',
    title: h.title !== undefined && h.title.trim() !== '' ? h.title : type.display,
    mimeType: 'text/xml',
    hash: createHash('sha1').update(input.cda).digest('hex'),
    size: input.cda.length,
    authors,
    ...(legal === undefined ? {} : { legalAuthenticator: legal }),
    referenceIds: referenceIds(h),
    ...(input.uri === undefined ? {} : { uri: input.uri }),
  };
}

/**
 * Builds the XDS metadata of one CDA for the DMP (TD2.1 / ITI-41) or an XDM archive: SubmissionSet, the
 * document's entry, the XAdES signature entry when a signature is given, and the HasMember / RPLC / signs
 * associations (digest §C4). Pure: no I/O; ids come from `options.newUuid`.
 */
export function buildSubmission(input: XdsSubmissionInput, options: BuildSubmissionOptions = {}): XdsSubmission {
  const newUuid = options.newUuid ?? randomUrnUuid;
  if (input.replaces !== undefined) checkReplacement(input.header, input.replaces);
  const submissionSet = buildSubmissionSet(input, newUuid);
  const doc = documentEntry(input, newUuid());
  const association = (a: Omit<XdsAssociation, 'id'>): XdsAssociation => ({ id: newUuid(), ...a });
  const associations: XdsAssociation[] = [
    association({ kind: 'HasMember', sourceObject: submissionSet.entryUUID, targetObject: doc.entryUUID, submissionSetStatus: 'Original' }),
  ];
  if (input.replaces !== undefined) {
    // digest §C7: RPLC goes from the new entry to the replaced entry's current entryUUID.
    associations.push(association({ kind: 'RPLC', sourceObject: doc.entryUUID, targetObject: input.replaces.entryUUID }));
  }
  const documentEntries = [doc];
  const documents = [{ entryUUID: doc.entryUUID, content: input.cda }];
  if (input.signature !== undefined) {
    const sigUniqueId = input.signature.uniqueId ?? oidFromUuid(newUuid());
    if (!isOid(sigUniqueId)) {
      throw new RelaisError('RLS_XDS_UNIQUE_ID', 'the signature uniqueId is not an OID', { uniqueId: sigUniqueId });
    }
    const sig = signatureEntry({
      entryUUID: newUuid(), uniqueId: sigUniqueId, xml: input.signature.xml, document: doc,
      submissionTime: submissionSet.submissionTime, submissionAuthors: submissionSet.authors,
    });
    documentEntries.push(sig);
    documents.push({ entryUUID: sig.entryUUID, content: input.signature.xml });
    associations.push(
      association({ kind: 'HasMember', sourceObject: submissionSet.entryUUID, targetObject: sig.entryUUID, submissionSetStatus: 'Original' }),
      // digest §C4 item 4: `signs` goes from the signature entry to the SubmissionSet it signs.
      association({ kind: 'signs', sourceObject: sig.entryUUID, targetObject: submissionSet.entryUUID }),
    );
  }
  return { submissionSet, documentEntries, associations, documents };
}
