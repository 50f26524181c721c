import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSubmissionSet } from './submission-set.js';
import { deterministicUuids } from './xds-ids.js';

const base = {
  patient: { ins: '279035121518989', insOid: '1.2.250.1.213.1.4.8' },
  requester: { personId: '801234567866', personIdType: 'IDNPS', family: 'Dupont', given: 'Jean', orgName: 'CH X', orgId: '300017985', orgIdType: 'FINEG' },
  patientClass: 'I', submissionTime: new Date('2024-07-01T08:00:00Z'), sourceOid: '1.2.250.1.999.7',
};

describe('SubmissionSet', () => {
  it('fills uniqueId, sourceId, UTC submissionTime, contentTypeCode, author and patientId', () => {
    const s = buildSubmissionSet(base, deterministicUuids('ss'));
    assert.match(s.entryUUID, /^urn:uuid:/);
    assert.match(s.uniqueId, /^2\.25\.\d+$/);
    assert.equal(s.sourceId, '1.2.250.1.999.7');
    assert.equal(s.submissionTime, '20240701080000');
    assert.equal(s.contentTypeCode.code, '03');
    assert.equal(s.patientId, '279035121518989^^^&1.2.250.1.213.1.4.8&ISO');
    assert.deepEqual(s.authors.map((a) => [a.person, a.institutions]), [[
      '801234567866^Dupont^Jean^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS', ['CH X^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1300017985'],
    ]]);
    assert.deepEqual(s.intendedRecipients, []);
  });
  it('uses a given uniqueId and adds the institution as an extra author for a historical document', () => {
    const s = buildSubmissionSet({ ...base, submissionSetUniqueId: '1.2.250.1.999.7.1', historical: true }, deterministicUuids('ss'));
    assert.equal(s.uniqueId, '1.2.250.1.999.7.1');
    assert.equal(s.authors.length, 2);
    assert.deepEqual(s.authors[1], { institutions: ['CH X^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1300017985'], roles: [], specialties: [], telecoms: [] });
  });
  it('refuses a sourceId or uniqueId that is not an OID', () => {
    assert.throws(() => buildSubmissionSet({ ...base, sourceOid: 'relais' }, deterministicUuids('x')), { code: 'RLS_CONFIG_INVALID' });
    assert.throws(() => buildSubmissionSet({ ...base, submissionSetUniqueId: '1.2^3' }, deterministicUuids('x')), { code: 'RLS_XDS_UNIQUE_ID' });
  });
});
