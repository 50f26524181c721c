import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planDeliveries } from './delivery-plan.js';
import { metaFlagCodes, type MetaFlags } from './flags.js';

function flags(on: string[]): MetaFlags {
  return Object.fromEntries(metaFlagCodes.map((c) => [c, on.includes(c)])) as unknown as MetaFlags;
}

describe('planDeliveries', () => {
  const recipients = [
    { kind: 'ps' as const, address: 'dr.hoda@test.mssante.fr', id: '801234567897' },
    { kind: 'patient' as const, address: '279035121518989@patient.mssante.fr' },
  ];

  it('plans the DMP, each professional and the patient when all three destinations are asked', () => {
    const plan = planDeliveries(flags(['DESTDMP', 'DESTMSSANTEPS', 'DESTMSSANTEPAT']), recipients);
    assert.deepEqual(plan.map((d) => [d.kind, d.recipient, d.state]), [
      ['dmp', null, 'pending'],
      ['mss_ps', 'dr.hoda@test.mssante.fr', 'pending'],
      ['mss_patient', '279035121518989@patient.mssante.fr', 'pending'],
    ]);
  });

  it('plans no patient mail when DESTMSSANTEPAT is N even if a patient recipient is listed', () => {
    const plan = planDeliveries(flags(['DESTMSSANTEPS']), recipients);
    assert.deepEqual(plan.map((d) => d.kind), ['mss_ps']);
  });

  it('plans one delivery for an address listed twice, whatever its case', () => {
    const plan = planDeliveries(flags(['DESTMSSANTEPS']), [
      { kind: 'ps', address: 'a@x.mssante.fr' },
      { kind: 'ps', address: 'A@x.mssante.fr' },
    ]);
    assert.equal(plan.length, 1);
  });
});
