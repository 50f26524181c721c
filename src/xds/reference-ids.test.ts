import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CdaHeader } from '../cda/index.js';
import { referenceIds } from './reference-ids.js';

function header(code: string): CdaHeader {
  return {
    id: { root: '1.2.3' }, code: { code }, templateIds: [], recordTargetCount: 1, patient: { ids: [], given: [] },
    authors: [], relatedDocuments: [], serviceEvents: [{ ids: [{ root: '1.2.840.113619.2.1' }, { root: '1.2.9', extension: 'local' }], performers: [] }],
    orders: [{ ids: [{ root: '1.2.250.1.748.1', extension: 'OPN102' }], accessionNumber: { root: '1.2.250.1.925.1', extension: 'ACN102' } }],
    level: 'N3',
  };
}

describe('referenceIdList', () => {
  it('lists order, accession and study instance UID of an imaging report', () => {
    assert.deepEqual(referenceIds(header('18748-4')), [
      'OPN102^^^&1.2.250.1.748.1&ISO^urn:ihe:iti:xds:2013:order',
      'ACN102^^^&1.2.250.1.925.1&ISO^urn:ihe:iti:xds:2013:accession',
      '1.2.840.113619.2.1^^^&1.2.840.10008&ISO^urn:ihe:iti:xds:2016:studyInstanceUID',
    ]);
  });
  it('gives other document types no referenceIdList', () => {
    assert.deepEqual(referenceIds(header('11502-2')), []);
  });
});
