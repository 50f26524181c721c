import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError } from '../domain/index.js';
import { forEachDriver } from '../store/testing.js';
import { PENDING_LOGIN_MINUTES } from './session-service.js';
import { totpCode } from './totp.js';
import { MINUTE, fixedClock, secretOf, securityOn } from './test-support.js';

const PASSWORD = 'Correct#Horse-Battery-9';
const system = { actor: 'system' };

forEachDriver('security two-step login and identity provider', (ctx) => {
  it('takes the password first, then the code on its own; the pending login is never a session', async () => {
    const clock = fixedClock(new Date('2026-03-02T10:00:05Z'));
    const security = securityOn(ctx, clock);
    const { totpUri } = await security.accounts.create({ login: 'chef', role: 'admin', password: PASSWORD }, system);
    const secret = secretOf(totpUri ?? '');

    const wrongPassword = await security.accounts.login({ login: 'chef', password: 'Nope#Nope-Nope-99', twoStep: true });
    assert.equal(!wrongPassword.ok && wrongPassword.reason, 'invalid_credentials');
    assert.equal(!wrongPassword.ok && wrongPassword.pending, undefined, 'no code step without the right password');

    const first = await security.accounts.login({ login: 'chef', password: PASSWORD, twoStep: true });
    assert.equal(!first.ok && first.reason, 'totp_required');
    const pending = !first.ok ? first.pending : undefined;
    assert.ok(pending, 'a pending login to finish with the code');
    assert.equal((await security.sessions.check(pending.token)).ok, false, 'the pending token opens nothing');
    assert.equal(await security.sessions.logout(pending.token), false);
    const [awaited] = await security.queryAudit({ limit: 1 });
    assert.deepEqual([awaited?.operation, awaited?.result], ['login_second_factor_awaited', 'success']);

    const wrong = await security.accounts.completeSecondFactor({ pendingToken: pending.token, totp: '000000' });
    assert.equal(!wrong.ok && wrong.reason, 'totp_invalid');
    assert.equal((await security.accounts.get('chef'))?.failedCount, 2, 'a wrong code counts toward the lock, like the wrong password before it');

    const done = await security.accounts.completeSecondFactor({ pendingToken: pending.token, totp: totpCode(secret, clock.now()) });
    assert.equal(done.ok, true);
    if (!done.ok) return;
    const checked = await security.sessions.check(done.session.token);
    assert.equal(checked.ok && checked.session.secondFactor, true);
    assert.equal(done.account.failedCount, 0);
    const [login] = await security.queryAudit({ limit: 1 });
    assert.deepEqual([login?.operation, login?.detail], ['login', 'password+totp']);

    clock.advance(30_000);
    const again = await security.accounts.completeSecondFactor({ pendingToken: pending.token, totp: totpCode(secret, clock.now()) });
    assert.equal(!again.ok && again.reason, 'invalid_credentials', 'one pending login gives one session');
  });

  it('lets a pending login expire and locks the account after repeated wrong codes', async () => {
    const clock = fixedClock(new Date('2026-03-02T10:00:05Z'));
    const security = securityOn(ctx, clock, { password: { lockAfter: 3 } });
    const { totpUri } = await security.accounts.create({ login: 'chef2', role: 'admin', password: PASSWORD }, system);
    const secret = secretOf(totpUri ?? '');
    const start = async () => {
      const r = await security.accounts.login({ login: 'chef2', password: PASSWORD, twoStep: true });
      assert.ok(!r.ok && r.pending);
      return r.pending.token;
    };

    const stale = await start();
    clock.advance(PENDING_LOGIN_MINUTES * MINUTE);
    const late = await security.accounts.completeSecondFactor({ pendingToken: stale, totp: totpCode(secret, clock.now()) });
    assert.equal(!late.ok && late.reason, 'invalid_credentials', 'an expired pending login is refused even with the right code');

    const token = await start();
    for (let i = 0; i < 3; i++) await security.accounts.completeSecondFactor({ pendingToken: token, totp: '123456' === totpCode(secret, clock.now()) ? '654321' : '123456' });
    const account = await security.accounts.get('chef2');
    assert.ok(account?.lockedAt, 'locked after lockAfter wrong codes');
    const afterLock = await security.accounts.completeSecondFactor({ pendingToken: token, totp: totpCode(secret, clock.now()) });
    assert.equal(afterLock.ok, false, 'the right code does not open a locked account');
    const ops = (await security.queryAudit({ limit: 6 })).map((e) => e.operation);
    assert.ok(ops.includes('account_lock'));
  });

  it('logs a linked identity in, refuses an unknown or disabled one and a weak login for an administrator', async () => {
    const clock = fixedClock();
    const security = securityOn(ctx, clock);
    const created = await security.accounts.create({ login: 'dr.martin', role: 'operator', oidcId: '899700218896' }, system);
    assert.equal(created.account.hasPassword, false);
    assert.equal(created.totpUri, undefined, 'no local TOTP for an account without password');
    await security.accounts.create({ login: 'dsi', role: 'admin', oidcId: '899700000001' }, system);

    const ok = await security.accounts.loginWithIdentity({ oidcId: '899700218896', provider: 'psc', strongAuthentication: false, sourceIp: '10.0.0.8' });
    assert.equal(ok.ok, true);
    if (!ok.ok) return;
    assert.equal(ok.account.login, 'dr.martin');
    assert.equal((await security.sessions.check(ok.session.token)).ok, true);
    const [entry] = await security.queryAudit({ limit: 1 });
    assert.deepEqual([entry?.operation, entry?.detail, entry?.sourceIp], ['login', 'oidc:psc', '10.0.0.8']);

    const unknown = await security.accounts.loginWithIdentity({ oidcId: '899700999999', provider: 'psc', strongAuthentication: true });
    assert.equal(!unknown.ok && unknown.reason, 'unknown_identity');
    const [refused] = await security.queryAudit({ limit: 1 });
    assert.equal(refused?.operation, 'login_failed');
    assert.match(refused?.detail ?? '', /unknown_identity/);

    const weak = await security.accounts.loginWithIdentity({ oidcId: '899700000001', provider: 'psc', strongAuthentication: false });
    assert.equal(!weak.ok && weak.reason, 'second_factor_required', 'TOTP roles need the provider’s strong authentication');
    const strong = await security.accounts.loginWithIdentity({ oidcId: '899700000001', provider: 'psc', strongAuthentication: true });
    assert.equal(strong.ok, true);

    await security.accounts.disable('dr.martin', system);
    const disabled = await security.accounts.loginWithIdentity({ oidcId: '899700218896', provider: 'psc', strongAuthentication: true });
    assert.equal(!disabled.ok && disabled.reason, 'account_unusable');
    assert.equal((await security.sessions.check(ok.session.token)).ok, false, 'disabling ended the session');

    const password = await security.accounts.login({ login: 'dr.martin', password: PASSWORD });
    assert.equal(!password.ok && password.reason, 'invalid_credentials', 'no local password to guess');
  });

  it('links and unlinks identities under the rules, each change audited', async () => {
    const clock = fixedClock();
    const security = securityOn(ctx, clock);
    await security.accounts.create({ login: 'op.a', role: 'operator', password: PASSWORD }, system);
    await security.accounts.create({ login: 'op.b', role: 'operator', oidcId: 'id-b' }, system);

    const linked = await security.accounts.linkIdentity('op.a', 'id-a', { actor: 'chef' });
    assert.equal(linked.oidcId, 'id-a');
    await assert.rejects(security.accounts.linkIdentity('op.a', 'id-b', { actor: 'chef' }), (e) => isRelaisError(e) && e.code === 'RLS_ACCOUNT_EXISTS');
    await assert.rejects(security.accounts.linkIdentity('op.b', null, { actor: 'chef' }), (e) => isRelaisError(e) && e.code === 'RLS_ACCOUNT_INVALID',
      'an account without password keeps its only way in');
    await assert.rejects(security.accounts.create({ login: 'op.c', role: 'operator', oidcId: 'id-b' }, system),
      (e) => isRelaisError(e) && e.code === 'RLS_ACCOUNT_EXISTS');
    await assert.rejects(security.accounts.create({ login: 'op.d', role: 'operator' }, system), (e) => isRelaisError(e) && e.code === 'RLS_ACCOUNT_INVALID');
    const unlinked = await security.accounts.linkIdentity('op.a', null, { actor: 'chef' });
    assert.equal(unlinked.oidcId, null);

    const links = (await security.queryAudit({ limit: 20 })).filter((e) => e.operation === 'identity_link').map((e) => `${e.result}:${e.detail}`);
    assert.deepEqual(links.reverse(), ['success:linked:id-a', 'failure:oidc_id_taken', 'failure:no_other_sign_in', 'success:unlinked']);
  });
});
