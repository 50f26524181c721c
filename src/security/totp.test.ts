import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchTotpStep, newTotpSecret, totpCode, totpUri } from './totp.js';

// RFC 6238 Appendix B, SHA-1 seed "12345678901234567890" (base32 below); 8-digit vectors truncated to 6.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP', () => {
  it('computes the RFC 6238 test vectors', () => {
    assert.equal(totpCode(RFC_SECRET, new Date(59_000)), '287082');
    assert.equal(totpCode(RFC_SECRET, new Date(1_111_111_109_000)), '081804');
    assert.equal(totpCode(RFC_SECRET, new Date(1_234_567_890_000)), '005924');
  });

  it('accepts the previous, current and next step and says which, refuses two steps away', () => {
    const at = new Date('2026-03-01T10:00:15Z');
    const step = Math.floor(at.getTime() / 30_000);
    assert.equal(matchTotpStep(RFC_SECRET, totpCode(RFC_SECRET, at), at), step);
    assert.equal(matchTotpStep(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() - 30_000)), at), step - 1);
    assert.equal(matchTotpStep(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() + 30_000)), at), step + 1);
    assert.equal(matchTotpStep(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() - 60_000)), at), undefined);
  });

  it('refuses anything but six digits', () => {
    const at = new Date('2026-03-01T10:00:15Z');
    assert.equal(matchTotpStep(RFC_SECRET, ` ${totpCode(RFC_SECRET, at)}`, at), undefined);
    assert.equal(matchTotpStep(RFC_SECRET, '12345', at), undefined);
  });

  it('writes an otpauth:// URI with issuer, login, SHA1, 6 digits, 30 s and a 160-bit secret', () => {
    const secret = newTotpSecret();
    assert.equal(secret.length, 32);
    const u = new URL(totpUri(secret, { issuer: 'Relais', login: 'dupont.admin' }));
    assert.equal(u.protocol, 'otpauth:');
    assert.equal(u.host, 'totp');
    assert.equal(decodeURIComponent(u.pathname), '/Relais:dupont.admin');
    assert.deepEqual(Object.fromEntries(u.searchParams), { secret, issuer: 'Relais', algorithm: 'SHA1', digits: '6', period: '30' });
  });
});
