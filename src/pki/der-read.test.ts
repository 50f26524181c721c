import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { child, DerError, integer, octets, oid, readDer } from './der-read.js';

describe('readDer', () => {
  it('reads a definite-length SEQUENCE of an OID and an INTEGER', () => {
    // SEQUENCE { OID 1.2.840.113549.1.7.1, INTEGER 2048 }
    const node = readDer(Buffer.from('300f06092a864886f70d010701' + '02020800', 'hex'));
    assert.equal(oid(child(node, 0, 0x06)), '1.2.840.113549.1.7.1');
    assert.equal(integer(child(node, 1)), 2048);
  });

  it('joins the segments of a BER constructed OCTET STRING with indefinite length', () => {
    const ber = Buffer.from('24800402616204016300 00'.replace(/ /g, ''), 'hex');
    assert.equal(octets(readDer(ber)).toString(), 'abc');
  });

  it('refuses a length that runs past the end', () => {
    assert.throws(() => readDer(Buffer.from('3005020101', 'hex')), DerError);
  });

  it('refuses trailing bytes', () => {
    assert.throws(() => readDer(Buffer.from('02010100', 'hex')), /trailing/);
  });
});
