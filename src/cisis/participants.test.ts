import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, examples, getSegment, insertAfter, removeSegment, replaceSegment, setComponent, setFlag } from './testing/mutate.js';
import { assertAccepts, assertRejects, assertRejectsOnly, run, warningCodes } from './test-run.js';

const mdm = example(examples.mdmInit);
const oru = example(examples.oruInit);
const oruReplace = example(examples.oruReplace);
/** A valid-looking INS that is not the patient's (a legal representative). */
const otherIns = '185057800608436';

describe('PRT SB / RCT / REPLY (volet A §2.4.8, §7 C11)', () => {
  it('reads the requester, the recipients and the reply address of the Ségur ORU', () => {
    const request = assertAccepts(run(oruReplace));
    assert.deepEqual(request.requester, {
      personId: '801234567866', family: 'DIAZ', given: 'Thierry', personAuthorityOid: '1.2.250.1.71.4.2.1', personIdType: 'IDNPS',
      orgName: 'labo', orgAuthorityOid: '1.2.250.1.71.4.2.2', orgIdType: 'FINEG', orgId: '1120459876',
    });
    assert.deepEqual(request.recipients.map((r) => [r.kind, r.address]), [
      ['ps', 'adam.hoda@test-ci-sis.mssante.fr'],
      ['patient', '279035121518989@patient.mssante.fr'],
    ]);
    assert.equal(request.replyTo, 'adam.hoda@test-ci-sis.mssante.fr');
  });

  it('trims the NBSP that ends the requester FINESS of the MDM example', () => {
    assert.equal(assertAccepts(run(mdm)).requester?.orgId, '300017985');
  });

  it('answers AE 103 at PRT^2^15^1^3 when PRT-15.3 is NET', () => {
    assertRejects(run(setComponent(mdm, 'PRT', 2, 15, 3, 'NET')), '103 PRT^2^15^1^3');
  });

  it('answers AE 101 at PRT^2^15^1^4 when PRT-15.4 is empty', () => {
    assertRejects(run(setComponent(mdm, 'PRT', 2, 15, 4, '')), '101 PRT^2^15^1^4');
  });

  it('answers AE 102 at PRT^2^15^1^4 when PRT-15.4 is not an address', () => {
    assertRejects(run(setComponent(mdm, 'PRT', 2, 15, 4, 'adam.hoda')), '102 PRT^2^15^1^4');
  });

  it('answers AE 103 at PRT^1^4 when PRT-4.1 is XX', () => {
    assertRejects(run(setComponent(mdm, 'PRT', 1, 4, 1, 'XX')), '103 PRT^1^4');
  });

  it('answers AE 101 at PRT^4^15^1^4 when the PRT REPLY has no address', () => {
    assertRejectsOnly(run(setComponent(oru, 'PRT', 4, 15, 4, '')), ['101 PRT^4^15^1^4']);
  });

  it('answers AE 198 at PRT^2^4 when two PRT SB are sent', () => {
    assertRejectsOnly(run(insertAfter(mdm, 'PRT', 1, getSegment(mdm, 'PRT', 1))), ['198 PRT^2^4']);
  });

  it('answers AE 207 REQUESTER_MISSING at OBX^7^5 when DESTDMP=Y and no PRT SB is sent', () => {
    assertRejectsOnly(run(removeSegment(mdm, 'PRT', 1)), ['207 REQUESTER_MISSING OBX^7^5']);
  });

  it('accepts no PRT SB when DESTDMP=N', () => {
    assertAccepts(run(setFlag(removeSegment(mdm, 'PRT', 1), 'DESTDMP', 'N')));
  });

  it('answers AE 207 REQUESTER_MISSING at PRT^1^8 when DESTDMP=Y and the PRT SB has no FINESS', () => {
    assertRejectsOnly(run(setComponent(mdm, 'PRT', 1, 8, 10, '')), ['207 REQUESTER_MISSING PRT^1^8']);
  });

  it('answers AE 207 REQUESTER_MISSING at PRT^1^5 when DESTDMP=Y and the PRT SB names neither person nor device', () => {
    assertRejectsOnly(run(setComponent(mdm, 'PRT', 1, 5, 1, '')), ['207 REQUESTER_MISSING PRT^1^5']);
  });

  it('accepts a PRT SB that names a device instead of a person', () => {
    const device = setComponent(setComponent(mdm, 'PRT', 1, 5, 1, ''), 'PRT', 1, 10, 1, 'AUTOMATE-RIS-1');
    assert.equal(assertAccepts(run(device)).requester?.deviceId, 'AUTOMATE-RIS-1');
  });

  it('answers AE 207 PS_RECIPIENT_MISSING at OBX^8^5 when DESTMSSANTEPS=Y and no professional PRT RCT is sent', () => {
    const noPs = replaceSegment(mdm, 'PRT', 2, 'PRT||UC||REPLY^Reply To^participation|||||||||||^^X.400^secretariat@test-ci-sis.mssante.fr');
    assertRejectsOnly(run(noPs), ['207 PS_RECIPIENT_MISSING OBX^8^5']);
  });

  it('answers AE 207 PATIENT_RECIPIENT_MISSING at OBX^9^5 when DESTMSSANTEPAT=Y and no patient PRT RCT is sent', () => {
    assertRejectsOnly(run(removeSegment(oru, 'PRT', 3)), ['207 PATIENT_RECIPIENT_MISSING OBX^9^5']);
  });

  it('answers AE 207 PATIENT_RECIPIENT_UNEXPECTED at PRT^3^15 when DESTMSSANTEPAT=N and a patient PRT RCT is sent', () => {
    assertRejectsOnly(run(setFlag(oruReplace, 'DESTMSSANTEPAT', 'N')), ['207 PATIENT_RECIPIENT_UNEXPECTED PRT^3^15']);
  });

  it('recognises the patient by the @patient.mssante.fr address when PRT-5.13 is not INS', () => {
    const r = run(setComponent(oruReplace, 'PRT', 3, 5, 13, ''));
    assert.equal(assertAccepts(r).recipients[1]?.kind, 'patient');
  });

  it('rebuilds the patient address from the INS when the patient PRT RCT carries no valid INS (ANS Ségur typo)', () => {
    const r = run(oru);
    const request = assertAccepts(r);
    assert.deepEqual(request.recipients.map((x) => [x.kind, x.address]), [
      ['ps', 'adam.hoda@test-ci-sis.mssante.fr'],
      ['patient', '279035121518989@patient.mssante.fr'],
    ]);
    assert.ok(warningCodes(r).includes('PATIENT_ADDRESS_REBUILT'));
  });

  it('classifies a recipient carrying another INS as a legal representative', () => {
    const rep = setComponent(setComponent(oruReplace, 'PRT', 3, 5, 1, otherIns), 'PRT', 3, 15, 4, `${otherIns}@patient.mssante.fr`);
    const request = assertAccepts(run(rep));
    assert.deepEqual(request.recipients.map((x) => x.kind), ['ps', 'representative']);
  });

  it('drops a professional PRT RCT with a warning when DESTMSSANTEPS=N', () => {
    const r = run(setFlag(oruReplace, 'DESTMSSANTEPS', 'N'));
    assert.deepEqual(assertAccepts(r).recipients.map((x) => x.kind), ['patient']);
    assert.ok(warningCodes(r).includes('PS_RECIPIENT_IGNORED'));
  });
});
