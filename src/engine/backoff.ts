/**
 * Exponential back-off with "full jitter": the n-th wait is uniform in [0, min(max, base × factor^(n-1))],
 * which spreads the retries of many orders (or many nodes) instead of sending them in waves
 * (requirements §1.4: exponential back-off with a health probe).
 */
import { RelaisError } from '../domain/index.js';

export interface BackoffPolicy {
  /** The first wait's upper bound. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
  /** Growth per attempt, ≥ 1. */
  factor: number;
  /** `full`: uniform in [0, bound]; `none`: exactly the bound (predictable, for tests and tools). */
  jitter: 'full' | 'none';
}

export function checkBackoff(p: BackoffPolicy, key = 'backoff'): void {
  const ok = Number.isFinite(p.baseMs) && p.baseMs >= 0 && Number.isFinite(p.maxMs) && p.maxMs >= p.baseMs
    && Number.isFinite(p.factor) && p.factor >= 1 && (p.jitter === 'full' || p.jitter === 'none');
  if (!ok) {
    throw new RelaisError('RLS_CONFIG_INVALID', `${key}: expected 0 ≤ baseMs ≤ maxMs, factor ≥ 1 and jitter 'full' or 'none'`, { key });
  }
}

/** The wait before try number `attempt + 1`, after `attempt` (≥ 1) failures. */
export function backoffDelay(p: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // factor^exponent overflows to Infinity for long outages: the cap keeps it finite.
  const bound = Math.min(p.maxMs, p.baseMs * p.factor ** exponent);
  return p.jitter === 'full' ? Math.floor(random() * bound) : bound;
}
