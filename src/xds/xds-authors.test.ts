import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorFromCda, authorFromRequester, institutionAuthor, organizationXon, personXcn, requesterInstitution } from './xds-authors.js';

describe('XDS authors', () => {
  it('writes a CDA author with its RPPS, organisation, role and specialty', () => {
    const a = authorFromCda({
      person: { ids: [{ root: '1.2.250.1.71.4.2.1', extension: '801234560801' }], family: 'BIDEAULT', given: ['Jacques'], prefix: 'M' },
      functionCode: { code: 'ATTPHYS', codeSystem: '2.16.840.1.113883.5.88', displayName: 'Référent' },
      specialty: { code: 'G15_10/SM44', codeSystem: '1.2.250.1.213.1.1.4.5', displayName: 'Radio-diagnostic (SM)' },
      organization: { ids: [{ root: '1.2.250.1.71.4.2.2', extension: '1920008059' }], name: 'Centre Ambroise' },
    });
    assert.deepEqual(a, {
      person: '801234560801^BIDEAULT^Jacques^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS',
      institutions: ['Centre Ambroise^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1920008059'],
      roles: ['ATTPHYS^Référent^2.16.840.1.113883.5.88'],
      specialties: ['G15_10/SM44^Radio-diagnostic (SM)^1.2.250.1.213.1.1.4.5'],
      telecoms: [],
    });
  });
  it('writes a device author with name type U and id type RI', () => {
    const a = authorFromCda({ person: { ids: [{ root: '1.2.250.1.999.9', extension: 'AUTOMATE-1' }] }, device: { softwareName: 'RIS X' } });
    assert.equal(a.person, 'AUTOMATE-1^RIS X^^^^^^^&1.2.250.1.999.9&ISO^U^^^RI');
  });
  it('gives no XCN to a person without an extension, and RI to a local id', () => {
    assert.equal(personXcn({ ids: [{ root: '1.2.3' }] }), undefined);
    assert.equal(personXcn({ ids: [{ root: '1.2.3', extension: 'u1' }], family: 'X' }), 'u1^X^^^^^^^&1.2.3&ISO^D^^^RI');
    assert.equal(organizationXon({ ids: [] }), undefined);
  });
  it('builds the SubmissionSet author from PRT SB with 8+RPPS and 1+FINESS', () => {
    assert.deepEqual(authorFromRequester({ personId: '12345678901', personIdType: 'RPPS', family: 'Dupont', given: 'Jean',
      orgName: 'Organisation-X', orgId: '300017985', orgIdType: 'FINEG' }), {
      person: '812345678901^Dupont^Jean^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS',
      institutions: ['Organisation-X^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1300017985'],
      roles: [], specialties: [], telecoms: [],
    });
  });
  it('keeps an 8-prefixed IDNPS and an IDNST as sent, and maps ADELI to 0+ADELI', () => {
    assert.match(authorFromRequester({ personId: '801234567866', personIdType: 'IDNPS' })?.person ?? '', /^801234567866\^/);
    assert.match(authorFromRequester({ personId: '123456789', personIdType: 'ADELI' })?.person ?? '', /^0123456789\^/);
    assert.equal(requesterInstitution({ orgName: 'X', orgId: '1300017985', orgIdType: 'IDNST' }), 'X^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1300017985');
  });
  it('gives no author for an empty requester, and an institution-only author for HISTO.04', () => {
    assert.equal(authorFromRequester({}), undefined);
    assert.deepEqual(institutionAuthor('X'), { institutions: ['X'], roles: [], specialties: [], telecoms: [] });
  });
});
