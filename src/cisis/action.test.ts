import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, examples, setField } from './testing/mutate.js';
import { assertAccepts, assertRejects, assertRejectsOnly, run } from './test-run.js';

const mdm = example(examples.mdmInit);
const oru = example(examples.oruInit);

describe('action: ORC-1 ↔ OBX-11 ↔ event (volet A §2.2)', () => {
  it('reads publish, replace and delete from the MDM examples', () => {
    assert.equal(assertAccepts(run(mdm)).action, 'publish');
    assert.equal(assertAccepts(run(example(examples.mdmReplace))).action, 'replace');
    assert.equal(assertAccepts(run(example(examples.mdmDelete))).action, 'delete');
  });

  it('reads replace from an ORU with ORC-1 RO and OBX-11 C', () => {
    assert.equal(assertAccepts(run(example(examples.oruReplace))).action, 'replace');
  });

  it('answers AE 207 ACTION_MISMATCH at ORC^1^1 when an MDM^T02 carries ORC-1 RO', () => {
    assertRejectsOnly(run(setField(mdm, 'ORC', 1, 1, 'RO')), ['207 ACTION_MISMATCH ORC^1^1']);
  });

  it('answers AE 207 ACTION_MISMATCH at OBX^1^11 when an MDM^T02 carries OBX-11 C', () => {
    assertRejectsOnly(run(setField(mdm, 'OBX', 1, 11, 'C')), ['207 ACTION_MISMATCH OBX^1^11']);
  });

  it('answers AE 207 ACTION_MISMATCH at OBX^1^11 when an ORU carries ORC-1 NW and OBX-11 D', () => {
    assertRejectsOnly(run(setField(oru, 'OBX', 1, 11, 'D')), ['207 ACTION_MISMATCH OBX^1^11']);
  });

  it('answers AE 207 ACTION_MISMATCH at OBX^2^11 when the two documents of an ORU differ in status', () => {
    const two = setField(example(examples.oruTwoDocsPlaceholder), 'OBX', 2, 11, 'C');
    assertRejects(run(two), '207 ACTION_MISMATCH OBX^2^11');
  });

  it('answers AE 103 at ORC^1^1 when ORC-1 is SC', () => {
    assertRejectsOnly(run(setField(oru, 'ORC', 1, 1, 'SC')), ['103 ORC^1^1']);
  });

  it('answers AE 101 at ORC^1^1 when ORC-1 is empty', () => {
    assertRejectsOnly(run(setField(oru, 'ORC', 1, 1, '')), ['101 ORC^1^1']);
  });

  it('answers AE 103 at OBX^1^11 when the document OBX-11 is X', () => {
    assertRejectsOnly(run(setField(mdm, 'OBX', 1, 11, 'X')), ['103 OBX^1^11']);
  });

  it('answers AE 101 at OBX^1^11 when the document OBX-11 is empty', () => {
    assertRejectsOnly(run(setField(mdm, 'OBX', 1, 11, '')), ['101 OBX^1^11']);
  });
});
