import { createHash, randomUUID } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { SOAP_NS } from '../../dmp/index.js';
import { XDS_STATUS, XDS_UUID } from '../../xds/index.js';
import { isInsPatientId, isSignatureEntry, submissionErrors } from './metadata-rules.js';
import type { ReadSubmission } from './read-submission.js';
import type { SandboxEntry } from './registry-store.js';
import type { SandboxRegistryError } from './soap-answers.js';
import { attribute, child, children, descendants, textOf } from './xml-read.js';

/**
 * What the registry does with a checked request (digest §C1, §C7, §C8): store a new submission, deprecate the entry
 * an RPLC replaces, apply an UpdateAvailabilityStatus, answer a stored query. Pure: the caller saves the new state.
 */

export type RuleResult = { ok: true; entries: SandboxEntry[] } | { ok: false; errors: SandboxRegistryError[] };

const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** ITI-41 (TD2.1): a new document, or a replacement when an RPLC association is present. */
export function provideAndRegister(
  current: readonly SandboxEntry[], s: ReadSubmission, documents: ReadonlyMap<string, Buffer>, vihfPatientId: string, now: Date,
): RuleResult {
  const errors = submissionErrors(s, documents, vihfPatientId);
  if (errors.length > 0) return { ok: false, errors };
  const set = s.submissionSet;
  if (set === undefined) return { ok: false, errors: [{ errorCode: 'XDSRegistryMetadataError', codeContext: 'pas de lot' }] };
  for (const e of s.entries) {
    const same = current.find((c) => c.uniqueId === e.uniqueId);
    if (same === undefined) continue;
    const hash = createHash('sha1').update(documents.get(e.entryUUID) ?? Buffer.alloc(0)).digest('hex');
    // IHE TF-3 §4.2.3.2.26 / digest §C8: the same uniqueId again is a duplicate, with other bytes a hash conflict.
    errors.push(same.hash === hash
      ? { errorCode: 'XDSDuplicateUniqueIdInRegistry', codeContext: 'uniqueId déjà présent dans le registre', location: e.entryUUID }
      : { errorCode: 'XDSNonIdenticalHash', codeContext: 'uniqueId déjà présent avec un contenu différent', location: e.entryUUID });
  }
  const replaced = new Map<string, string>();
  for (const a of s.associations.filter((x) => x.kind === 'RPLC')) {
    const target = current.find((c) => c.entryUUID === a.targetObject);
    const source = s.entries.find((e) => e.entryUUID === a.sourceObject);
    if (source === undefined) {
      errors.push({ errorCode: 'XDSRegistryMetadataError', codeContext: 'RPLC depuis un objet qui n\'est pas une fiche du lot', location: a.id });
    } else if (target === undefined) {
      errors.push({ errorCode: 'UnresolvedReferenceException', codeContext: 'la fiche remplacée est inconnue', location: a.id });
    } else if (target.status !== XDS_STATUS.approved) {
      errors.push({ errorCode: 'XDSRegistryMetadataError', codeContext: 'seule une fiche Approved peut être remplacée', location: a.id });
    } else if (target.patientId !== source.patientId) {
      errors.push({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'la fiche remplacée est d\'un autre patient', location: a.id });
    } else {
      replaced.set(a.targetObject, a.sourceObject);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const at = now.toISOString();
  // digest §C4: the registry assigns the real entryUUIDs; a urn:uuid sent by the source is kept.
  const assigned = new Map(s.entries.map((e) => [e.entryUUID, URN_UUID.test(e.entryUUID) ? e.entryUUID.toLowerCase() : `urn:uuid:${randomUUID()}`]));
  const added = s.entries.map((e): SandboxEntry => {
    const content = documents.get(e.entryUUID) ?? Buffer.alloc(0);
    const type = e.codes.get(XDS_UUID.documentEntryTypeCode)?.[0];
    const replaces = [...replaced].find(([, src]) => src === e.entryUUID)?.[0];
    return {
      entryUUID: assigned.get(e.entryUUID) as string, uniqueId: e.uniqueId ?? '', patientId: e.patientId ?? '',
      typeCode: type?.code ?? '', typeCodeScheme: type?.codingScheme ?? '', status: XDS_STATUS.approved, receivedAt: at,
      kind: isSignatureEntry(e) ? 'signature' : 'document', mimeType: e.mimeType ?? '',
      hash: createHash('sha1').update(content).digest('hex'), size: content.length, submissionSetUniqueId: set.uniqueId ?? '',
      confidentialityCodes: (e.codes.get(XDS_UUID.documentEntryConfidentialityCode) ?? []).map((c) => c.code),
      eventCodes: (e.codes.get(XDS_UUID.documentEntryEventCodeList) ?? []).map((c) => ({ ...c })),
      referenceIds: e.slots.get('urn:ihe:iti:xds:2013:referenceIdList') ?? [],
      ...(replaces === undefined ? {} : { replaces }),
    };
  });
  const updated = current.map((c) => replaced.has(c.entryUUID) ? { ...c, status: XDS_STATUS.deprecated, updatedAt: at } : c);
  return { ok: true, entries: [...updated, ...added] };
}

const ALLOWED_NEW_STATUS = new Set<string>([XDS_STATUS.dmpDeleted]);

/** ITI-57 (TD3.3c): UpdateAvailabilityStatus of existing entries of the VIHF patient (digest §C7). */
export function updateDocumentSet(current: readonly SandboxEntry[], s: ReadSubmission, vihfPatientId: string, now: Date): RuleResult {
  const set = s.submissionSet;
  const errors: SandboxRegistryError[] = [];
  if (set === undefined) return { ok: false, errors: [{ errorCode: 'XDSMetadataUpdateError', codeContext: 'pas de lot de soumission' }] };
  if (!isInsPatientId(set.patientId)) errors.push({ errorCode: 'XDSRegistryMetadataError', codeContext: 'XDSSubmissionSet.patientId doit être un INS' });
  else if (set.patientId !== vihfPatientId) errors.push({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'le patient du VIHF n\'est pas celui du lot' });
  const updates = s.associations.filter((a) => a.kind === 'UpdateAvailabilityStatus');
  if (updates.length === 0) errors.push({ errorCode: 'XDSMetadataUpdateError', codeContext: 'aucune association UpdateAvailabilityStatus' });
  const changes = new Map<string, string>();
  for (const a of updates) {
    const target = current.find((c) => c.entryUUID === a.targetObject.toLowerCase());
    const original = a.slots.get('OriginalStatus')?.[0];
    const next = a.slots.get('NewStatus')?.[0];
    const member = s.associations.some((m) => m.kind === 'HasMember' && m.sourceObject === set.entryUUID && m.targetObject === a.id);
    if (!member) errors.push({ errorCode: 'XDSMetadataUpdateError', codeContext: 'association sans HasMember depuis le lot', location: a.id });
    if (a.sourceObject !== set.entryUUID) errors.push({ errorCode: 'XDSMetadataUpdateError', codeContext: 'la source doit être le lot', location: a.id });
    if (target === undefined) {
      errors.push({ errorCode: 'UnresolvedReferenceException', codeContext: 'fiche inconnue du registre', location: a.id });
    } else if (target.patientId !== set.patientId) {
      errors.push({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'la fiche est d\'un autre patient', location: a.id });
    } else if (original !== target.status) {
      errors.push({ errorCode: 'XDSMetadataUpdateError', codeContext: 'OriginalStatus ne correspond pas au statut de la fiche', location: a.id });
    } else if (next === undefined || !ALLOWED_NEW_STATUS.has(next)) {
      errors.push({ errorCode: 'XDSMetadataUpdateError', codeContext: 'NewStatus non autorisé en authentification indirecte', location: a.id });
    } else {
      changes.set(target.entryUUID, next);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const at = now.toISOString();
  return { ok: true, entries: current.map((c) => { const st = changes.get(c.entryUUID); return st === undefined ? c : { ...c, status: st, updatedAt: at }; }) };
}

/** A stored-query parameter value: `'a'` or `('a','b')` (IHE TF-2a §3.18.4.1.2.3.5). */
function parameterValues(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of raw) {
    const inner = value.trim().replace(/^\(/, '').replace(/\)$/, '');
    for (const m of inner.matchAll(/'((?:[^']|'')*)'/g)) out.push((m[1] ?? '').replace(/''/g, '\''));
  }
  return out;
}

