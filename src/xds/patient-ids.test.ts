import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CdaPatient } from '../cda/index.js';
import { checkCdaPatient, isXdsPatientId, sourcePatientId, sourcePatientInfo, xdsPatientId } from './patient-ids.js';

const cdaPatient: CdaPatient = {
  ids: [{ root: '1.2.250.1.213.1.4.8', extension: '279035121518989' }, { root: '1.2.250.1.999.1', extension: 'IPP-42' }],
  given: ['DOMINIQUE', 'MARIE'], birthFamily: 'PAT-TROIS', firstGiven: 'DOMINIQUE', gender: 'F', birthTime: '19790328',
};

describe('patient identifiers', () => {
  it('writes the patientId with the production NIR, NIA and the test OIDs', () => {
    assert.equal(xdsPatientId({ ins: '279035121518989', insOid: '1.2.250.1.213.1.4.8' }), '279035121518989^^^&1.2.250.1.213.1.4.8&ISO');
    assert.equal(xdsPatientId({ ins: '279035121518989', insOid: '1.2.250.1.213.1.4.9' }), '279035121518989^^^&1.2.250.1.213.1.4.9&ISO');
    assert.equal(xdsPatientId({ ins: '279035121518989', insOid: '1.2.250.1.213.1.4.10' }), '279035121518989^^^&1.2.250.1.213.1.4.10&ISO');
  });
  it('accepts a Corsican INS (2A / 2B)', () => {
    assert.equal(xdsPatientId({ ins: '185052A12345678', insOid: '1.2.250.1.213.1.4.8' }), '185052A12345678^^^&1.2.250.1.213.1.4.8&ISO');
  });
  it('refuses an IPP domain OID or a malformed INS with RLS_XDS_PATIENT_ID, without the INS in details', () => {
    assert.throws(() => xdsPatientId({ ins: '279035121518989', insOid: '1.2.250.1.999.1' }),
      (e: unknown) => (e as { code: string }).code === 'RLS_XDS_PATIENT_ID');
    assert.throws(() => xdsPatientId({ ins: '27903512151898', insOid: '1.2.250.1.213.1.4.8' }),
      (e: unknown) => (e as { code: string; details: object }).code === 'RLS_XDS_PATIENT_ID'
        && !JSON.stringify((e as { details: object }).details).includes('2790351215189'));
  });
  it('recognises an INS patientId for queries', () => {
    assert.ok(isXdsPatientId('279035121518989^^^&1.2.250.1.213.1.4.8&ISO'));
    assert.equal(isXdsPatientId("279035121518989^^^&1.2.250.1.213.1.4.8&ISO') OR ('1"), false);
    assert.equal(isXdsPatientId('IPP-42^^^&1.2.250.1.999.1&ISO'), false);
  });
  it('checks that the CDA recordTarget carries the INS of the submission', () => {
    checkCdaPatient(cdaPatient, { ins: '279035121518989', insOid: '1.2.250.1.213.1.4.8' });
    assert.throws(() => checkCdaPatient(cdaPatient, { ins: '279035121518989', insOid: '1.2.250.1.213.1.4.10' }),
      { code: 'RLS_XDS_PATIENT_ID' });
  });
  it('takes the IPP as sourcePatientId, else the INS', () => {
    const p = { ins: '279035121518989', insOid: '1.2.250.1.213.1.4.8' };
    assert.equal(sourcePatientId(cdaPatient, p), 'IPP-42^^^&1.2.250.1.999.1&ISO');
    assert.equal(sourcePatientId({ ...cdaPatient, ids: cdaPatient.ids.slice(0, 1) }, p), '279035121518989^^^&1.2.250.1.213.1.4.8&ISO');
  });
  it('writes sourcePatientInfo PID-5, PID-7 and PID-8', () => {
    assert.deepEqual(sourcePatientInfo(cdaPatient), ['PID-5|PAT-TROIS^DOMINIQUE^DOMINIQUE MARIE^^^^L', 'PID-7|19790328', 'PID-8|F']);
    assert.deepEqual(sourcePatientInfo({ ids: [], given: [], gender: 'UN' }), ['PID-8|U']);
  });
});
