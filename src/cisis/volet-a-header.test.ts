import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, examples, removeSegment, setComponent, setField } from './testing/mutate.js';
import { assertAccepts, assertRejectsOnly, errorKeys, run } from './test-run.js';

const mdm = example(examples.mdmInit);
const oru = example(examples.oruInit);

describe('volet A header (MSH-9/11/12/21)', () => {
  it('answers AE 200 at MSH^1^9 when MSH-9 is ADT^A01', () => {
    assertRejectsOnly(run(setField(mdm, 'MSH', 1, 9, 'ADT^A01^ADT_A01')), ['200 MSH^1^9']);
  });

  it('answers AE 201 at MSH^1^9 when an ORU carries event R03', () => {
    assertRejectsOnly(run(setField(oru, 'MSH', 1, 9, 'ORU^R03^ORU_R01')), ['201 MSH^1^9']);
  });

  it('answers AE 201 at MSH^1^9 when an MDM carries event T01', () => {
    assertRejectsOnly(run(setField(mdm, 'MSH', 1, 9, 'MDM^T01^MDM_T01')), ['201 MSH^1^9', '200 MSH^1^9']);
  });

  it('answers AE 200 at MSH^1^9 when MSH-9.3 is not the volet structure', () => {
    assertRejectsOnly(run(setField(oru, 'MSH', 1, 9, 'ORU^R01^ORU_R30')), ['200 MSH^1^9']);
  });

  it('answers AE 101 at MSH^1^9 when MSH-9 is empty', () => {
    assertRejectsOnly(run(setField(oru, 'MSH', 1, 9, '')), ['101 MSH^1^9']);
  });

  it('accepts an empty MSH-9.3 with a warning', () => {
    const r = run(setField(oru, 'MSH', 1, 9, 'ORU^R01'));
    assert.ok(assertAccepts(r).warnings.some((w) => w.code === 'MSH9_STRUCTURE_MISSING'));
  });

  it('answers AE 203 at MSH^1^12 when an MDM says version 2.5', () => {
    assertRejectsOnly(run(setField(mdm, 'MSH', 1, 12, '2.5')), ['203 MSH^1^12']);
  });

  it('answers AE 203 at MSH^1^12 when an ORU says version 2.6', () => {
    assertRejectsOnly(run(setField(oru, 'MSH', 1, 12, '2.6')), ['203 MSH^1^12']);
  });

  it('answers AE 203 at MSH^1^21 when MSH-21 names volet A 2.0', () => {
    assertRejectsOnly(run(setField(mdm, 'MSH', 1, 21, '2.0^CISIS_CDA_HL7_V2')), ['203 MSH^1^21']);
  });

  it('answers AE 203 at MSH^1^21 naming volet B when MSH-21 is the volet B profile', () => {
    const r = run(setField(mdm, 'MSH', 1, 21, '1.1^CISIS_CDA_HL7_LPS'));
    assertRejectsOnly(r, ['203 MSH^1^21']);
    assert.match(r.ok ? '' : (r.errors[0]?.text ?? ''), /volet B/);
  });

  it('answers AE 101 at MSH^1^21 when MSH-21 is empty', () => {
    assertRejectsOnly(run(setField(mdm, 'MSH', 1, 21, '')), ['101 MSH^1^21']);
  });

  it('accepts MSH-21 written with a stray space (2.1^ CISIS_CDA_HL7_V2)', () => {
    assertAccepts(run(setField(mdm, 'MSH', 1, 21, '2.1^ CISIS_CDA_HL7_V2')));
  });

  it('accepts MSH-21 naming the patch level 2.1.2', () => {
    assertAccepts(run(setComponent(mdm, 'MSH', 1, 21, 1, '2.1.2')));
  });

  it('accepts MSH-21 when one of its repetitions is the volet A profile', () => {
    assertAccepts(run(setField(mdm, 'MSH', 1, 21, 'X^OTHER~2.1^CISIS_CDA_HL7_V2')));
  });

  it('answers AE 202 at MSH^1^11 when MSH-11 is X', () => {
    assertRejectsOnly(run(setField(mdm, 'MSH', 1, 11, 'X')), ['202 MSH^1^11']);
  });

  it('accepts MSH-11 T and D', () => {
    assertAccepts(run(setField(mdm, 'MSH', 1, 11, 'T')));
    assertAccepts(run(setField(mdm, 'MSH', 1, 11, 'D')));
  });

  it('answers AE 101 at MSH^1^10 when MSH-10 is empty', () => {
    assertRejectsOnly(run(setField(mdm, 'MSH', 1, 10, '')), ['101 MSH^1^10']);
  });

  it('answers AE 101 at MSH^1^5 when the receiving application is empty', () => {
    assertRejectsOnly(run(setField(mdm, 'MSH', 1, 5, '')), ['101 MSH^1^5']);
  });

  it('answers only the header errors when the header is wrong', () => {
    const broken = removeSegment(setField(oru, 'MSH', 1, 21, '2.0^CISIS_CDA_HL7_V2'), 'PID');
    assert.deepEqual(errorKeys(run(broken)), ['203 MSH^1^21']);
  });
});
