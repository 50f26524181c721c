import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serializeEr7 } from './er7-serialize.js';
import { parseEr7 } from './er7-parse.js';
import { readDelimiters } from './delimiters.js';

describe('serializeEr7', () => {
  it('writes MSH-1/MSH-2 from the delimiters and ends every segment with CR', () => {
    const text = serializeEr7([['MSH', 'APP', 'FAC'], ['MSA', 'AA', '1']]);
    assert.equal(text, 'MSH|^~\\&|APP|FAC\rMSA|AA|1\r');
  });

  it('writes components, subcomponents and repetitions', () => {
    const text = serializeEr7([['PID', '', '', { repetitions: [['111', '', '', ['A', '1.2', 'ISO'], 'PI'], ['222']] }]]);
    assert.equal(text, 'PID|||111^^^A&1.2&ISO^PI~222\r');
  });

  it('leaves out trailing empty fields, components and subcomponents', () => {
    assert.equal(serializeEr7([['ERR', '', ['MSH', '1', '12', ''], '', '']]), 'ERR||MSH^1^12\r');
    assert.equal(serializeEr7([['X01', [['a', '', '']]]]), 'X01|a\r');
  });

  it('escapes delimiters and line breaks inside values', () => {
    const text = serializeEr7([['OBX', '1', 'ST', ['<a|b^c@d>', 'x&y'], '', 'line1\rline2']]);
    assert.equal(text, 'OBX|1|ST|<a\\F\\b\\S\\c@d>^x\\T\\y||line1\\X0D\\line2\r');
    const back = parseEr7('MSH|^~\\&|A\r' + text).segment('OBX');
    assert.equal(back?.get(3), '<a|b^c@d>');
    assert.equal(back?.get(5), 'line1\rline2');
  });

  it('writes with custom delimiters and reads back the same values', () => {
    const d = readDelimiters('MSH#*$@!#');
    const text = serializeEr7([['MSH', 'APP', 'FAC', '', '', '', '', ['ADT', 'A01']], ['NTE', '1', '', 'a#b*c']], d);
    assert.ok(text.startsWith('MSH#*$@!#APP#FAC#####ADT*A01\r'));
    assert.equal(parseEr7(text).segment('NTE')?.get(3), 'a#b*c');
  });
});
