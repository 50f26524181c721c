/**
 * TOTP second factor (RFC 6238): HMAC-SHA1, 30-second steps, 6 digits, one step of tolerance either side
 * for clock drift. Checking a code gives the step it matched, so the caller can refuse a replay (the store
 * keeps the last accepted step per account).
 */
import { Secret, TOTP } from 'otpauth';

const PERIOD_SECONDS = 30;
const DIGITS = 6;

/** A fresh 160-bit secret (RFC 4226 §4 recommends 160 bits), base32-encoded. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secretBase32: string, o: { issuer: string; label: string }): TOTP {
  return new TOTP({
    issuer: o.issuer, label: o.label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS,
  });
}

/** The otpauth:// URI an authenticator app reads (usually as a QR code). */
export function totpUri(secretBase32: string, o: { issuer: string; login: string }): string {
  return totpFor(secretBase32, { issuer: o.issuer, label: o.login }).toString();
}

/** The code of the step containing `at`. */
export function totpCode(secretBase32: string, at: Date): string {
  return TOTP.generate({ secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, timestamp: at.getTime() });
}

/** The 30-second step a code matches at `at` (±1 step), or undefined. */
export function matchTotpStep(secretBase32: string, code: string, at: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = TOTP.validate({
    token: code, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS,
    timestamp: at.getTime(), window: 1,
  });
  if (delta === null) return undefined;
  return TOTP.counter({ period: PERIOD_SECONDS, timestamp: at.getTime() }) + delta;
}
