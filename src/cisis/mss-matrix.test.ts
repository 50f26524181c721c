import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetaFlags } from '../domain/index.js';
import { checkMssRules } from './mss-matrix.js';
import { example, examples, setComponent, setFlag } from './testing/mutate.js';
import { assertAccepts, assertRejectsOnly, run } from './test-run.js';

const oru = example(examples.oruReplace);
const mdmReplace = example(examples.mdmReplace);
const otherIns = '185057800608436';

const base: MetaFlags = {
  MASQUE_PS: false, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false, CONNEXION_SECRETE: false, MODIF_CONF_CODE: false,
  DESTDMP: true, DESTMSSANTEPS: true, DESTMSSANTEPAT: true, ACK_RECEPTION: false, ACK_LECTURE_MSS: false,
};
const flags = (over: Partial<MetaFlags>): MetaFlags => ({ ...base, ...over });

describe('MSS sending rules and matrix (volet A §2.4.10, §7 C1)', () => {
  it('accepts under every profile the three rows of the 2.1.2 matrix', () => {
    for (const profile of ['2.1.2', '2.1.3', 'lenient'] as const) {
      assert.equal(checkMssRules(base, false, profile), undefined);
      assert.equal(checkMssRules(flags({ INVISIBLE_PATIENT: true, DESTMSSANTEPAT: false }), false, profile), undefined);
      assert.equal(checkMssRules(flags({ DESTDMP: false, DESTMSSANTEPS: false, INVISIBLE_REP_LEGAUX: true }), false, profile), undefined);
    }
  });

  it('refuses in every profile a patient send of a document invisible to the patient', () => {
    for (const profile of ['2.1.2', '2.1.3', 'lenient'] as const) {
      assert.equal(checkMssRules(flags({ INVISIBLE_PATIENT: true }), false, profile)?.code, 'PATIENT_INVISIBLE');
    }
  });

  it('refuses in every profile a representative send of a document invisible to representatives', () => {
    for (const profile of ['2.1.2', '2.1.3', 'lenient'] as const) {
      assert.equal(checkMssRules(flags({ INVISIBLE_REP_LEGAUX: true, DESTMSSANTEPS: false, DESTDMP: false }), true, profile)?.code, 'REPRESENTATIVE_INVISIBLE');
    }
  });

  it('lets lenient accept a professional-only send of a patient-visible document, which 2.1.2 and 2.1.3 refuse', () => {
    const psOnly = flags({ DESTMSSANTEPAT: false });
    assert.equal(checkMssRules(psOnly, false, 'lenient'), undefined);
    assert.equal(checkMssRules(psOnly, false, '2.1.2')?.flag, 'INVISIBLE_PATIENT');
    assert.equal(checkMssRules(psOnly, false, '2.1.3')?.flag, 'INVISIBLE_PATIENT');
  });

  it('refuses CONNEXION_SECRETE=Y with an MSS send under 2.1.2 but not for professionals under 2.1.3', () => {
    const secret = flags({ CONNEXION_SECRETE: true });
    assert.equal(checkMssRules(secret, false, '2.1.2')?.flag, 'CONNEXION_SECRETE');
    assert.equal(checkMssRules(secret, false, '2.1.3'), undefined);
  });

  it('refuses MASQUE_PS=Y with a professional send under 2.1.3 only', () => {
    const masked = flags({ MASQUE_PS: true, INVISIBLE_PATIENT: true, DESTMSSANTEPAT: false });
    assert.equal(checkMssRules(masked, false, '2.1.2'), undefined);
    assert.equal(checkMssRules(masked, false, '2.1.3')?.flag, 'MASQUE_PS');
  });

  it('refuses under 2.1.2 a patient-only send combined with DMP publication', () => {
    assert.equal(checkMssRules(flags({ DESTMSSANTEPS: false }), false, '2.1.2')?.flag, 'DESTDMP');
  });

  it('does not apply the matrix when no MSS send is asked', () => {
    const noMss = flags({ DESTMSSANTEPS: false, DESTMSSANTEPAT: false, CONNEXION_SECRETE: true, INVISIBLE_REP_LEGAUX: true });
    assert.equal(checkMssRules(noMss, false, '2.1.2'), undefined);
  });

  it('answers AE 207 at OBX^3^5 when DESTMSSANTEPAT=Y and INVISIBLE_PATIENT=Y', () => {
    assertRejectsOnly(run(setFlag(oru, 'INVISIBLE_PATIENT', 'Y')), ['207 PATIENT_INVISIBLE OBX^3^5']);
  });

  it('answers AE 207 at OBX^4^5 when a legal representative is addressed and INVISIBLE_REP_LEGAUX=Y', () => {
    const rep = setComponent(setComponent(oru, 'PRT', 3, 5, 1, otherIns), 'PRT', 3, 15, 4, `${otherIns}@patient.mssante.fr`);
    assertAccepts(run(rep));
    assertRejectsOnly(run(setFlag(rep, 'INVISIBLE_REP_LEGAUX', 'Y')), ['207 REPRESENTATIVE_INVISIBLE OBX^4^5']);
  });

  it('accepts under lenient the ANS MDM replacement sent to a professional only', () => {
    assertAccepts(run(mdmReplace));
  });

  it('answers AE 207 MSS_MATRIX at OBX^3^5 under 2.1.2 for the ANS MDM replacement, naming the profile in ERR-5', () => {
    const r = run(mdmReplace, { mssMatrixProfile: '2.1.2' });
    assertRejectsOnly(r, ['207 MSS_MATRIX OBX^3^5']);
    assert.equal(r.ok ? '' : r.errors[0]?.appError?.text, 'Combinaison de diffusion MSSanté non autorisée (profil 2.1.2)');
  });

  it('answers AE 207 MSS_MATRIX at OBX^5^5 under 2.1.2 when CONNEXION_SECRETE=Y with professional and patient sends', () => {
    assertRejectsOnly(run(setFlag(oru, 'CONNEXION_SECRETE', 'Y'), { mssMatrixProfile: '2.1.2' }), ['207 MSS_MATRIX OBX^5^5']);
  });

  it('accepts under 2.1.3 CONNEXION_SECRETE=Y with professional and patient sends', () => {
    assertAccepts(run(setFlag(oru, 'CONNEXION_SECRETE', 'Y'), { mssMatrixProfile: '2.1.3' }));
  });

  it('answers AE 207 MSS_MATRIX at OBX^2^5 under 2.1.3 when MASQUE_PS=Y with a professional send', () => {
    assertRejectsOnly(run(setFlag(oru, 'MASQUE_PS', 'Y'), { mssMatrixProfile: '2.1.3' }), ['207 MSS_MATRIX OBX^2^5']);
  });
});
