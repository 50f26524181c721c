import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError } from '../domain/index.js';
import { backoffDelay, checkBackoff } from './backoff.js';
import { PeerHealth } from './peer-health.js';

describe('backoff', () => {
  const p = { baseMs: 100, maxMs: 1_000, factor: 2, jitter: 'none' } as const;

  it('grows by the factor from the base and stops at the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n)), [100, 200, 400, 800, 1_000, 1_000]);
  });

  it('stays finite after a very long outage', () => {
    assert.equal(backoffDelay(p, 10_000), 1_000);
  });

  it('draws a full-jitter delay uniformly below the bound', () => {
    const full = { ...p, jitter: 'full' } as const;
    assert.equal(backoffDelay(full, 3, () => 0), 0);
    assert.equal(backoffDelay(full, 3, () => 0.5), 200);
    assert.equal(backoffDelay(full, 9, () => 0.999), 999);
  });

  it('refuses a policy whose cap is below its base or whose factor shrinks', () => {
    const invalid = (e: unknown) => isRelaisError(e) && e.code === 'RLS_CONFIG_INVALID' && e.details.key === 'retry';
    assert.throws(() => checkBackoff({ ...p, maxMs: 50 }, 'retry'), invalid);
    assert.throws(() => checkBackoff({ ...p, factor: 0.5 }, 'retry'), invalid);
    assert.doesNotThrow(() => checkBackoff(p));
  });
});

describe('peer health', () => {
  it('goes down once, counts failed probes, and comes back up with a fresh status', () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    const h = new PeerHealth(t0);
    assert.equal(h.healthy, true);
    assert.equal(h.markDown('RLS_PKI_EXPIRED', new Date('2030-01-01T00:01:00Z')), true);
    assert.equal(h.markDown('RLS_MLLP_CONNECTION', new Date('2030-01-01T00:02:00Z')), false);
    h.probeFailed('probe_failed');
    h.probeFailed('probe_failed');
    assert.deepEqual(h.status(), { healthy: false, since: new Date('2030-01-01T00:01:00Z'), lastError: 'probe_failed', failedProbes: 2 });
    assert.equal(h.markUp(new Date('2030-01-01T00:03:00Z')), true);
    assert.equal(h.markUp(new Date('2030-01-01T00:04:00Z')), false);
    assert.deepEqual(h.status(), { healthy: true, since: new Date('2030-01-01T00:03:00Z') });
    assert.equal(h.failedProbes, 0);
  });

  it('is not contacted until a first exchange ends, and is up since that exchange', () => {
    const h = new PeerHealth(new Date('2030-01-01T00:00:00Z'));
    assert.equal(h.contacted, false);
    assert.equal(h.markUp(new Date('2030-01-01T00:05:00Z')), false, 'a first success is no recovery');
    assert.equal(h.contacted, true);
    assert.deepEqual(h.status(), { healthy: true, since: new Date('2030-01-01T00:05:00Z') });
    assert.equal(h.markFailure('RLS_MLLP_CONNECTION', new Date('2030-01-01T00:06:00Z')), true, 'the first failure takes it down');
    assert.equal(h.markFailure('RLS_MLLP_ACK_TIMEOUT', new Date('2030-01-01T00:07:00Z')), false);
    assert.deepEqual(h.status(), { healthy: false, since: new Date('2030-01-01T00:06:00Z'), lastError: 'RLS_MLLP_ACK_TIMEOUT', failedProbes: 1 });
    const failedFirst = new PeerHealth(new Date('2030-01-01T00:00:00Z'));
    failedFirst.markFailure('RLS_MSS_AUTH', new Date('2030-01-01T00:01:00Z'));
    assert.equal(failedFirst.contacted, true);
    assert.equal(failedFirst.healthy, false);
  });
});
