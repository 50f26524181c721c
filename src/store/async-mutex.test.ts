import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncMutex } from './async-mutex.js';

describe('AsyncMutex', () => {
  it('hands the lock to waiters in arrival order', async () => {
    const m = new AsyncMutex();
    const order: number[] = [];
    const first = await m.acquire();
    const waiters = [1, 2, 3].map(async (n) => {
      const release = await m.acquire();
      order.push(n);
      release();
    });
    assert.equal(m.waiting, 3);
    first();
    await Promise.all(waiters);
    assert.deepEqual(order, [1, 2, 3]);
    assert.equal(m.locked, false);
  });

  it('keeps a second acquirer waiting until the owner releases', async () => {
    const m = new AsyncMutex();
    const release = await m.acquire();
    let second = false;
    const p = m.acquire().then((r) => { second = true; r(); });
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(second, false);
    release();
    await p;
    assert.equal(second, true);
  });

  it('ignores a release called twice', async () => {
    const m = new AsyncMutex();
    const release = await m.acquire();
    release();
    const again = await m.acquire();
    release(); // stale handle: must not free the new owner's lock
    assert.equal(m.locked, true);
    again();
    assert.equal(m.locked, false);
  });
});
