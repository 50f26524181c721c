import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle, SlidingWindowLimiter } from './rate-limit.js';

describe('login throttle', () => {
  it('allows max attempts per window, then refuses until the oldest leaves the window', () => {
    let now = 0;
    const l = new SlidingWindowLimiter({ max: 2, windowMs: 1000 }, () => now);
    assert.equal(l.take('k'), true);
    now = 400;
    assert.equal(l.take('k'), true);
    assert.equal(l.take('k'), false);
    assert.equal(l.retryAfterSeconds('k'), 1);
    assert.equal(l.take('other'), true);
    now = 1001;
    assert.equal(l.take('k'), true);
  });

  it('counts per address and per login (case-insensitive), whichever is exhausted first', () => {
    let now = 0;
    const t = new LoginThrottle({ perIp: { max: 3, windowMs: 60_000 }, perLogin: { max: 2, windowMs: 60_000 } }, () => now);
    assert.equal(t.take('1.1.1.1', 'Alice'), undefined);
    assert.equal(t.take('2.2.2.2', 'alice'), undefined);
    assert.ok((t.take('3.3.3.3', 'ALICE ') ?? 0) > 0);
    assert.equal(t.take('1.1.1.1', 'bob'), undefined);
    assert.equal(t.take('1.1.1.1', 'carol'), undefined);
    assert.ok((t.take('1.1.1.1', 'dave') ?? 0) > 0);
    now = 60_001;
    assert.equal(t.take('1.1.1.1', 'alice'), undefined);
  });

  it('keeps a bounded number of keys', () => {
    const l = new SlidingWindowLimiter({ max: 1, windowMs: 60_000 }, () => 0);
    for (let i = 0; i < 10_050; i++) l.take(`k${i}`);
    // The first keys were forgotten: they may try again; the recent ones may not.
    assert.equal(l.take('k0'), true);
    assert.equal(l.take('k10049'), false);
  });
});
