import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, examples, getSegment, insertAfter, metaOccurrence, removeSegment, setComponent } from './testing/mutate.js';
import { assertAccepts, assertRejects, assertRejectsOnly, run, warningCodes } from './test-run.js';

const mdm = example(examples.mdmInit);
const oru = example(examples.oruInit);

describe('volet A segment structure', () => {
  it('answers AE 100 at PID^1 when PID is missing', () => {
    assertRejects(run(removeSegment(mdm, 'PID')), '100 PID^1');
  });

  it('answers AE 100 at TXA^1 when an MDM has no TXA', () => {
    assertRejectsOnly(run(removeSegment(mdm, 'TXA')), ['100 TXA^1']);
  });

  it('answers AE 100 at EVN^1 when an MDM has no EVN', () => {
    assertRejectsOnly(run(removeSegment(mdm, 'EVN')), ['100 EVN^1']);
  });

  it('answers AE 100 at ORC^1 when an ORU has no ORC', () => {
    assertRejects(run(removeSegment(oru, 'ORC')), '100 ORC^1');
  });

  it('answers AE 100 at PV1^1 when an MDM has no PV1', () => {
    assertRejectsOnly(run(removeSegment(mdm, 'PV1')), ['100 PV1^1']);
  });

  it('accepts an ORU without PV1 with a warning', () => {
    const r = run(removeSegment(oru, 'PV1'));
    assertAccepts(r);
    assert.ok(warningCodes(r).includes('PV1_MISSING'));
  });

  it('answers AE 100 at PV1^1 when PV1 comes before PID', () => {
    const pv1 = getSegment(oru, 'PV1');
    const moved = insertAfter(removeSegment(oru, 'PV1'), 'MSH', 1, pv1);
    assertRejectsOnly(run(moved), ['100 PV1^1']);
  });

  it('answers AE 198 at ORC^2 when an ORU carries a second ORDER_OBSERVATION', () => {
    const twice = insertAfter(oru, 'OBR', 1, `${getSegment(oru, 'ORC')}\r${getSegment(oru, 'OBR')}`);
    assertRejectsOnly(run(twice), ['198 ORC^2', '198 OBR^2']);
  });

  it('answers AE 198 at OBX^2 when an MDM carries two document OBX', () => {
    const second = setComponent(getSegment(mdm, 'OBX', 1), 'OBX', 1, 1, 1, '2');
    assertRejectsOnly(run(insertAfter(mdm, 'PRT', 2, second)), ['198 OBX^2']);
  });

  it('answers AE 198 at OBX^3 when an ORU carries three document OBX', () => {
    const doc = getSegment(oru, 'OBX', 1);
    assertRejects(run(insertAfter(oru, 'PRT', 4, `${doc}\r${doc}`)), '198 OBX^3');
  });

  it('answers AE 100 at OBX^1 when no PRT follows the document OBX', () => {
    const bare = removeSegment(removeSegment(mdm, 'PRT', 2), 'PRT', 1);
    assertRejects(run(bare), '100 OBX^1');
  });

  it('answers AE 100 at PRT^1 when a PRT comes before the document OBX', () => {
    const prt = getSegment(mdm, 'PRT', 1);
    assertRejects(run(insertAfter(removeSegment(mdm, 'PRT', 1), 'TXA', 1, prt)), '100 PRT^1');
  });

  it('answers AE 100 at PRT^3 when a PRT follows a metadata OBX', () => {
    const prt = getSegment(mdm, 'PRT', 2);
    assertRejectsOnly(run(insertAfter(mdm, 'OBX', 2, prt)), ['100 PRT^3']);
  });

  it('answers AE 100 at OBX^13 when a document OBX follows the metadata OBX', () => {
    const doc = setComponent(getSegment(mdm, 'OBX', 1), 'OBX', 1, 1, 1, '13');
    assertRejectsOnly(run(insertAfter(mdm, 'OBX', 12, doc)), ['100 OBX^13']);
  });

  it('answers AE 100 at OBX^1 when the message has no document OBX', () => {
    const noDoc = removeSegment(removeSegment(removeSegment(mdm, 'PRT', 2), 'PRT', 1), 'OBX', 1);
    assertRejects(run(noDoc), '100 OBX^1');
  });

  it('answers AE 100 at PID^2 when a segment is not expected among the OBX', () => {
    assertRejects(run(insertAfter(mdm, 'OBX', 3, getSegment(mdm, 'PID'))), '100 PID^2');
  });

  it('ignores a Z-segment with a warning', () => {
    const r = run(insertAfter(mdm, 'PV1', 1, 'ZFD|1|||||INSI'));
    assertAccepts(r);
    assert.ok(warningCodes(r).includes('SEGMENT_IGNORED'));
  });

  it('reads the second document of a two-document ORU as OBSERVATION #2', () => {
    // Both placeholders are refused for what they are, nothing else: the structure itself is fine.
    const r = run(example(examples.oruTwoDocsPlaceholder));
    assertRejectsOnly(r, ['102 OBX^1^5', '102 OBX^2^5']);
    assert.equal(metaOccurrence(example(examples.oruTwoDocsPlaceholder), 'MASQUE_PS'), 3);
  });
});
