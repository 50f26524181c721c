import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteSegmentSource, TextSegmentSource } from './segment-source.js';

describe('segment sources', () => {
  it('split bytes on the field separator and decode each field in the charset', () => {
    const src = new ByteSegmentSource(Buffer.from('OBX|1|Médicale||QUJD', 'utf8'), '|', 'UTF-8');
    assert.equal(src.count, 5);
    assert.equal(src.part(2), 'Médicale');
    assert.equal(src.part(3), '');
    assert.equal(src.part(4), 'QUJD');
    assert.equal(src.part(5), undefined);
    assert.equal(src.line(), 'OBX|1|Médicale||QUJD');
  });

  it('decode ISO-8859-15 fields, € included', () => {
    const src = new ByteSegmentSource(Buffer.from([0x4e, 0x54, 0x45, 0x7c, 0xa4, 0xe9]), '|', 'ISO-8859-15');
    assert.equal(src.part(1), '€é');
  });

  it('split text the same way', () => {
    const src = new TextSegmentSource('PID|||x', '|');
    assert.equal(src.count, 4);
    assert.equal(src.part(3), 'x');
  });
});
