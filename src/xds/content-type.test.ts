import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeCode } from './content-type.js';

describe('contentTypeCode from PV1-2', () => {
  it('maps I, O, R, N and E to the JDV_J59 TRE_R209 codes', () => {
    const got = Object.fromEntries(['I', 'O', 'R', 'N', 'E'].map((c) => [c, contentTypeCode(c).code]));
    assert.deepEqual(got, { I: '03', O: '07', R: '19', N: '97', E: '07' });
  });
  it('writes the TRE_R209 coding scheme and display', () => {
    assert.deepEqual(contentTypeCode('I'), {
      code: '03', codingScheme: '1.2.250.1.213.2.2', display: 'Hospitalisation complète (non compris hospitalisation de semaine)',
    });
  });
  it('falls back to 97 when PV1-2 is absent or unlisted', () => {
    assert.equal(contentTypeCode(undefined).code, '97');
    assert.equal(contentTypeCode('B').code, '97');
  });
});
