import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { charsetFromMsh18, charsetMsh18Name, decodeBytes, encodeEr7, lookupCharset } from './charset.js';
import { isRelaisError } from '../domain/index.js';

describe('MSH-18 names', () => {
  it('maps the volet names and the HL7 Latin/ASCII names', () => {
    assert.equal(charsetFromMsh18('UNICODE UTF-8'), 'UTF-8');
    assert.equal(charsetFromMsh18(' unicode utf-8 '), 'UTF-8');
    assert.equal(charsetFromMsh18('8859/15'), 'ISO-8859-15');
    assert.equal(charsetFromMsh18('8859/1'), 'ISO-8859-1');
    assert.equal(charsetFromMsh18('ASCII'), 'ASCII');
    assert.equal(charsetFromMsh18(''), undefined);
  });

  it('refuses an unknown MSH-18 with code 103 at MSH^1^18', () => {
    assert.throws(() => charsetFromMsh18('ISO IR87'),
      (e) => isRelaisError(e) && e.code === 'RLS_HL7_UNKNOWN_CHARSET' && e.details.hl7Code === '103' && e.details.location === 'MSH^1^18');
    assert.equal(lookupCharset('ISO IR87'), undefined);
  });

  it('writes back the table 0211 names', () => {
    assert.equal(charsetMsh18Name('UTF-8'), 'UNICODE UTF-8');
    assert.equal(charsetMsh18Name('ISO-8859-15'), '8859/15');
  });
});

describe('decodeBytes', () => {
  it('decodes the eight ISO-8859-15 positions that differ from Latin-1', () => {
    const bytes = Buffer.from([0xa4, 0xa6, 0xa8, 0xb4, 0xb8, 0xbc, 0xbd, 0xbe, 0xe9]);
    assert.equal(decodeBytes(bytes, 'ISO-8859-15'), '€ŠšŽžŒœŸé');
    assert.equal(decodeBytes(bytes, 'ISO-8859-1'), '¤¦¨´¸¼½¾é');
  });

  it('refuses Latin bytes declared as UTF-8 with code 102 at MSH^1^18', () => {
    assert.throws(() => decodeBytes(Buffer.from([0x63, 0xe9, 0x21]), 'UTF-8'),
      (e) => isRelaisError(e) && e.code === 'RLS_HL7_BAD_CHARSET' && e.details.hl7Code === '102' && e.details.location === 'MSH^1^18');
  });

  it('refuses a byte above 0x7F declared as ASCII', () => {
    assert.throws(() => decodeBytes(Buffer.from([0x41, 0x80]), 'ASCII'), (e) => isRelaisError(e) && e.code === 'RLS_HL7_BAD_CHARSET');
  });
});

describe('encodeEr7', () => {
  it('encodes € œ Š and é to their ISO-8859-15 bytes', () => {
    assert.deepEqual([...encodeEr7('€œŠé', 'ISO-8859-15')], [0xa4, 0xbd, 0xa6, 0xe9]);
  });

  it('replaces characters ISO-8859-15 lacks by ? (including the Latin-1 ¤ and ½)', () => {
    assert.equal(encodeEr7('a¤½Ωb😀', 'ISO-8859-15').toString('latin1'), 'a???b?');
  });

  it('replaces characters beyond Latin-1 by ? in 8859/1 and beyond 0x7F in ASCII', () => {
    assert.deepEqual([...encodeEr7('é€', 'ISO-8859-1')], [0xe9, 0x3f]);
    assert.equal(encodeEr7('é-x', 'ASCII').toString('latin1'), '?-x');
  });

  it('encodes UTF-8 as UTF-8 and round-trips through decodeBytes', () => {
    const text = 'Zoé — €œ 😀';
    assert.equal(decodeBytes(encodeEr7(text, 'UTF-8'), 'UTF-8'), text);
    assert.equal(decodeBytes(encodeEr7('Zoé €œŸ', 'ISO-8859-15'), 'ISO-8859-15'), 'Zoé €œŸ');
  });
});
