import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEr7 } from './er7-parse.js';
import { trimHl7 } from './hl7-message.js';

const text = [
  'MSH|^~\\&|SIL^1.2.3^ISO|LABO|PFI|ORG|20240101||ORU^R01^ORU_R01|MSG-1|P|2.5|||||FRA|UNICODE UTF-8|||2.1^ CISIS_CDA_HL7_V2',
  'PID|||111^^^A&1.2&ISO^PI~222^^^B&3.4&ISO^INS||DOE^JOHN||',
  'OBX|1|CWE|ACK_RECEPTION^Accusé de réception^MetaDMPMSS||N^^ expandedYes-NoIndicator||||||F|',
  'OBX|2|ST|X||a\\F\\b \\X20\\|',
  'NTE|1',
].join('\r');

describe('Hl7Segment accessors', () => {
  const m = parseEr7(text);
  const msh = m.segment('MSH');
  const pid = m.segment('PID');
  assert.ok(msh && pid);

  it('numbers MSH fields as the standard does (MSH-1 separator, MSH-2 encoding characters)', () => {
    assert.equal(msh.get(1), '|');
    assert.equal(msh.get(2), '^~\\&');
    assert.equal(msh.get(3), 'SIL');
    assert.equal(msh.get(3, 2), '1.2.3');
    assert.equal(msh.get(10), 'MSG-1');
    assert.equal(msh.raw(2), '^~\\&');
    assert.equal(msh.repetitions(2)[0]?.get(), '^~\\&');
  });

  it('defaults component, subcomponent and repetition to 1', () => {
    assert.equal(pid.get(3), '111');
    assert.equal(pid.get(3, 4), 'A');
    assert.equal(pid.get(3, 4, 2), '1.2');
    assert.equal(pid.get(3, 4, 2, 2), '3.4');
    assert.equal(pid.get(3, 5, 1, 2), 'INS');
  });

  it("returns '' for absent fields, components, subcomponents and repetitions", () => {
    assert.equal(pid.get(99), '');
    assert.equal(pid.get(3, 9), '');
    assert.equal(pid.get(3, 1, 3), '');
    assert.equal(pid.get(3, 1, 1, 3), '');
    assert.equal(pid.get(0), '');
    assert.deepEqual(pid.repetitions(7), []);
  });

  it('lists repetitions as fields with their own component access', () => {
    const reps = pid.repetitions(3);
    assert.equal(reps.length, 2);
    assert.equal(reps[1]?.get(1), '222');
    assert.equal(reps[1]?.get(4, 2), '3.4');
    assert.equal(reps[1]?.componentCount, 5);
    assert.equal(reps[1]?.subcomponentCount(4), 3);
  });

  it('trims leading spaces after unescaping (C15 ^^ expandedYes-NoIndicator, MSH-21 "2.1^ CISIS…")', () => {
    assert.equal(m.segment('OBX')?.get(5, 3), 'expandedYes-NoIndicator');
    assert.equal(msh.get(21, 2), 'CISIS_CDA_HL7_V2');
    assert.equal(m.segment('OBX')?.get(3, 2), 'Accusé de réception');
  });

  it('unescapes values and keeps the raw text available', () => {
    const obx2 = m.segment('OBX', 2);
    assert.equal(obx2?.get(5), 'a|b');
    assert.equal(obx2?.raw(5), 'a\\F\\b \\X20\\');
  });

  it('counts fields up to the last non-empty one', () => {
    assert.equal(pid.fieldCount, 5);
    assert.equal(m.segment('OBX')?.fieldCount, 11);
    assert.equal(msh.fieldCount, 21);
    assert.equal(m.segment('NTE')?.fieldCount, 1);
  });

  it('finds segments by name and occurrence', () => {
    assert.equal(m.all('OBX').length, 2);
    assert.equal(m.segment('OBX', 2)?.get(1), '2');
    assert.equal(m.segment('OBX', 3), undefined);
    assert.equal(m.segment('ZZZ'), undefined);
    assert.equal(m.segment('NTE')?.toString(), 'NTE|1');
  });
});

describe('trimHl7', () => {
  it('trims spaces and NBSP at both ends only', () => {
    assert.equal(trimHl7('\u00a0 a b\u00a0 '), 'a b');
    assert.equal(trimHl7('abc'), 'abc');
    assert.equal(trimHl7(' \u00a0'), '');
  });
});
