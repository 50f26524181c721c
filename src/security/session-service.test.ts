import { it } from 'node:test';
import assert from 'node:assert/strict';
import { findSession } from '../store/index.js';
import { forEachDriver } from '../store/testing.js';
import { createHash } from 'node:crypto';
import type { Security } from './security.js';
import { HOUR_MS, MINUTE, fixedClock, securityOn } from './test-support.js';

const PASSWORD = 'Correct#Horse-Battery-9';

async function loggedIn(security: Security, login = 'op1') {
  await security.accounts.create({ login, role: 'operator', password: PASSWORD }, { actor: 'system' });
  const r = await security.accounts.login({ login, password: PASSWORD, sourceIp: '10.1.2.3' });
  if (!r.ok) throw new Error(`login refused: ${r.reason}`);
  return r.session;
}

forEachDriver('security sessions', (ctx) => {
  it('ends a session after 15 idle minutes (IE.39), each activity restarting the count', async () => {
    const clock = fixedClock();
    const security = securityOn(ctx, clock);
    const { token } = await loggedIn(security);
    clock.advance(14 * MINUTE);
    const live = await security.sessions.check(token);
    assert.equal(live.ok, true);
    assert.deepEqual(live.ok && live.session.idleExpiresAt, new Date(clock.now().getTime() + 15 * MINUTE));
    clock.advance(14 * MINUTE);
    assert.equal((await security.sessions.check(token)).ok, true, '28 minutes in, but active 14 minutes ago');
    clock.advance(15 * MINUTE);
    assert.deepEqual(await security.sessions.check(token), { ok: false, reason: 'expired' });
    assert.deepEqual(await security.sessions.check(token), { ok: false, reason: 'expired' }, 'and stays expired');
    const [entry] = await security.queryAudit({ limit: 1 });
    assert.deepEqual([entry?.operation, entry?.actor, entry?.target, entry?.detail], ['session_expired', 'system', 'op1', 'inactivity']);
    assert.equal((await security.queryAudit({ operation: 'session_expired' })).length, 1, 'audited once');
  });

  it('takes the idle timeout from the settings', async () => {
    const clock = fixedClock();
    const security = securityOn(ctx, clock, { sessions: { idleMinutes: 2 } });
    const { token } = await loggedIn(security);
    clock.advance(2 * MINUTE);
    assert.deepEqual(await security.sessions.check(token), { ok: false, reason: 'expired' });
  });

  it('ends an active session at its absolute lifetime', async () => {
    const clock = fixedClock();
    const security = securityOn(ctx, clock, { sessions: { absoluteHours: 1 } });
    const { token, expiresAt } = await loggedIn(security);
    assert.deepEqual(expiresAt, new Date(clock.now().getTime() + HOUR_MS));
    for (let i = 0; i < 5; i++) {
      clock.advance(10 * MINUTE);
      assert.equal((await security.sessions.check(token)).ok, true);
    }
    clock.advance(10 * MINUTE);
    assert.deepEqual(await security.sessions.check(token), { ok: false, reason: 'expired' });
    const [entry] = await security.queryAudit({ limit: 1 });
    assert.equal(entry?.detail, 'lifetime');
  });

  it('logs out (IE.38): the cookie stops working and the logout is audited', async () => {
    const clock = fixedClock();
    const security = securityOn(ctx, clock);
    const { token } = await loggedIn(security);
    assert.equal(await security.sessions.logout(token, { sourceIp: '10.1.2.3' }), true);
    assert.deepEqual(await security.sessions.check(token), { ok: false, reason: 'revoked' });
    assert.equal(await security.sessions.logout(token), false);
    const [entry] = await security.queryAudit({ limit: 1 });
    assert.deepEqual([entry?.operation, entry?.actor, entry?.sourceIp], ['session_logout', 'op1', '10.1.2.3']);
  });

  it('keeps only the SHA-256 of the session id in the store', async () => {
    const security = securityOn(ctx, fixedClock());
    const { token, csrfToken } = await loggedIn(security);
    const row = await findSession(ctx.store.db, createHash('sha256').update(token).digest());
    assert.ok(row);
    assert.equal(row.csrfToken, csrfToken);
    assert.equal(row.sourceIp, '10.1.2.3');
    assert.equal(await findSession(ctx.store.db, Buffer.from(token)), undefined);
  });

  it('rotates the id on a privilege change: the old id is dead, the new one lives, with a new CSRF token', async () => {
    const security = securityOn(ctx, fixedClock());
    const old = await loggedIn(security);
    const fresh = await security.sessions.rotate(old.token, { secondFactor: true });
    assert.ok(fresh);
    assert.notEqual(fresh.token, old.token);
    assert.notEqual(fresh.csrfToken, old.csrfToken);
    assert.equal((await security.sessions.check(old.token)).ok, false);
    const now = await security.sessions.check(fresh.token);
    assert.equal(now.ok && now.session.secondFactor, true);
    assert.equal(await security.sessions.rotate(old.token), undefined, 'a dead id cannot be rotated into a live one');
  });

  it('checks the CSRF token in constant time and refuses a missing or different one', async () => {
    const security = securityOn(ctx, fixedClock());
    const { token, csrfToken } = await loggedIn(security);
    const checked = await security.sessions.check(token);
    assert.ok(checked.ok);
    assert.equal(security.sessions.verifyCsrf(checked.session, csrfToken), true);
    assert.equal(security.sessions.verifyCsrf(checked.session, undefined), false);
    const lastChanged = `${csrfToken.slice(0, -1)}${csrfToken.endsWith('A') ? 'B' : 'A'}`;
    assert.equal(security.sessions.verifyCsrf(checked.session, lastChanged), false);
    assert.equal(security.sessions.verifyCsrf(checked.session, ''), false);
  });

  it('refuses forged and malformed session ids without touching the store', async () => {
    const security = securityOn(ctx, fixedClock());
    await loggedIn(security);
    for (const t of ['', 'x', "' or 1=1 --", 'A'.repeat(43), 'A'.repeat(5000)]) {
      assert.deepEqual(await security.sessions.check(t), { ok: false, reason: 'unknown' });
    }
  });

  it('ends every session of an account when its password changes, and the role it reports is the current one', async () => {
    const clock = fixedClock();
    const security = securityOn(ctx, clock);
    const a = await loggedIn(security);
    const b = await security.accounts.login({ login: 'op1', password: PASSWORD });
    assert.ok(b.ok);
    assert.equal((await security.accounts.changePassword({ login: 'op1', currentPassword: PASSWORD, newPassword: 'Brand#New-Password-2027' })).ok, true);
    assert.equal((await security.sessions.check(a.token)).ok, false);
    assert.equal((await security.sessions.check(b.session.token)).ok, false);
  });
});
