import { it } from 'node:test';
import assert from 'node:assert/strict';
import { addPasswordHistory, claimTotpStep, getAccount, insertAccount, listPasswordHistory, recordAccountFailure, updateAccount } from './accounts.js';
import { forEachDriver } from './testing.js';
import type { DriverContext } from './testing.js';

const now = new Date('2026-05-01T10:00:00Z');

async function anAccount(ctx: DriverContext, login = 'op1'): Promise<string> {
  return (await insertAccount(ctx.store.db, { login, role: 'operator', passwordHash: '$argon2id$h1', mustChangePassword: false, totpSecret: null, now })).id;
}

forEachDriver('accounts', (ctx) => {
  it('creates an account with its first password in the history', async () => {
    const id = await anAccount(ctx);
    const a = await getAccount(ctx.store.db, id);
    assert.deepEqual([a?.login, a?.role, a?.failedCount, a?.lockedAt, a?.passwordChangedAt], ['op1', 'operator', 0, null, now]);
    assert.deepEqual(await listPasswordHistory(ctx.store.db, id, 5), ['$argon2id$h1']);
  });

  it('refuses a second account with the same login and a login that is not lower case', async () => {
    await anAccount(ctx);
    await assert.rejects(anAccount(ctx), (e: unknown) => (e as { code?: string }).code === 'RLS_STORE_DUPLICATE');
    await assert.rejects(anAccount(ctx, 'Op2'), (e: unknown) => (e as { details?: { constraint?: string } }).details?.constraint === 'account_login_check');
  });

  it('counts concurrent failures without losing one and locks exactly at the threshold', async () => {
    const id = await anAccount(ctx);
    const other = await ctx.open();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      recordAccountFailure(i % 2 ? other.db : ctx.store.db, id, { lockAfter: 5, now })));
    assert.deepEqual(results.map((r) => r.failedCount).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(results.filter((r) => r.locked).map((r) => r.failedCount).sort((a, b) => a - b), [5, 6]);
    const a = await getAccount(ctx.store.db, id);
    assert.deepEqual([a?.failedCount, a?.lockedAt], [6, now]);
  });

  it('keeps the first lock time when failures go on', async () => {
    const id = await anAccount(ctx);
    await recordAccountFailure(ctx.store.db, id, { lockAfter: 1, now });
    await recordAccountFailure(ctx.store.db, id, { lockAfter: 1, now: new Date(now.getTime() + 60_000) });
    assert.deepEqual((await getAccount(ctx.store.db, id))?.lockedAt, now);
  });

  it('accepts each TOTP step once, even from two connections at the same time, and never an older one', async () => {
    const id = await anAccount(ctx);
    const other = await ctx.open();
    const [a, b] = await Promise.all([claimTotpStep(ctx.store.db, id, 1000, now), claimTotpStep(other.db, id, 1000, now)]);
    assert.equal(Number(a) + Number(b), 1, 'exactly one of two concurrent uses of one code wins');
    assert.equal(await claimTotpStep(ctx.store.db, id, 999, now), false);
    assert.equal(await claimTotpStep(ctx.store.db, id, 1001, now), true);
  });

  it('returns the history newest first, limited to the depth asked', async () => {
    const id = await anAccount(ctx);
    for (const h of ['h2', 'h3']) {
      await updateAccount(ctx.store.db, id, { passwordHash: h }, now);
      await addPasswordHistory(ctx.store.db, id, h, now);
    }
    assert.deepEqual(await listPasswordHistory(ctx.store.db, id, 2), ['h3', 'h2']);
  });
});
