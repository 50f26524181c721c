import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64, decodedLength } from './base64.js';

const decoded = (s: string): string => {
  const r = decodeBase64(s);
  assert.ok(r.ok, `expected ${s} to decode`);
  return r.bytes.toString('utf8');
};

describe('lenient base64 (volet A §8 item 3)', () => {
  it('decodes padded base64', () => {
    assert.equal(decoded('Q2hlcg=='), 'Cher');
  });

  it('decodes base64 whose = padding is missing', () => {
    assert.equal(decoded('Q2hlcg'), 'Cher');
    assert.equal(decoded('Q2hlcmU'), 'Chere');
  });

  it('ignores whitespace and line breaks', () => {
    assert.equal(decoded(' Q2hl\r\ncmU= '), 'Chere');
  });

  it('refuses characters outside the standard alphabet', () => {
    assert.equal(decodeBase64('Q2h*cg==').ok, false);
    assert.equal(decodeBase64('Q2h-cg').ok, false);
  });

  it('refuses a length that cannot encode whole bytes', () => {
    assert.equal(decodeBase64('Q2hlc').ok, false);
  });

  it('refuses padding in the middle or a padded text of the wrong length', () => {
    assert.equal(decodeBase64('Q2==cg==').ok, false);
    assert.equal(decodeBase64('Q2hlcg=').ok, false);
  });

  it('accepts the empty text', () => {
    assert.equal(decoded(''), '');
  });

  it('estimates the decoded size without decoding', () => {
    assert.equal(decodedLength('Q2hlcmU='), 6);
  });
});
