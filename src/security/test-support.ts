/** Test support for src/security: a security core on a test store with a clock the test moves. */
import { createSecurity } from './security.js';
import type { Security } from './security.js';
import type { SecuritySettingsInput } from './settings.js';
import type { DriverContext } from '../store/testing.js';

export interface Clock {
  now(): Date;
  advance(ms: number): void;
  set(at: Date): void;
}

export function fixedClock(start = new Date('2026-01-05T08:00:00.000Z')): Clock {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => { t += ms; }, set: (at) => { t = at.getTime(); } };
}

export function securityOn(ctx: DriverContext, clock: Clock, settings: SecuritySettingsInput = {}): Security {
  return createSecurity({ db: ctx.store.db, settings, now: clock.now });
}

/** The base32 secret inside an otpauth:// URI. */
export function secretOf(uri: string): string {
  const s = new URL(uri).searchParams.get('secret');
  if (!s) throw new Error(`no secret in ${uri}`);
  return s;
}

export const MINUTE = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY = 86_400_000;
