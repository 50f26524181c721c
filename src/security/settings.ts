/**
 * The knobs of local accounts (SC.SSI/IAM.92: "the establishment configures the policy, the product provides
 * the knobs"), with defaults that pass the ANS verification scenario (requirements §2.2). The types live in
 * src/domain, shared with the `security` section of the configuration; this module checks the bounds again,
 * so that the layer is safe on its own (settings built by hand cannot set a lock threshold above 10).
 */
import { RelaisError, accountRoles } from '../domain/index.js';
import type { AccountRole, PasswordPolicy, HashingSettings, SessionSettings, TotpSettings, SecuritySettings } from '../domain/index.js';

export type { PasswordPolicy, HashingSettings, SessionSettings, TotpSettings, SecuritySettings } from '../domain/index.js';

/** Bounds shared with the configuration schema (src/config). */
export const LOCK_AFTER_MAX = 10;
export const PASSWORD_MAX_LENGTH = 256;
export const ARGON2_MIN_MEMORY_KIB = 19_456;
export const ARGON2_MIN_TIME_COST = 2;

export const defaultSecuritySettings: SecuritySettings = Object.freeze({
  password: Object.freeze({
    minLength: 15, requireLower: true, requireUpper: true, requireDigit: true, requireSpecial: true,
    maxAgeDays: 365, historyDepth: 24, lockAfter: 5,
  }),
  hashing: Object.freeze({ memoryKibibytes: ARGON2_MIN_MEMORY_KIB, timeCost: ARGON2_MIN_TIME_COST, parallelism: 1 }),
  sessions: Object.freeze({ idleMinutes: 15, absoluteHours: 12 }),
  totp: Object.freeze({ requiredRoles: Object.freeze(['admin'] as AccountRole[]), issuer: 'Relais' }),
});

export interface SecuritySettingsInput {
  readonly password?: Partial<PasswordPolicy>;
  readonly hashing?: Partial<HashingSettings>;
  readonly sessions?: Partial<SessionSettings>;
  readonly totp?: Partial<TotpSettings>;
}

function intIn(key: string, v: number, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new RelaisError('RLS_CONFIG_INVALID', `security.${key} must be an integer between ${min} and ${max}`, { key: `security.${key}`, min, max });
  }
  return v;
}

/** Fills the defaults and checks every bound; throws RLS_CONFIG_INVALID (e.g. lockAfter above 10). */
export function resolveSecuritySettings(input: SecuritySettingsInput = {}): SecuritySettings {
  const p = { ...defaultSecuritySettings.password, ...input.password };
  const h = { ...defaultSecuritySettings.hashing, ...input.hashing };
  const s = { ...defaultSecuritySettings.sessions, ...input.sessions };
  const t = { ...defaultSecuritySettings.totp, ...input.totp };
  intIn('password.minLength', p.minLength, 8, 128);
  intIn('password.maxAgeDays', p.maxAgeDays, 0, 3650);
  intIn('password.historyDepth', p.historyDepth, 1, 100);
  intIn('password.lockAfter', p.lockAfter, 1, LOCK_AFTER_MAX);
  intIn('hashing.memoryKibibytes', h.memoryKibibytes, ARGON2_MIN_MEMORY_KIB, 4 * 1024 * 1024);
  intIn('hashing.timeCost', h.timeCost, ARGON2_MIN_TIME_COST, 20);
  intIn('hashing.parallelism', h.parallelism, 1, 16);
  intIn('sessions.idleMinutes', s.idleMinutes, 1, 1440);
  intIn('sessions.absoluteHours', s.absoluteHours, 1, 168);
  const badRole = t.requiredRoles.find((r) => !(accountRoles as readonly string[]).includes(r));
  if (badRole !== undefined) {
    throw new RelaisError('RLS_CONFIG_INVALID', `security.totp.requiredRoles: unknown role ${badRole}`, { key: 'security.totp.requiredRoles' });
  }
  if (t.issuer.length === 0 || t.issuer.length > 64 || t.issuer.includes(':')) {
    throw new RelaisError('RLS_CONFIG_INVALID', 'security.totp.issuer must be 1 to 64 characters without ":"', { key: 'security.totp.issuer' });
  }
  return Object.freeze({
    password: Object.freeze({ ...p }),
    hashing: Object.freeze({ ...h }),
    sessions: Object.freeze({ ...s }),
    totp: Object.freeze({ ...t, requiredRoles: Object.freeze([...t.requiredRoles]) }),
  });
}
