import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, examples, setComponent, setField, setFlag } from './testing/mutate.js';
import { assertAccepts, assertRejects, assertRejectsOnly, run } from './test-run.js';

const mdm = example(examples.mdmInit);
const oru = example(examples.oruReplace);

describe('patient identity: PID-3 INS, PID-32, PV1 (volet A §2.4.3–2.4.4)', () => {
  it('reads the INS, the identity traits and the visit of the MDM example', () => {
    const { patient } = assertAccepts(run(mdm));
    assert.deepEqual(patient, {
      insQualified: true,
      ins: '279035121518989',
      insOid: '1.2.250.1.213.1.4.10',
      identityStatus: 'VALI',
      ids: [{ id: '279035121518989', authorityOid: '1.2.250.1.213.1.4.10', authorityName: 'ASIP-SANTE-INS-NIR', typeCode: 'INS' }],
      birthFamily: 'PAT-TROIS',
      given: ['DOMINIQUE'],
      birthDate: '19790328',
      gender: 'F',
      birthPlaceCode: '63220',
      administrativeFileNumber: '405660',
      patientClass: 'I',
      visitNumber: '000897406',
    });
  });

  it('reads the IPP typed PI in PID-3', () => {
    const withIpp = setField(mdm, 'PID', 1, 3, `${'279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS'}~000003^^^CHU-X&1.2.3.4.5&ISO^PI`);
    assert.deepEqual(assertAccepts(run(withIpp)).patient.ipp, { id: '000003', authority: '1.2.3.4.5' });
  });

  it('answers AE 103 at PID^1^3^1^4 when the INS assigning authority is not an INS OID', () => {
    assertRejects(run(setComponent(mdm, 'PID', 1, 3, 4, 'ASIP-SANTE-INS-NIR&1.2.3.4&ISO')), '103 PID^1^3^1^4');
  });

  it('answers AE 102 at PID^1^3^1^1 when the INS matricule is 14 characters', () => {
    assertRejects(run(setComponent(mdm, 'PID', 1, 3, 1, '27903512151898')), '102 PID^1^3^1^1');
  });

  it('answers AE 101 at PID^1^3 when PID-3 is empty', () => {
    assertRejects(run(setField(mdm, 'PID', 1, 3, '')), '101 PID^1^3');
  });

  it('answers AE 207 INS_NOT_QUALIFIED at PID^1^32 when DESTDMP=Y and PID-32 is PROV', () => {
    assertRejectsOnly(run(setField(mdm, 'PID', 1, 32, 'PROV')), ['207 INS_NOT_QUALIFIED PID^1^32']);
  });

  it('answers AE 207 INS_NOT_QUALIFIED at PID^1^32 when DESTMSSANTEPAT=Y and PID-32 is PROV', () => {
    const msOnly = setFlag(setField(oru, 'PID', 1, 32, 'PROV'), 'DESTDMP', 'N');
    assertRejectsOnly(run(msOnly), ['207 INS_NOT_QUALIFIED PID^1^32']);
  });

  it('answers AE 207 INS_NOT_QUALIFIED at PID^1^3 when DESTDMP=Y and PID-3 has no INS', () => {
    assertRejects(run(setField(mdm, 'PID', 1, 3, '000003^^^CHU-X&1.2.3.4.5&ISO^PI')), '207 INS_NOT_QUALIFIED PID^1^3');
  });

  it('treats VALI as not qualified when the configuration lists only QUAL', () => {
    assertRejectsOnly(run(mdm, { qualifiedIdentityCodes: ['QUAL'] }), ['207 INS_NOT_QUALIFIED PID^1^32']);
    assertAccepts(run(setField(mdm, 'PID', 1, 32, 'QUAL'), { qualifiedIdentityCodes: ['QUAL'] }));
  });

  it('accepts an unqualified identity for a professional-only MSS send', () => {
    const psOnly = setFlag(setField(mdm, 'PID', 1, 32, 'PROV'), 'DESTDMP', 'N');
    assert.equal(assertAccepts(run(psOnly)).patient.insQualified, false);
  });

  it('answers AE 103 at PV1^1^2 when PV1-2 is X', () => {
    assertRejectsOnly(run(setField(mdm, 'PV1', 1, 2, 'X')), ['103 PV1^1^2']);
  });

  it('answers AE 101 at PV1^1^19 when PV1-2 is I and PV1-19 is empty', () => {
    assertRejectsOnly(run(setField(mdm, 'PV1', 1, 19, '')), ['101 PV1^1^19']);
  });

  it('accepts an empty PV1-19 when PV1-2 is N', () => {
    assertAccepts(run(setField(setField(mdm, 'PV1', 1, 19, ''), 'PV1', 1, 2, 'N')));
  });
});
