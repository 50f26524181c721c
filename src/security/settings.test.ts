import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/index.js';
import { isRelaisError } from '../domain/index.js';
import { createSecurity } from './security.js';
import { defaultSecuritySettings, resolveSecuritySettings } from './settings.js';

const configInvalid = (e: unknown) => isRelaisError(e) && e.code === 'RLS_CONFIG_INVALID';

describe('security settings', () => {
  it('defaults to the values of the IAM.92 scenario and the OWASP argon2id minimum', () => {
    const s = resolveSecuritySettings();
    assert.deepEqual(s.password, {
      minLength: 15, requireLower: true, requireUpper: true, requireDigit: true, requireSpecial: true, maxAgeDays: 365, historyDepth: 24, lockAfter: 5,
    });
    assert.deepEqual(s.hashing, { memoryKibibytes: 19_456, timeCost: 2, parallelism: 1 });
    assert.deepEqual(s.sessions, { idleMinutes: 15, absoluteHours: 12 });
    assert.deepEqual(s.totp.requiredRoles, ['admin']);
    assert.ok(Object.isFrozen(s.password));
  });

  it('refuses a lock threshold above 10 and accepts 10', () => {
    assert.throws(() => resolveSecuritySettings({ password: { lockAfter: 11 } }), configInvalid);
    assert.throws(() => createSecurity({ db: undefined as never, settings: { password: { lockAfter: 11 } } }), configInvalid);
    assert.equal(resolveSecuritySettings({ password: { lockAfter: 10 } }).password.lockAfter, 10);
  });

  it('refuses argon2 parameters below the OWASP minimum', () => {
    assert.throws(() => resolveSecuritySettings({ hashing: { memoryKibibytes: 4096 } }), configInvalid);
    assert.throws(() => resolveSecuritySettings({ hashing: { timeCost: 1 } }), configInvalid);
  });

  it('refuses an unknown role among the TOTP roles', () => {
    assert.throws(() => resolveSecuritySettings({ totp: { requiredRoles: ['root' as never] } }), configInvalid);
  });

  it('refuses security.password.lockAfter above 10 in the configuration file and environment', () => {
    assert.throws(() => loadConfig({ env: { RELAIS_SECURITY__PASSWORD__LOCK_AFTER: '11' } }), configInvalid);
    const c = loadConfig({ env: { RELAIS_SECURITY__PASSWORD__LOCK_AFTER: '10', RELAIS_SECURITY__SESSIONS__IDLE_MINUTES: '5' } });
    assert.equal(c.security.password.lockAfter, 10);
    assert.equal(resolveSecuritySettings(c.security).sessions.idleMinutes, 5);
  });

  it('has configuration defaults equal to the layer defaults', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(loadConfig({ env: {} }).security)), JSON.parse(JSON.stringify(defaultSecuritySettings)));
  });
});
