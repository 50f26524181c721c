import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPasswordRules, isPasswordExpired } from './password-policy.js';
import { defaultSecuritySettings } from './settings.js';

const policy = defaultSecuritySettings.password;
const codes = (p: string, login?: string) => checkPasswordRules(p, policy, login !== undefined ? { login } : {}).map((r) => r.code);

describe('password policy', () => {
  it('accepts 15 characters with the four classes', () => {
    assert.deepEqual(codes('Abcdefghijk#123'), []);
  });

  it('refuses 14 characters and reports every missing class at once', () => {
    assert.deepEqual(codes('Abcdefghijk#12'), ['too_short']);
    assert.deepEqual(codes('abcdefghijklmnop'), ['missing_upper', 'missing_digit', 'missing_special']);
    assert.deepEqual(codes('12345678901234'), ['too_short', 'missing_lower', 'missing_upper', 'missing_special']);
  });

  it('counts accented letters as letters of their case and a space as a special character', () => {
    assert.deepEqual(codes('ÉLÉPHANT ÉTÉ 2026 é'), []);
    assert.deepEqual(codes('éléphantétéxyz 2026'), ['missing_upper']);
  });

  it('counts characters, not UTF-16 units, and treats NFC and NFD spellings alike', () => {
    const nfd = 'Cafe\u0301#Cafe\u0301#12345'; // 18 code points in NFD, 16 once composed
    assert.deepEqual(codes(nfd), []);
    assert.deepEqual(codes('😀😀😀😀😀😀😀Aa1#'), ['too_short']);
  });

  it('refuses a password containing the login, whatever the case', () => {
    assert.deepEqual(codes('Dupont.Admin#2026xyz', 'dupont.admin'), ['contains_login']);
  });

  it('refuses passwords over 256 characters (hashing a megabyte per attempt would be a denial of service)', () => {
    assert.deepEqual(codes(`Aa1#${'x'.repeat(253)}`), ['too_long']);
  });

  it('applies only the classes the establishment requires', () => {
    const relaxed = { ...policy, minLength: 12, requireSpecial: false, requireUpper: false };
    assert.deepEqual(checkPasswordRules('abcdefghij12', relaxed).map((r) => r.code), []);
  });

  it('gives each refusal a French label naming the threshold', () => {
    const [r] = checkPasswordRules('Court#1a', policy);
    assert.equal(r?.label, 'Le mot de passe doit comporter au moins 15 caractères.');
  });

  it('expires a password after maxAgeDays, never when maxAgeDays is 0', () => {
    const set = new Date('2026-01-01T00:00:00Z');
    assert.equal(isPasswordExpired(set, new Date('2026-12-31T23:59:59Z'), policy), false);
    assert.equal(isPasswordExpired(set, new Date('2027-01-01T00:00:00Z'), policy), true);
    assert.equal(isPasswordExpired(set, new Date('2040-01-01T00:00:00Z'), { ...policy, maxAgeDays: 0 }), false);
  });
});
