import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { isStrongKey, keyStrength } from './key-strength.js';

describe('keyStrength and isStrongKey', () => {
  it('accepts RSA 2048 and refuses RSA 1024', () => {
    const strong = keyStrength(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
    const weak = keyStrength(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
    assert.deepEqual(strong, { type: 'rsa', bits: 2048 });
    assert.equal(isStrongKey(strong), true);
    assert.equal(isStrongKey(weak), false);
  });

  it('accepts P-256 and refuses P-224', () => {
    const p256 = keyStrength(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey);
    const p224 = keyStrength(generateKeyPairSync('ec', { namedCurve: 'secp224r1' }).publicKey);
    assert.deepEqual(p256, { type: 'ec', bits: 256, curve: 'prime256v1' });
    assert.equal(isStrongKey(p256), true);
    assert.equal(isStrongKey(p224), false);
  });

  it('refuses DSA keys whatever their size', () => {
    const dsa = keyStrength(generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).publicKey);
    assert.equal(isStrongKey(dsa), false);
  });
});
