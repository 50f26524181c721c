/**
 * The SC.SSI/IAM.92 verification scenario (requirements §2.2), end to end on the default settings, with
 * the audit entry of every step (IAM.91.03, .04): a privileged account whose password has expired is
 * forced to change it; too short, no upper case, no digit, no special character and a previous password
 * are refused; the five refusals lock the account; an administrator unlocks it; a compliant password is
 * accepted.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDriver } from '../store/testing.js';
import type { Security } from './security.js';
import { totpCode } from './totp.js';
import { DAY, MINUTE, fixedClock, secretOf, securityOn } from './test-support.js';

const INITIAL = 'Initial#Passw0rd-2025';
const COMPLIANT = 'Nouveau#MotDePasse-2027';

async function lastAudit(security: Security) {
  const [entry] = await security.queryAudit({ limit: 1 });
  assert.ok(entry, 'an audit entry was written');
  return entry;
}

forEachDriver('security password scenario', (ctx) => {
  it('runs the IAM.92 scenario: expiry, five refusals, lock, admin unlock, compliant change', async () => {
    const clock = fixedClock();
    const security = securityOn(ctx, clock);
    const { accounts } = security;

    const created = await accounts.create({ login: 'Dupont.Admin', role: 'admin', password: INITIAL }, { actor: 'system' });
    assert.equal(created.account.login, 'dupont.admin');
    assert.ok(created.totpUri, 'an administrator gets a TOTP enrolment URI');
    const secret = secretOf(created.totpUri);
    assert.deepEqual(
      { ...(await lastAudit(security)), id: undefined },
      { id: undefined, at: clock.now(), actor: 'system', operation: 'account_create', target: 'dupont.admin', result: 'success', detail: '{"role":"admin"}', sourceIp: null },
    );

    // A year and a day later, the password has expired: login works, but only to change it.
    clock.advance(366 * DAY);
    const first = await accounts.login({ login: 'dupont.admin', password: INITIAL, totp: totpCode(secret, clock.now()), sourceIp: '10.0.0.7' });
    assert.equal(first.ok, true);
    assert.equal(first.ok && first.mustChangePassword, true);
    let entry = await lastAudit(security);
    assert.equal(entry.operation, 'login');
    assert.equal(entry.result, 'success');
    assert.equal(entry.actor, 'dupont.admin');
    assert.equal(entry.sourceIp, '10.0.0.7');
    assert.match(entry.detail ?? '', /must_change_password/);
    if (!first.ok) return;
    const check = await security.sessions.check(first.session.token);
    assert.equal(check.ok && check.session.mustChangePassword, true);

    const attempts: [string, string][] = [
      ['Court#2027a', 'too_short'],
      ['sans-majuscule#2027x', 'missing_upper'],
      ['Sans-Chiffre#MotDePasse', 'missing_digit'],
      ['SansSpecial2027MotDePasse', 'missing_special'],
      [INITIAL, 'reused'],
    ];
    for (const [i, [password, code]] of attempts.entries()) {
      const r = await accounts.changePassword({ login: 'dupont.admin', currentPassword: INITIAL, newPassword: password, sourceIp: '10.0.0.7' });
      assert.equal(r.ok, false, `${code} is refused`);
      if (r.ok) return;
      assert.equal(r.refusals[0]?.code, code);
      assert.ok(r.refusals[0]?.label.length, 'the refusal has a French label');
      const last = i === attempts.length - 1;
      assert.equal(r.locked, last, last ? 'the fifth refusal locks the account' : 'not locked yet');
      if (last) {
        assert.deepEqual(r.refusals.map((x) => x.code), ['reused', 'account_locked']);
        const [lock, failure] = await security.queryAudit({ limit: 2 });
        assert.deepEqual([lock?.operation, lock?.actor, lock?.target, lock?.detail], ['account_lock', 'system', 'dupont.admin', '{"consecutiveFailures":5}']);
        assert.deepEqual([failure?.operation, failure?.result, failure?.detail], ['password_change_failed', 'failure', code]);
      } else {
        entry = await lastAudit(security);
        assert.deepEqual([entry.operation, entry.result, entry.actor, entry.detail], ['password_change_failed', 'failure', 'dupont.admin', code]);
      }
    }

    // Locked: the session ended, the right password and code no longer open one.
    assert.deepEqual(await security.sessions.check(first.session.token), { ok: false, reason: 'revoked' });
    clock.advance(MINUTE);
    const refused = await accounts.login({ login: 'dupont.admin', password: INITIAL, totp: totpCode(secret, clock.now()) });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.reason, 'invalid_credentials');
    entry = await lastAudit(security);
    assert.deepEqual([entry.operation, entry.result, entry.detail], ['login_failed', 'failure', 'locked']);
    assert.ok((await accounts.get('dupont.admin'))?.lockedAt);

    const unlocked = await accounts.unlock('dupont.admin', { actor: 'martin.rssi', sourceIp: '10.0.0.2' });
    assert.equal(unlocked.lockedAt, null);
    assert.equal(unlocked.failedCount, 0);
    entry = await lastAudit(security);
    assert.deepEqual([entry.operation, entry.result, entry.actor, entry.target, entry.sourceIp], ['account_unlock', 'success', 'martin.rssi', 'dupont.admin', '10.0.0.2']);

    clock.advance(MINUTE);
    const again = await accounts.login({ login: 'dupont.admin', password: INITIAL, totp: totpCode(secret, clock.now()) });
    assert.equal(again.ok && again.mustChangePassword, true);
    const changed = await accounts.changePassword({ login: 'dupont.admin', currentPassword: INITIAL, newPassword: COMPLIANT });
    assert.deepEqual(changed, { ok: true });
    entry = await lastAudit(security);
    assert.deepEqual([entry.operation, entry.result, entry.actor], ['password_change', 'success', 'dupont.admin']);
    if (again.ok) assert.equal((await security.sessions.check(again.session.token)).ok, false, 'a password change ends the sessions');

    clock.advance(MINUTE);
    const after = await accounts.login({ login: 'dupont.admin', password: COMPLIANT, totp: totpCode(secret, clock.now()) });
    assert.equal(after.ok, true);
    assert.equal(after.ok && after.mustChangePassword, false);
    const old = await accounts.login({ login: 'dupont.admin', password: INITIAL, totp: totpCode(secret, clock.now()) });
    assert.equal(old.ok, false, 'the old password no longer works');
  });
});
