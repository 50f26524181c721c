import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { signatureEntry } from './signature-entry.js';
import type { XdsDocumentEntry } from './xds-model.js';

const doc: XdsDocumentEntry = {
  entryUUID: 'urn:uuid:d', uniqueId: '1.2.3', patientId: 'P', sourcePatientId: 'S', sourcePatientInfo: ['PID-8|F'],
  classCode: { code: '10', codingScheme: 'c', display: 'd' }, typeCode: { code: 't', codingScheme: 'c', display: 'd' },
  formatCode: { code: 'f', codingScheme: 'c', display: 'd' }, healthcareFacilityTypeCode: { code: 'SA01', codingScheme: 'h', display: 'd' },
  practiceSettingCode: { code: 'ETABLISSEMENT', codingScheme: 'p', display: 'd' }, confidentialityCodes: [], eventCodes: [],
  creationTime: '20200101', languageCode: 'fr-FR', title: 'T', mimeType: 'text/xml', hash: 'h', size: 1,
  authors: [{ person: 'A', institutions: ['I'], roles: [], specialties: [], telecoms: [] }], referenceIds: ['r'],
};

describe('signature DocumentEntry', () => {
  it('carries the fixed DMP signature metadata and the signed document\'s patient, authors and settings', () => {
    const xml = Buffer.from('<ds:Signature/>');
    const s = signatureEntry({ entryUUID: 'urn:uuid:s', uniqueId: '2.25.1', xml, document: doc, submissionTime: '20240315101500',
      submissionAuthors: [{ institutions: ['X'], roles: [], specialties: [], telecoms: [] }, { person: 'REQ', institutions: [], roles: [], specialties: [], telecoms: [] }] });
    assert.equal(s.title, 'Source');
    assert.equal(s.languageCode, 'art');
    assert.equal(s.mimeType, 'text/xml');
    assert.deepEqual(s.classCode, { code: 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1', codingScheme: 'URN', display: 'Digital Signature' });
    assert.deepEqual(s.typeCode, { code: 'E1762', codingScheme: 'ASTM', display: 'Full Document' });
    assert.deepEqual(s.formatCode, { code: 'http://www.w3.org/2000/09/xmldsig#', codingScheme: 'URN', display: 'Default Signature Style' });
    assert.deepEqual(s.eventCodes, [{ code: '1.2.840.10065.1.12.1.14', codingScheme: '1.2.840.10065.1.12', display: 'Source' }]);
    assert.deepEqual(s.confidentialityCodes.map((c) => [c.code, c.codingScheme]), [
      ['N', '2.16.840.1.113883.5.25'], ['MASQUE_PS', '1.2.250.1.213.1.1.4.13'], ['INVISIBLE_PATIENT', '1.2.250.1.213.1.1.4.13'],
    ]);
    assert.equal(s.hash, createHash('sha1').update(xml).digest('hex'));
    assert.equal(s.size, xml.length);
    assert.equal(s.patientId, 'P');
    assert.deepEqual(s.authors, doc.authors);
    assert.equal(s.healthcareFacilityTypeCode.code, 'SA01');
    assert.equal(s.practiceSettingCode.code, 'ETABLISSEMENT');
    assert.equal(s.legalAuthenticator, 'REQ');
    assert.equal(s.creationTime, '20240315101500');
    assert.deepEqual(s.referenceIds, []);
  });
});