export type QueryResult = { ok: true; entries: SandboxEntry[] } | { ok: false; errors: SandboxRegistryError[] };

/** ITI-18 (TD3.1b): FindDocuments by patient and status, GetDocuments by uniqueId, limited to the VIHF patient. */
export function storedQuery(current: readonly SandboxEntry[], request: Element, vihfPatientId: string): QueryResult {
  const query = child(request, SOAP_NS.rim, 'AdhocQuery');
  if (query === undefined) return { ok: false, errors: [{ errorCode: 'XDSRegistryError', codeContext: 'AdhocQuery absente' }] };
  const params = new Map<string, string[]>();
  for (const s of children(query, SOAP_NS.rim, 'Slot')) {
    params.set(attribute(s, 'name') ?? '', parameterValues(descendants(s, SOAP_NS.rim, 'Value').map((v) => textOf(v) ?? '')));
  }
  const patient = params.get('$XDSDocumentEntryPatientId')?.[0];
  if (patient !== undefined && patient !== vihfPatientId) {
    return { ok: false, errors: [{ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'le patient demandé n\'est pas celui du VIHF' }] };
  }
  const id = attribute(query, 'id');
  if (id === XDS_UUID.findDocumentsQuery) {
    if (patient === undefined) return { ok: false, errors: [{ errorCode: 'XDSStoredQueryParamNumber', codeContext: '$XDSDocumentEntryPatientId manquant' }] };
    const statuses = params.get('$XDSDocumentEntryStatus') ?? [];
    if (statuses.length === 0) return { ok: false, errors: [{ errorCode: 'XDSStoredQueryParamNumber', codeContext: '$XDSDocumentEntryStatus manquant' }] };
    return { ok: true, entries: current.filter((e) => e.patientId === patient && statuses.includes(e.status)) };
  }
  if (id === XDS_UUID.getDocumentsQuery) {
    const uniqueIds = params.get('$XDSDocumentEntryUniqueId') ?? [];
    const uuids = params.get('$XDSDocumentEntryEntryUUID') ?? [];
    if (uniqueIds.length === 0 && uuids.length === 0) {
      return { ok: false, errors: [{ errorCode: 'XDSStoredQueryParamNumber', codeContext: '$XDSDocumentEntryUniqueId ou $XDSDocumentEntryEntryUUID manquant' }] };
    }
    return { ok: true, entries: current.filter((e) => e.patientId === vihfPatientId && (uniqueIds.includes(e.uniqueId) || uuids.includes(e.entryUUID))) };
  }
  return { ok: false, errors: [{ errorCode: 'XDSUnknownStoredQuery', codeContext: 'requête stockée non prise en charge par le bac à sable' }] };
}
