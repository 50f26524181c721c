import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkDelimiters, defaultDelimiters, encodingCharacters, readDelimiters } from './delimiters.js';
import { isRelaisError } from '../domain/index.js';

describe('readDelimiters', () => {
  it('reads the standard delimiters from MSH-1 and MSH-2', () => {
    assert.deepEqual(readDelimiters('MSH|^~\\&|APP'), { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' });
  });

  it('reads custom delimiters and a v2.7 truncation character', () => {
    assert.deepEqual(readDelimiters('MSH#*$@!%#APP'),
      { field: '#', component: '*', repetition: '$', escape: '@', subcomponent: '!', truncation: '%' });
  });

  it('refuses an MSH-2 holding U+02DC instead of a tilde (ANS volet 2.0 ORU examples)', () => {
    assert.throws(() => readDelimiters('MSH|^\u02dc\\&|APP'),
      (e) => isRelaisError(e) && e.code === 'RLS_HL7_BAD_DELIMITERS' && e.details.location === 'MSH^1^2' && e.details.hl7Code === '102');
  });

  it('refuses repeated, alphanumeric, too few or too many encoding characters', () => {
    for (const line of ['MSH|^^\\&|', 'MSH|^~A&|', 'MSH|^~\\|', 'MSH|^~\\&#%|', 'MSH|||']) {
      assert.equal(checkDelimiters(line), 'MSH^1^2', line);
    }
  });

  it('refuses a letter or a space as field separator at MSH^1^1', () => {
    assert.equal(checkDelimiters('MSHX^~\\&X'), 'MSH^1^1');
    assert.equal(checkDelimiters('MSH ^~\\& '), 'MSH^1^1');
    assert.equal(checkDelimiters('MSH'), 'MSH^1^1');
  });

  it('writes MSH-2 back from delimiters', () => {
    assert.equal(encodingCharacters(defaultDelimiters), '^~\\&');
  });
});
