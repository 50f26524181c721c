/**
 * The console under attack, through real HTTP requests (fastify inject) on a real store: routes without a
 * session and with the wrong role (IDOR included), CSRF, XSS through a patient name and a mail subject,
 * SQL injection in every search field, session fixation, brute force, expired sessions, bad bodies.
 */
import { afterEach, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { AccountRole } from '../domain/index.js';
import { forEachDriver } from '../store/testing.js';
import { consoleHarness, loginAs, PASSWORDS, seedFlows, sessionCookieOf, type ConsoleHarness, type Seeded } from './testing.js';

const MINUTE = 60_000;

interface Route { method: 'GET' | 'POST'; url: string; api: boolean; roles: readonly AccountRole[] }

function routes(s: Seeded): Route[] {
  const all = ['admin', 'operator', 'auditor'] as const;
  const ops = ['admin', 'operator'] as const;
  return [
    { method: 'GET', url: '/api/documents', api: true, roles: all },
    { method: 'GET', url: `/api/documents/${s.documentRowId}`, api: true, roles: all },
    { method: 'GET', url: '/api/deliveries', api: true, roles: all },
    { method: 'POST', url: `/api/deliveries/${s.deliveries.dead}/replay`, api: true, roles: ops },
    { method: 'POST', url: `/api/deliveries/${s.deliveries.pending}/hold`, api: true, roles: ops },
    { method: 'POST', url: `/api/deliveries/${s.deliveries.held}/release`, api: true, roles: ops },
    { method: 'POST', url: `/api/deliveries/${s.deliveries.pending}/cancel`, api: true, roles: ops },
    { method: 'POST', url: '/api/deliveries/replay', api: true, roles: ops },
    { method: 'GET', url: '/api/traces', api: true, roles: all },
    { method: 'GET', url: '/api/audit', api: true, roles: ['admin', 'auditor'] },
    { method: 'GET', url: '/api/accounts', api: true, roles: ['admin'] },
    { method: 'POST', url: '/api/accounts', api: true, roles: ['admin'] },
    { method: 'POST', url: '/api/accounts/operator/disable', api: true, roles: ['admin'] },
    { method: 'POST', url: '/api/accounts/operator/role', api: true, roles: ['admin'] },
    { method: 'POST', url: '/api/logout', api: true, roles: all },
    { method: 'GET', url: '/', api: false, roles: all },
    { method: 'GET', url: '/documents', api: false, roles: all },
    { method: 'GET', url: `/documents/${s.documentRowId}`, api: false, roles: all },
    { method: 'GET', url: '/acheminements', api: false, roles: all },
    { method: 'POST', url: `/acheminements/${s.deliveries.dead}/replay`, api: false, roles: ops },
    { method: 'POST', url: '/acheminements/lot', api: false, roles: ops },
    { method: 'GET', url: '/courriels', api: false, roles: all },
    { method: 'GET', url: '/traces', api: false, roles: all },
    { method: 'GET', url: '/traces.csv', api: false, roles: all },
    { method: 'GET', url: '/statistiques', api: false, roles: all },
    { method: 'GET', url: '/statistiques.csv', api: false, roles: all },
    { method: 'GET', url: '/audit', api: false, roles: ['admin', 'auditor'] },
    { method: 'GET', url: '/audit.csv', api: false, roles: ['admin', 'auditor'] },
    { method: 'GET', url: '/audit.jsonl', api: false, roles: ['admin', 'auditor'] },
    { method: 'GET', url: '/comptes', api: false, roles: ['admin'] },
    { method: 'POST', url: '/comptes', api: false, roles: ['admin'] },
    { method: 'POST', url: '/comptes/operator/disable', api: false, roles: ['admin'] },
    { method: 'GET', url: '/mot-de-passe', api: false, roles: all },
    { method: 'POST', url: '/deconnexion', api: false, roles: all },
  ];
}

forEachDriver('console security', (ctx) => {
  let h: ConsoleHarness;
  let seeded: Seeded;

  beforeEach(async () => {
    h = await consoleHarness(ctx.store);
    seeded = await seedFlows(ctx.store);
  });
  afterEach(async () => { await h.close(); });

  const stateOf = async (id: string) =>
    (await ctx.store.db.selectFrom('delivery').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
  const audit = async (operation: string) => (await h.security.queryAudit({ operation, limit: 1000 }));

  it('refuses every protected route without a session, and audits the API and form attempts', async () => {
    for (const r of routes(seeded)) {
      const res = await h.app.inject({ method: r.method, url: r.url, ...(r.method === 'POST' ? { payload: {} } : {}) });
      if (r.api) assert.equal(res.statusCode, 401, `${r.method} ${r.url}`);
      else {
        assert.equal(res.statusCode, 303, `${r.method} ${r.url}`);
        assert.equal(res.headers.location, '/connexion');
      }
    }
    assert.equal(await stateOf(seeded.deliveries.dead), 'dead');
    const denied = await audit('access_denied');
    assert.ok(denied.some((e) => e.detail === 'no_session' && e.target === 'POST /api/deliveries/:id/:order'));
    assert.ok(denied.some((e) => e.detail === 'no_session' && e.target === 'POST /acheminements/:id/:order'));
  });

  it('refuses each route to every role that must not have it (IDOR: the id does not open it), audited', async () => {
    for (const role of ['operator', 'auditor'] as const) {
      const who = await loginAs(h, role);
      for (const r of routes(seeded).filter((x) => !x.roles.includes(role))) {
        const res = await h.app.inject({
          method: r.method, url: r.url, cookies: { relais_session: who.cookie }, headers: { 'x-csrf-token': who.csrf },
          ...(r.method === 'POST' ? { payload: { _csrf: who.csrf, role: 'admin', login: 'x', password: 'y', search: { state: 'dead' } } } : {}),
        });
        assert.equal(res.statusCode, 403, `${role} ${r.method} ${r.url}`);
      }
      const denied = (await audit('access_denied')).filter((e) => e.actor === role);
      assert.ok(denied.length > 0 && denied.every((e) => e.detail === `role_${role}`));
    }
    // Nothing moved and no account changed.
    assert.equal(await stateOf(seeded.deliveries.dead), 'dead');
    assert.equal(await stateOf(seeded.deliveries.held), 'held');
    assert.equal((await h.security.accounts.get('operator'))?.disabledAt, null);
    assert.equal((await h.security.accounts.get('operator'))?.role, 'operator');
  });

  it('requires the session CSRF token on every state-changing request, and audits a missing or wrong one', async () => {
    const op = await loginAs(h, 'operator');
    const url = `/api/deliveries/${seeded.deliveries.dead}/replay`;
    const missing = await h.app.inject({ method: 'POST', url, cookies: { relais_session: op.cookie }, payload: {} });
    assert.equal(missing.statusCode, 403);
    const wrong = await h.app.inject({ method: 'POST', url, cookies: { relais_session: op.cookie }, headers: { 'x-csrf-token': `${op.csrf.slice(0, -1)}${op.csrf.endsWith('A') ? 'B' : 'A'}` }, payload: {} });
    assert.equal(wrong.statusCode, 403);
    const form = await h.app.inject({
      method: 'POST', url: `/acheminements/${seeded.deliveries.dead}/replay`, cookies: { relais_session: op.cookie }, payload: { _csrf: 'forged' },
    });
    assert.equal(form.statusCode, 403);
    assert.equal(await stateOf(seeded.deliveries.dead), 'dead');
    assert.equal((await audit('access_denied')).filter((e) => e.detail === 'csrf').length, 3);
    // The login form has its own double-submit token.
    const login = await h.app.inject({ method: 'POST', url: '/connexion', payload: { login: 'operator', password: PASSWORDS.operator } });
    assert.equal(login.statusCode, 403);
    assert.equal(sessionCookieOf(login), undefined);

    const ok = await h.app.inject({ method: 'POST', url, cookies: { relais_session: op.cookie }, headers: { 'x-csrf-token': op.csrf }, payload: {} });
    assert.equal(ok.statusCode, 200);
    assert.equal(await stateOf(seeded.deliveries.dead), 'pending');
    const replay = await audit('delivery_replay');
    assert.equal(replay.length, 1);
    assert.equal(replay[0]!.actor, 'operator');
    assert.equal(replay[0]!.target, seeded.deliveries.dead);
    assert.equal(replay[0]!.result, 'success');
  });

  it('shows a hostile patient name, document title and mail subject as text, never markup', async () => {
    const other = await seedFlows(ctx.store, {
      patientName: '<script>alert(1)</script>^JEAN', title: '<img src=x onerror=alert(2)>', mailSubject: '"><script>alert(3)</script>', ipp: 'IPP-X',
    });
    const op = await loginAs(h, 'operator');
    for (const url of [`/documents/${other.documentRowId}`, '/documents?tous=1', '/courriels', '/acheminements', '/']) {
      const res = await h.app.inject({ url, cookies: { relais_session: op.cookie } });
      assert.equal(res.statusCode, 200, url);
      assert.doesNotMatch(res.body, /<script>alert|<img src=x/i, url);
    }
    const detail = await h.app.inject({ url: `/documents/${other.documentRowId}`, cookies: { relais_session: op.cookie } });
    assert.match(detail.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    // The business ack sent back to the DPI and the DPI's answer, one segment per line.
    assert.match(detail.body, /<h3>ZAM\^Z01 — MSH-10 Z\d+ — acquitté, 1 essai\(s\)<\/h3>/);
    assert.match(detail.body, /<h4>Accusé du DPI<\/h4><pre class="hl7">/);
    assert.match(detail.body, /&lt;img src=x onerror=alert\(2\)&gt;/);
    const mails = await h.app.inject({ url: '/courriels', cookies: { relais_session: op.cookie } });
    assert.match(mails.body, /&quot;&gt;&lt;script&gt;alert\(3\)/);
    assert.match(String(mails.headers['content-security-policy']), /default-src 'self'.*script-src 'self'/);
  });

  it('treats SQL injection in every search field as a value: no error, no leak, the tables intact', async () => {
    const op = await loginAs(h, 'operator');
    const attacks = ["' OR '1'='1", "1; DROP TABLE document;--", "%' OR 1=1 --", "x') UNION SELECT password_hash FROM account --"];
    for (const field of ['ins', 'ipp', 'documentId', 'controlId', 'messageId']) {
      for (const attack of attacks) {
        for (const path of ['/api/documents', '/api/deliveries']) {
          const res = await h.app.inject({ url: path, query: { [field]: attack }, cookies: { relais_session: op.cookie } });
          assert.equal(res.statusCode, 200, `${path} ${field}`);
          const body = res.json() as Record<string, unknown[]>;
          assert.deepEqual(Object.values(body)[0], [], `${path} ${field} ${attack}`);
        }
        const page = await h.app.inject({ url: '/documents', query: { [field]: attack }, cookies: { relais_session: op.cookie } });
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /Aucun résultat/);
        assert.doesNotMatch(page.body, /\$argon2/);
      }
    }
    for (const field of ['from', 'to', 'state', 'kind', 'limit', 'before']) {
      const res = await h.app.inject({ url: '/api/deliveries', query: { [field]: attacks[0]! }, cookies: { relais_session: op.cookie } });
      assert.equal(res.statusCode, 400, field);
      assert.deepEqual(res.json(), { error: 'invalid_parameter', field });
    }
    const traces = await h.app.inject({ url: '/api/traces', query: { messageId: attacks[1]! }, cookies: { relais_session: op.cookie } });
    assert.deepEqual(traces.json(), { traces: [] });
    const n = await sql<{ n: string }>`select count(*)::text as n from document`.execute(ctx.store.db);
    assert.equal(n.rows[0]!.n, '1');
    const found = await h.app.inject({ url: '/api/documents', query: { ipp: 'IPP-0001', state: 'dead' }, cookies: { relais_session: op.cookie } });
    assert.equal((found.json() as { documents: unknown[] }).documents.length, 1);
  });

  it('gives a fresh session id at login and ends the one the browser had (session fixation)', async () => {
    const first = await loginAs(h, 'operator');
    const res = await h.app.inject({
      method: 'POST', url: '/api/login', cookies: { relais_session: first.cookie }, payload: { login: 'operator', password: PASSWORDS.operator },
    });
    assert.equal(res.statusCode, 200);
    const second = sessionCookieOf(res)!;
    assert.notEqual(second, first.cookie);
    assert.equal((await h.app.inject({ url: '/api/documents', cookies: { relais_session: first.cookie } })).statusCode, 401);
    assert.equal((await h.app.inject({ url: '/api/documents', cookies: { relais_session: second } })).statusCode, 200);
    const cookie = res.cookies.find((c) => c.name === 'relais_session')!;
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    // A planted value that is no session of ours is simply replaced.
    const planted = await h.app.inject({
      method: 'POST', url: '/api/login', cookies: { relais_session: 'A'.repeat(43) }, payload: { login: 'operator', password: PASSWORDS.operator },
    });
    assert.notEqual(sessionCookieOf(planted), 'A'.repeat(43));
  });

  it('answers unknown logins and wrong passwords alike, locks after five failures, and audits them', async () => {
    const unknown = await h.app.inject({ method: 'POST', url: '/api/login', payload: { login: 'nobody', password: 'Whatever-Passw0rd!' } });
    const wrong = await h.app.inject({ method: 'POST', url: '/api/login', payload: { login: 'operator', password: 'Whatever-Passw0rd!' } });
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(unknown.json(), wrong.json());
    for (let i = 0; i < 4; i++) await h.app.inject({ method: 'POST', url: '/api/login', payload: { login: 'operator', password: `Wrong-Passw0rd!${i}` } });
    const locked = await h.app.inject({ method: 'POST', url: '/api/login', payload: { login: 'operator', password: PASSWORDS.operator } });
    assert.equal(locked.statusCode, 401);
    assert.equal(locked.json().error, 'invalid_credentials');
    assert.equal((await audit('account_lock')).length, 1);
    assert.ok((await audit('login_failed')).length >= 6);
  });

  it('throttles login attempts per login and per address (429), audited', async () => {
    await h.close();
    const limited = await consoleHarness(ctx.store, { createAccounts: false, loginLimits: { perIp: { max: 6, windowMs: MINUTE }, perLogin: { max: 3, windowMs: MINUTE } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await limited.app.inject({ method: 'POST', url: '/api/login', payload: { login: 'auditor', password: `Wrong-Passw0rd!${i}` } })).statusCode);
      }
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      const others: number[] = [];
      for (const login of ['a1', 'a2', 'a3']) {
        others.push((await limited.app.inject({ method: 'POST', url: '/api/login', payload: { login, password: 'Wrong-Passw0rd!1' } })).statusCode);
      }
      assert.deepEqual(others, [401, 401, 429]);
      const rl = await limited.security.queryAudit({ operation: 'login_rate_limited' });
      assert.equal(rl.length, 2);
      limited.clock.advance(MINUTE + 1000);
      const again = await limited.app.inject({ method: 'POST', url: '/api/login', payload: { login: 'auditor', password: PASSWORDS.auditor } });
      assert.equal(again.statusCode, 200);
    } finally {
      h = limited;
    }
  });

  it('ends a session after the idle timeout; the expired or logged-out cookie is refused', async () => {
    const op = await loginAs(h, 'operator');
    h.clock.advance(16 * MINUTE);
    assert.equal((await h.app.inject({ url: '/api/documents', cookies: { relais_session: op.cookie } })).statusCode, 401);
    const page = await h.app.inject({ url: '/', cookies: { relais_session: op.cookie } });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, '/connexion?motif=inactivite');
    assert.equal((await audit('session_expired')).length, 1);
    const again = await loginAs(h, 'operator');
    h.clock.advance(14 * MINUTE);
    const fresh = await h.app.inject({ url: '/', cookies: { relais_session: again.cookie } });
    assert.equal(fresh.statusCode, 200);
    assert.match(fresh.body, /<meta http-equiv="refresh" content="90\d;url=\/connexion\?motif=inactivite">/);
    h.clock.advance(15 * MINUTE + 1000);
    const locked = await h.app.inject({ url: '/documents', cookies: { relais_session: again.cookie } });
    assert.equal(locked.headers.location, '/connexion?motif=inactivite');
    const third = await loginAs(h, 'operator');
    const out = await h.app.inject({ method: 'POST', url: '/api/logout', cookies: { relais_session: third.cookie }, headers: { 'x-csrf-token': third.csrf } });
    assert.equal(out.statusCode, 200);
    assert.equal((await h.app.inject({ url: '/api/documents', cookies: { relais_session: third.cookie } })).statusCode, 401);
  });

  it('refuses oversized, malformed and mistyped bodies without a trace of the internals', async () => {
    const big = await h.app.inject({ method: 'POST', url: '/api/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ login: 'a', password: 'x'.repeat(100_000) }) });
    assert.equal(big.statusCode, 413);
    const bad = await h.app.inject({ method: 'POST', url: '/api/login', headers: { 'content-type': 'application/json' }, payload: '{"login": "a", ' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { error: 'bad_request' });
    const typed = await h.app.inject({ method: 'POST', url: '/api/login', payload: { login: ['admin'], password: 1 } });
    assert.equal(typed.statusCode, 400);
    const media = await h.app.inject({ method: 'POST', url: '/api/login', headers: { 'content-type': 'application/xml' }, payload: '<login/>' });
    assert.equal(media.statusCode, 415);
    const op = await loginAs(h, 'operator');
    const bigForm = await h.app.inject({
      method: 'POST', url: '/acheminements/lot', cookies: { relais_session: op.cookie },
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${op.csrf}&ipp=${'A'.repeat(70_000)}`,
    });
    assert.equal(bigForm.statusCode, 413);
    const longIpp = await h.app.inject({ url: '/api/documents', query: { ipp: 'A'.repeat(500) }, cookies: { relais_session: op.cookie } });
    assert.equal(longIpp.statusCode, 400);
    assert.equal((await h.app.inject({ url: '/api/nothing', cookies: { relais_session: op.cookie } })).statusCode, 404);
    const formLogin = await h.app.inject({ method: 'POST', url: '/api/login', payload: 'login=operator&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(formLogin.statusCode, 415);
    const refused = await audit('request_refused');
    const details = refused.map((e) => e.detail);
    for (const d of ['body_too_large', 'bad_request', 'unsupported_media_type', 'invalid_parameter:login', 'invalid_parameter:ipp']) {
      assert.ok(details.includes(d), `${d} in ${details.join(' ')}`);
    }
    assert.equal(refused.find((e) => e.detail === 'invalid_parameter:ipp')?.actor, 'operator');
  });

  it('sends strict security headers and the version on every page', async () => {
    const res = await h.app.inject({ url: '/connexion' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.doesNotMatch(String(res.headers['content-security-policy']), /unsafe-inline/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['strict-transport-security'], undefined);
    assert.match(res.body, /version 9\.9\.9-test/);
    const op = await loginAs(h, 'auditor');
    for (const url of ['/', '/documents', '/acheminements', '/traces', '/statistiques', '/audit', '/courriels']) {
      const page = await h.app.inject({ url, cookies: { relais_session: op.cookie } });
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, /version 9\.9\.9-test/, url);
      assert.doesNotMatch(page.body, /<script/i, url);
    }
  });

  it('applies orders by search and records criteria names, never their values', async () => {
    const op = await loginAs(h, 'operator');
    const res = await h.app.inject({
      method: 'POST', url: '/api/deliveries/replay', cookies: { relais_session: op.cookie }, headers: { 'x-csrf-token': op.csrf },
      payload: { search: { ipp: 'IPP-0001', state: 'dead' } },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { changed: 1, matched: 1, more: false });
    assert.equal(await stateOf(seeded.deliveries.dead), 'pending');
    const [entry] = await audit('delivery_replay');
    assert.equal(entry!.target, 'search');
    assert.doesNotMatch(entry!.detail ?? '', /IPP-0001/);
    assert.match(entry!.detail ?? '', /ipp,state/);
    const none = await h.app.inject({
      method: 'POST', url: `/api/deliveries/${seeded.deliveries.done}/replay`, cookies: { relais_session: op.cookie }, headers: { 'x-csrf-token': op.csrf },
    });
    assert.equal(none.statusCode, 409);
  });

  it('lets an administrator manage accounts; a new account must change its password first', async () => {
    const admin = await loginAs(h, 'admin');
    const created = await h.app.inject({
      method: 'POST', url: '/api/accounts', cookies: { relais_session: admin.cookie }, headers: { 'x-csrf-token': admin.csrf },
      payload: { login: 'newop', role: 'operator', password: 'Temp0rary-Passw0rd!' },
    });
    assert.equal(created.statusCode, 201);
    const login = await h.app.inject({ method: 'POST', url: '/api/login', payload: { login: 'newop', password: 'Temp0rary-Passw0rd!' } });
    assert.equal(login.json().mustChangePassword, true);
    const cookie = sessionCookieOf(login)!;
    const blocked = await h.app.inject({ url: '/api/documents', cookies: { relais_session: cookie } });
    assert.equal(blocked.statusCode, 403);
    assert.equal(blocked.json().error, 'password_change_required');
    assert.equal((await h.app.inject({ url: '/documents', cookies: { relais_session: cookie } })).headers.location, '/mot-de-passe');
    const disabled = await h.app.inject({
      method: 'POST', url: '/api/accounts/newop/disable', cookies: { relais_session: admin.cookie }, headers: { 'x-csrf-token': admin.csrf },
    });
    assert.equal(disabled.json().account.disabled, true);
    assert.equal((await h.app.inject({ url: '/mot-de-passe', cookies: { relais_session: cookie } })).statusCode, 303);
    const list = await h.app.inject({ url: '/api/accounts', cookies: { relais_session: admin.cookie } });
    assert.equal((list.json() as { accounts: unknown[] }).accounts.length, 4);
    assert.doesNotMatch(list.body, /argon2|totp_secret|passwordHash/);
  });

  it('serves metrics without patient data, health and readiness', async () => {
    const metrics = await h.app.inject({ url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /relais_deliveries\{kind="dmp",state="dead"\} 1/);
    assert.match(metrics.body, /relais_messages\{direction="in",channel="hl7",status="accepted"\} 1/);
    assert.match(metrics.body, /relais_store_errors_total 0/);
    assert.doesNotMatch(metrics.body, /IPP-0001|279035121518989|DUPONT/);
    assert.deepEqual((await h.app.inject({ url: '/health' })).json(), { status: 'ok' });
    assert.deepEqual((await h.app.inject({ url: '/ready' })).json(), { status: 'ready' });
  });
});

forEachDriver('console forms', (ctx) => {
  let h: ConsoleHarness;
  beforeEach(async () => { h = await consoleHarness(ctx.store); });
  afterEach(async () => { await h.close(); });

  /** The password form, then (when asked and a code is given) the code form, as a browser would. */
  const formLogin = async (login: string, password: string, totp?: string) => {
    const page = await h.app.inject({ url: '/connexion' });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = page.cookies.find((c) => c.name === 'relais_login_csrf')!.value;
    const first = await h.app.inject({
      method: 'POST', url: '/connexion', cookies: { relais_login_csrf: cookie }, payload: { _csrf: token, login, password },
    });
    if (first.headers.location !== '/connexion/code' || totp === undefined) return first;
    return codeStep(first.cookies.find((c) => c.name === 'relais_login_pending')!.value, totp);
  };
  const codeStep = async (pending: string, totp: string) => {
    const code = await h.app.inject({ url: '/connexion/code', cookies: { relais_login_pending: pending } });
    // A live pending login shows the code form; an ended one sends back to the password form (same login token cookie).
    const form = code.statusCode === 200 ? code : await h.app.inject({ url: '/connexion' });
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const cookie = form.cookies.find((c) => c.name === 'relais_login_csrf')!.value;
    return h.app.inject({
      method: 'POST', url: '/connexion/code', cookies: { relais_login_csrf: cookie, relais_login_pending: pending }, payload: { _csrf: token, totp },
    });
  };

  it('logs in through the form, forces the password change, then logs in with the new password', async () => {
    await h.security.accounts.create({ login: 'nouveau', role: 'auditor', password: 'Temp0rary-Passw0rd!', mustChangePassword: true }, { actor: 'admin' });
    const first = await formLogin('nouveau', 'Temp0rary-Passw0rd!');
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/mot-de-passe');
    const cookie = sessionCookieOf(first)!;
    const form = await h.app.inject({ url: '/mot-de-passe', cookies: { relais_session: cookie } });
    assert.equal(form.statusCode, 200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const mismatch = await h.app.inject({
      method: 'POST', url: '/mot-de-passe', cookies: { relais_session: cookie },
      payload: { _csrf: csrf, current: 'Temp0rary-Passw0rd!', next: 'Second-Passw0rd!2026', confirm: 'Autre-Passw0rd!2026' },
    });
    assert.equal(mismatch.statusCode, 400);
    const weak = await h.app.inject({
      method: 'POST', url: '/mot-de-passe', cookies: { relais_session: cookie }, payload: { _csrf: csrf, current: 'Temp0rary-Passw0rd!', next: 'court', confirm: 'court' },
    });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /class="flash error"/);
    const changed = await h.app.inject({
      method: 'POST', url: '/mot-de-passe', cookies: { relais_session: cookie },
      payload: { _csrf: csrf, current: 'Temp0rary-Passw0rd!', next: 'Second-Passw0rd!2026', confirm: 'Second-Passw0rd!2026' },
    });
    assert.equal(changed.headers.location, '/connexion?motif=mot-de-passe');
    assert.equal((await h.app.inject({ url: '/', cookies: { relais_session: cookie } })).statusCode, 303);
    const again = await formLogin('nouveau', 'Second-Passw0rd!2026');
    assert.equal(again.headers.location, '/');
    const wrong = await formLogin('nouveau', 'Temp0rary-Passw0rd!');
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /Identifiant ou mot de passe incorrect/);
  });

  it('asks the administrator for the code on a page of its own, then lets the operator replay by search from the deliveries page', async () => {
    const { totpCode } = await import('../security/index.js');
    const first = await formLogin('admin', PASSWORDS.admin);
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/connexion/code');
    const pendingCookie = first.cookies.find((c) => c.name === 'relais_login_pending');
    assert.ok(pendingCookie);
    assert.equal(pendingCookie.path, '/connexion');
    assert.equal(pendingCookie.httpOnly, true);
    assert.equal(pendingCookie.sameSite, 'Strict');
    assert.equal(sessionCookieOf(first), undefined, 'no session before the code');
    const pending = pendingCookie.value;
    const asSession = await h.app.inject({ url: '/api/documents', cookies: { relais_session: pending } });
    assert.equal(asSession.statusCode, 401, 'the pending login is not a session, whichever cookie carries it');

    const noCsrf = await h.app.inject({ method: 'POST', url: '/connexion/code', cookies: { relais_login_pending: pending }, payload: { totp: '123456' } });
    assert.equal(noCsrf.statusCode, 403);
    h.clock.advance(30_000);
    const wrongCode = totpCode(h.adminSecret, new Date(h.clock.now().getTime() - 120_000));
    const wrong = await codeStep(pending, wrongCode);
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /action="\/connexion\/code"/, 'the code form again, the password is not asked again');
    const ok = await codeStep(pending, totpCode(h.adminSecret, h.clock.now()));
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/');
    const session = sessionCookieOf(ok)!;
    assert.equal((await h.app.inject({ url: '/api/documents', cookies: { relais_session: session } })).statusCode, 200);
    h.clock.advance(30_000);
    const reused = await codeStep(pending, totpCode(h.adminSecret, h.clock.now()));
    assert.equal(reused.statusCode, 401, 'a used pending login gives nothing');
    assert.match(reused.body, /action="\/connexion"/);
    const expired = await h.app.inject({ url: '/connexion/code', cookies: { relais_login_pending: pending } });
    assert.equal(expired.headers.location, '/connexion?motif=code-expire');
    const audit = (await h.security.queryAudit({ limit: 10 })).map((e) => `${e.operation}:${e.result}`);
    assert.ok(audit.includes('login_second_factor_awaited:success'));
    assert.ok(audit.includes('login:success'));

    const seeded = await seedFlows(ctx.store);
    const op = await formLogin('operator', PASSWORDS.operator);
    const cookie = sessionCookieOf(op)!;
    const list = await h.app.inject({ url: '/acheminements?state=dead', cookies: { relais_session: cookie } });
    assert.match(list.body, /form method="post" action="\/acheminements\/lot"/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(list.body)![1]!;
    const bulk = await h.app.inject({ method: 'POST', url: '/acheminements/lot', cookies: { relais_session: cookie }, payload: { _csrf: csrf, state: 'dead', order: 'replay' } });
    assert.equal(bulk.statusCode, 303);
    assert.match(decodeURIComponent(bulk.headers.location as string), /Rejouer : 1 acheminement\(s\) sur 1/);
    const row = await ctx.store.db.selectFrom('delivery').select('state').where('id', '=', seeded.deliveries.dead).executeTakeFirstOrThrow();
    assert.equal(row.state, 'pending');
  });
  it('lets an administrator create an account for the identity provider and link another, each change audited', async () => {
    const { loginAs } = await import('./testing.js');
    const admin = await loginAs(h, 'admin');
    const page = await h.app.inject({ url: '/comptes', cookies: { relais_session: admin.cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const created = await h.app.inject({
      method: 'POST', url: '/comptes', cookies: { relais_session: admin.cookie },
      payload: { _csrf: csrf, login: 'dr.psc', role: 'operator', password: '', oidcId: '899700218896' },
    });
    assert.equal(created.statusCode, 303);
    assert.match(decodeURIComponent(String(created.headers.location)), /Compte dr\.psc créé/);
    const incomplete = await h.app.inject({
      method: 'POST', url: '/comptes', cookies: { relais_session: admin.cookie }, payload: { _csrf: csrf, login: 'vide', role: 'operator', password: '', oidcId: ' ' },
    });
    assert.match(decodeURIComponent(String(incomplete.headers.location)), /Formulaire incomplet/);
    const linked = await h.app.inject({
      method: 'POST', url: '/comptes/operator/identite', cookies: { relais_session: admin.cookie }, payload: { _csrf: csrf, oidcId: '<b>10000</b>' },
    });
    assert.equal(linked.statusCode, 303);
    const list = await h.app.inject({ url: '/comptes', cookies: { relais_session: admin.cookie } });
    assert.match(list.body, /<code>899700218896<\/code>/);
    assert.match(list.body, /&lt;b&gt;10000&lt;\/b&gt;/, 'the identity is escaped');
    assert.equal((await h.security.accounts.get('dr.psc'))?.hasPassword, false);
    const ops = (await h.security.queryAudit({ limit: 10 })).map((e) => `${e.operation}:${e.result}:${e.actor}`);
    assert.ok(ops.includes('identity_link:success:admin'));
    assert.ok(ops.includes('account_create:success:admin'));
  });
});
