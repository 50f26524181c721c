import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, examples, getSegment, insertAfter, metaOccurrence, removeSegment, replaceSegment, setComponent, setFlag } from './testing/mutate.js';
import { assertAccepts, assertRejects, assertRejectsOnly, run, warningCodes } from './test-run.js';

const mdm = example(examples.mdmInit);
const oru = example(examples.oruInit);

describe('MetaDMPMSS flags (volet A §2.4.9)', () => {
  it('reads the ten flags of the MDM example', () => {
    const { flags } = assertAccepts(run(mdm));
    assert.deepEqual({ ...flags }, {
      MASQUE_PS: false, INVISIBLE_PATIENT: true, INVISIBLE_REP_LEGAUX: true, CONNEXION_SECRETE: true, MODIF_CONF_CODE: false,
      DESTDMP: true, DESTMSSANTEPS: true, DESTMSSANTEPAT: false, ACK_RECEPTION: false, ACK_LECTURE_MSS: false,
    });
  });

  it('answers AE 100 at OBX^7 when DESTDMP is missing', () => {
    const r = run(removeSegment(mdm, 'OBX', metaOccurrence(mdm, 'DESTDMP')));
    assertRejectsOnly(r, ['100 OBX^7']);
  });

  it('answers AE 100 at OBX^9 (the OBX found in its place) when DESTMSSANTEPAT is missing', () => {
    const r = run(removeSegment(mdm, 'OBX', metaOccurrence(mdm, 'DESTMSSANTEPAT')));
    assertRejects(r, '100 OBX^9');
  });

  it('answers AE 100 at OBX^3^3 when INVISIBLE_PATIENT comes before MASQUE_PS', () => {
    const first = getSegment(mdm, 'OBX', 2);
    const swapped = insertAfter(removeSegment(mdm, 'OBX', 2), 'OBX', 2, first);
    assertRejectsOnly(run(swapped), ['100 OBX^3^3']);
  });

  it('answers AE 100 at OBX^4^3 when a flag appears twice', () => {
    assertRejectsOnly(run(insertAfter(mdm, 'OBX', 3, getSegment(mdm, 'OBX', 3))), ['100 OBX^4^3']);
  });

  it('answers AE 103 at OBX^3^5 when a flag value is X', () => {
    assertRejectsOnly(run(setFlag(mdm, 'INVISIBLE_PATIENT', 'X')), ['103 OBX^3^5']);
  });

  it('answers AE 101 at OBX^7^5 when a flag value is empty', () => {
    assertRejectsOnly(run(setFlag(mdm, 'DESTDMP', '')), ['101 OBX^7^5']);
  });

  it('answers AE 100 when no MetaDMPMSS OBX follows the document', () => {
    let bare = mdm;
    for (let n = 12; n >= 2; n--) bare = removeSegment(bare, 'OBX', n);
    assertRejectsOnly(run(bare), ['100 -']);
  });

  it('takes ACK_RECEPTION and ACK_LECTURE_MSS as N with a warning when they are absent', () => {
    const without = removeSegment(removeSegment(oru, 'OBX', metaOccurrence(oru, 'ACK_LECTURE_MSS')), 'OBX', metaOccurrence(oru, 'ACK_RECEPTION'));
    const r = run(without);
    const request = assertAccepts(r);
    assert.equal(request.flags.ACK_RECEPTION, false);
    assert.equal(request.flags.ACK_LECTURE_MSS, false);
    assert.deepEqual(warningCodes(r).filter((c) => c === 'ACK_FLAG_MISSING'), ['ACK_FLAG_MISSING', 'ACK_FLAG_MISSING']);
  });

  it('reads NTE-4 FIN after DESTMSSANTEPAT as "the patient may not reply"', () => {
    assert.equal(assertAccepts(run(oru)).patientMayNotReply, false);
    const fin = insertAfter(oru, 'OBX', metaOccurrence(oru, 'DESTMSSANTEPAT'), 'NTE|1|||FIN|');
    assert.equal(assertAccepts(run(fin)).patientMayNotReply, true);
  });

  it('accepts a flag whose OBX-3.3 drifts from MetaDMPMSS, with a warning', () => {
    const r = run(setComponent(mdm, 'OBX', metaOccurrence(mdm, 'MASQUE_PS'), 3, 3, 'METADMPMSS'));
    assertAccepts(r);
    assert.ok(warningCodes(r).includes('METADATA_CODE_SYSTEM'));
  });

  it('ignores an unknown metadata OBX with a warning', () => {
    const extra = 'OBX|13|CWE|COMP_LOT^Composition du lot^MetaDMPMSS||N^^expandedYes-NoIndicator||||||F|';
    const r = run(insertAfter(mdm, 'OBX', 12, extra));
    assertAccepts(r);
    assert.ok(warningCodes(r).includes('METADATA_UNKNOWN'));
  });

  it('answers AE 100 for the 1.2 flag name INVISIBLE_REPRESENTANTS_LEGAUX', () => {
    const old = replaceSegment(mdm, 'OBX', 4, 'OBX|4|CWE|INVISIBLE_REPRESENTANTS_LEGAUX^Non visible^MetaDMPMSS||N^^expandedYes-NoIndicator||||||F|');
    assertRejectsOnly(run(old), ['100 OBX^5']);
  });
});
