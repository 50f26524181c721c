import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError, metaFlagCodes, type MetaFlags } from '../../domain/index.js';
import { isInsMatricule, mailRecipientsAllowed, matriculeOfMailbox, patientMailbox, type MailRecipient } from './patient-rules.js';

function flags(on: string[]): MetaFlags {
  return Object.fromEntries(metaFlagCodes.map((c) => [c, on.includes(c)])) as unknown as MetaFlags;
}

const ins = '285057511223391'; // key 91 = 97 − (2850575112233 mod 97)
const repIns = '277076322082910';
const patient: MailRecipient = { address: `${ins}@patient.mssante.fr`, kind: 'patient' };
const representative: MailRecipient = { address: `${repIns}@patient.mssante.fr`, kind: 'representative' };
const ps: MailRecipient = { address: 'dr.hoda@test.mssante.fr', kind: 'ps' };
const all = ['DESTMSSANTEPS', 'DESTMSSANTEPAT'];

describe('patientMailbox', () => {
  it('builds <matricule>@patient.mssante.fr from a NIR whose key matches', () => {
    assert.equal(patientMailbox(ins), '285057511223391@patient.mssante.fr');
  });

  it('accepts the Corsican departments 2A and 2B with their key computed on 19 and 18', () => {
    const key = (first13: string): string => String(97 - Number(BigInt(first13) % 97n)).padStart(2, '0');
    assert.ok(isInsMatricule(`18502${'2A'}123456${key('1850219123456')}`));
    assert.ok(isInsMatricule(`18502${'2B'}123456${key('1850218123456')}`));
    assert.equal(isInsMatricule(`18502${'2A'}123456${key('1850218123456')}`), false);
  });

  it('refuses a wrong key, a wrong length, letters and surrounding spaces with RLS_MSS_BAD_INS', () => {
    for (const bad of ['285057511223392', '28505751122331', '2850575112233910', '28505751122331A', ` ${ins}`, '']) {
      assert.equal(isInsMatricule(bad), false, bad);
      assert.throws(() => patientMailbox(bad), (e: unknown) => isRelaisError(e) && e.code === 'RLS_MSS_BAD_INS');
    }
  });

  it('reads the matricule back from a patient mailbox, whatever the domain case, and nothing from other addresses', () => {
    assert.equal(matriculeOfMailbox(`${ins}@Patient.MSSante.fr`), ins);
    assert.equal(matriculeOfMailbox(`${ins}@test.mssante.fr`), undefined);
    assert.equal(matriculeOfMailbox('285057511223392@patient.mssante.fr'), undefined);
  });
});

describe('mailRecipientsAllowed', () => {
  const qualified = { ins, insQualified: true };

  it('allows the professional, the patient and a representative when nothing forbids them', () => {
    const d = mailRecipientsAllowed(flags(all), qualified, [ps, patient, representative]);
    assert.deepEqual(d.allowed, [ps, patient, representative]);
    assert.deepEqual(d.refused, []);
  });

  // [flags on, patient, recipient, expected reason or undefined]
  const matrix: [string[], { ins?: string; insQualified: boolean }, MailRecipient, string | undefined][] = [
    [['DESTMSSANTEPAT'], qualified, ps, 'DESTMSSANTEPS_N'],
    [['DESTMSSANTEPS'], qualified, patient, 'DESTMSSANTEPAT_N'],
    [['DESTMSSANTEPS'], qualified, representative, 'DESTMSSANTEPAT_N'],
    [all, { ins, insQualified: false }, patient, 'INS_NOT_QUALIFIED'],
    [all, { insQualified: true }, patient, 'INS_NOT_QUALIFIED'],
    [all, { ins, insQualified: false }, ps, undefined],
    [[...all, 'INVISIBLE_PATIENT'], qualified, patient, 'INVISIBLE_PATIENT'],
    [[...all, 'INVISIBLE_PATIENT'], qualified, ps, undefined],
    [[...all, 'INVISIBLE_PATIENT'], qualified, representative, undefined],
    [[...all, 'INVISIBLE_REP_LEGAUX'], qualified, representative, 'INVISIBLE_REP_LEGAUX'],
    [[...all, 'INVISIBLE_REP_LEGAUX'], qualified, patient, undefined],
    [[...all, 'INVISIBLE_REP_LEGAUX'], qualified, ps, undefined],
    [all, qualified, { address: `${repIns}@patient.mssante.fr`, kind: 'patient' }, 'NOT_PATIENT_MAILBOX'],
    [all, { ins: '285057511223392', insQualified: true }, { address: '285057511223392@patient.mssante.fr', kind: 'patient' }, 'BAD_PATIENT_ADDRESS'],
    [all, qualified, { address: 'parent@test.mssante.fr', kind: 'representative' }, 'BAD_PATIENT_ADDRESS'],
    [all, qualified, { address: '277076322082911@patient.mssante.fr', kind: 'representative' }, 'BAD_PATIENT_ADDRESS'],
  ];
  for (const [on, who, recipient, reason] of matrix) {
    it(`${reason ?? 'allows'} for a ${recipient.kind} with ${on.join('+')}${who.insQualified ? '' : ', INS not qualified'}${who.ins ? '' : ', no INS'} (${recipient.address})`, () => {
      const d = mailRecipientsAllowed(flags(on), who, [recipient]);
      if (reason === undefined) {
        assert.deepEqual(d.allowed, [recipient]);
        assert.deepEqual(d.refused, []);
      } else {
        assert.deepEqual(d.allowed, []);
        assert.equal(d.refused[0]?.reason, reason);
        assert.equal(d.refused[0]?.recipient, recipient);
        assert.ok((d.refused[0]?.label.length ?? 0) > 10);
      }
    });
  }
});
