import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError } from '../domain/index.js';
import { ackRefusal, parseEndpoint } from './notification-sender.js';

const ack = (msa: string): Buffer => Buffer.from(`MSH|^~\\&|DPI|CHU|RELAIS|CHU|20261126101500||ACK^Z01^ACK|A1|P|2.6\r${msa}\r`);

describe('ZAM acknowledgment check (volet A §2.7)', () => {
  it('accepts AA and CA naming the ZAM in MSA-2', () => {
    assert.equal(ackRefusal(ack('MSA|AA|Z1'), 'Z1'), undefined);
    assert.equal(ackRefusal(ack('MSA|CA|Z1'), 'Z1'), undefined);
  });

  it('refuses AE, AR and an MSA-2 naming another message', () => {
    assert.equal(ackRefusal(ack('MSA|AE|Z1'), 'Z1'), 'ack_AE');
    assert.equal(ackRefusal(ack('MSA|AR|Z1'), 'Z1'), 'ack_AR');
    assert.equal(ackRefusal(ack('MSA|AA|Z2'), 'Z1'), 'ack_msa2_mismatch');
  });

  it('refuses an answer without MSA or that is not HL7', () => {
    assert.equal(ackRefusal(Buffer.from('MSH|^~\\&|DPI\r'), 'Z1'), 'ack_without_msa');
    assert.equal(ackRefusal(Buffer.from('hello'), 'Z1'), 'ack_unparsable');
  });
});

describe('dpi.endpoint', () => {
  it('reads host:port and [ipv6]:port, and nothing from an empty value', () => {
    assert.deepEqual(parseEndpoint('dpi.example:6661'), { host: 'dpi.example', port: 6661 });
    assert.deepEqual(parseEndpoint('[::1]:2575'), { host: '::1', port: 2575 });
    assert.equal(parseEndpoint(''), undefined);
  });

  it('refuses a value without a valid port', () => {
    for (const bad of ['dpi.example', 'dpi.example:0', 'dpi.example:70000']) {
      assert.throws(() => parseEndpoint(bad), (e) => isRelaisError(e) && e.code === 'RLS_CONFIG_INVALID');
    }
  });
});
