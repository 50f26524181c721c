import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from '@xmldom/xmldom';
import { parseXml } from '../../dmp/index.js';
import { XDS_STATUS, findDocumentsQueryXml, getDocumentsQueryXml, submitObjectsRequestXml } from '../../xds/index.js';
import { readSubmission } from './read-submission.js';
import type { SandboxEntry } from './registry-store.js';
import { storedQuery, updateDocumentSet } from './registry-rules.js';
import { PATIENT_ID, deletionFor } from './testing.js';

const OTHER = '148000000000002^^^&1.2.250.1.213.1.4.10&ISO';

function entry(n: number, patientId: string, status: string): SandboxEntry {
  return {
    entryUUID: `urn:uuid:00000000-0000-4000-8000-00000000000${n}`, uniqueId: `1.2.3.${n}`, patientId, typeCode: '11490-0',
    typeCodeScheme: '2.16.840.1.113883.6.1', status, receivedAt: '2025-02-03T09:00:00.000Z', kind: 'document', mimeType: 'text/xml',
    hash: 'aa', size: 1, submissionSetUniqueId: '1.2.3.9', confidentialityCodes: ['N'], eventCodes: [], referenceIds: [],
  };
}

const entries = [entry(1, PATIENT_ID, XDS_STATUS.approved), entry(2, PATIENT_ID, XDS_STATUS.deprecated), entry(3, OTHER, XDS_STATUS.approved)];
const element = (xml: string) => parseXml(xml).documentElement as Element;

describe('DMP sandbox registry rules', () => {
  it('finds the entries of the patient with the asked statuses', () => {
    const r = storedQuery(entries, element(findDocumentsQueryXml({ patientId: PATIENT_ID, statuses: [XDS_STATUS.approved, XDS_STATUS.deprecated] })), PATIENT_ID);
    assert.deepEqual(r.ok ? r.entries.map((e) => e.uniqueId) : r.errors, ['1.2.3.1', '1.2.3.2']);
  });

  it('gets documents by uniqueId of the VIHF patient only', () => {
    const r = storedQuery(entries, element(getDocumentsQueryXml({ uniqueIds: ['1.2.3.1', '1.2.3.3'] })), PATIENT_ID);
    assert.deepEqual(r.ok ? r.entries.map((e) => e.uniqueId) : r.errors, ['1.2.3.1']);
  });

  it('refuses a query about another patient than the VIHF one', () => {
    const r = storedQuery(entries, element(findDocumentsQueryXml({ patientId: OTHER })), PATIENT_ID);
    assert.deepEqual(r.ok ? [] : r.errors.map((e) => e.errorCode), ['XDSPatientIdDoesNotMatch']);
  });

  it('refuses the deletion of an entry that is not Approved', () => {
    const del = deletionFor(entries[1]?.entryUUID ?? '');
    const r = updateDocumentSet(entries, readSubmission(element(submitObjectsRequestXml(del))), PATIENT_ID, new Date());
    assert.deepEqual(r.ok ? [] : r.errors.map((e) => e.errorCode), ['XDSMetadataUpdateError']);
  });

  it('refuses the deletion of another patient\'s entry', () => {
    const del = deletionFor(entries[2]?.entryUUID ?? '');
    const r = updateDocumentSet(entries, readSubmission(element(submitObjectsRequestXml(del))), PATIENT_ID, new Date());
    assert.deepEqual(r.ok ? [] : r.errors.map((e) => e.errorCode), ['XDSPatientIdDoesNotMatch']);
  });

  it('marks an Approved entry Deleted', () => {
    const del = deletionFor(entries[0]?.entryUUID ?? '');
    const r = updateDocumentSet(entries, readSubmission(element(submitObjectsRequestXml(del))), PATIENT_ID, new Date('2025-02-04T00:00:00Z'));
    assert.ok(r.ok);
    assert.equal(r.entries[0]?.status, XDS_STATUS.dmpDeleted);
    assert.equal(r.entries[0]?.updatedAt, '2025-02-04T00:00:00.000Z');
    assert.equal(r.entries[1]?.status, XDS_STATUS.deprecated);
  });
});
