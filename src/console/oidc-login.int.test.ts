/**
 * Console login by an identity provider, end to end against oidc-provider over real TLS: the console's
 * openid-client talks to the provider through our node:https fetch (private CA), the "browser" follows
 * the provider's redirects and comes back to the console's callback.
 */
import { afterEach, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OidcConfig } from '../config/index.js';
import { silentLogger } from '../engine/index.js';
import { forEachDriver } from '../store/testing.js';
import { OIDC_CALLBACK_PATH, createOidcLogin, oidcSettings } from './oidc-login.js';
import { buildConsole } from './server.js';
import { consoleHarness, cookieOf, oidcRound, type ConsoleHarness } from './testing.js';
import { followProviderRedirects, startTestIdp, type TestIdp } from './testing/oidc-idp.js';

const PUBLIC_URL = 'https://relais.chu-test.fr';
const REDIRECT_URI = `${PUBLIC_URL}${OIDC_CALLBACK_PATH}`;

const atProvider = (idp: TestIdp, start: string) => followProviderRedirects(idp, start, REDIRECT_URI);

forEachDriver('console login by identity provider', (ctx) => {
  let h: ConsoleHarness;
  let idp: TestIdp;
  let dir: string;
  let config: OidcConfig;

  beforeEach(async () => {
    h = await consoleHarness(ctx.store);
    idp = await startTestIdp({ redirectUris: [REDIRECT_URI], acrValues: ['eidas1'] });
    dir = await mkdtemp(join(tmpdir(), 'relais-oidc-'));
    await writeFile(join(dir, 'ca.pem'), idp.caPem);
    config = {
      issuer: idp.issuer, label: 'Pro Santé Connect', clientId: idp.clientId, clientSecret: idp.clientSecret, clientAuth: 'client_secret_basic',
      clientCertFile: '', clientKeyFile: '', caFile: join(dir, 'ca.pem'), scopes: ['openid', 'profile'], acrValues: ['eidas1'],
      identityClaim: 'preferred_username', userinfo: false,
    };
  });
  afterEach(async () => {
    await h.close();
    await idp.close();
    await rm(dir, { recursive: true, force: true });
  });

  const consoleWith = async (c: OidcConfig) => {
    const settings = oidcSettings(c, PUBLIC_URL)!;
    return buildConsole({ relais: { store: ctx.store }, security: h.security, log: silentLogger, now: h.clock.now, oidc: createOidcLogin(settings) });
  };

  const round = async (app: Awaited<ReturnType<typeof consoleWith>>) => {
    const r = await oidcRound(app, idp, REDIRECT_URI);
    return { ...r, flow: r.flowCookie.value };
  };

  it('logs a linked professional in with PKCE, state, nonce and the asked acr, and audits it', async () => {
    await h.security.accounts.create({ login: 'dr.dupont', role: 'operator', oidcId: '899700218896' }, { actor: 'admin' });
    idp.nextLogin({ sub: 'psc-sub-1', preferred_username: '899700218896', given_name: 'Jeanne', family_name: 'Dupont' }, { acr: 'eidas1' });
    const app = await consoleWith(config);
    try {
      const { begin, callback, flowCookie } = await round(app);
      assert.equal(flowCookie.sameSite, 'Lax', 'the flow cookie must come back with the cross-site redirect');
      assert.equal(flowCookie.httpOnly, true);
      const asked = new URL(String(begin.headers.location)).searchParams;
      assert.equal(asked.get('code_challenge_method'), 'S256');
      assert.equal(asked.get('acr_values'), 'eidas1');
      assert.equal(asked.get('redirect_uri'), REDIRECT_URI);
      assert.ok(asked.get('state') && asked.get('nonce'));
      assert.equal(callback.statusCode, 200);
      assert.match(callback.body, /http-equiv="refresh" content="0;url=\/"/);
      const session = cookieOf(callback, 'relais_session');
      assert.ok(session);
      const me = await app.inject({ url: '/api/documents', cookies: { relais_session: session } });
      assert.equal(me.statusCode, 200);
      const checked = await h.security.sessions.check(session);
      assert.equal(checked.ok && checked.session.login, 'dr.dupont');
      assert.equal(checked.ok && checked.session.secondFactor, true, 'eidas1 counts as strong authentication');
      const [entry] = await h.security.queryAudit({ limit: 1 });
      assert.deepEqual([entry?.operation, entry?.actor, entry?.detail], ['login', 'dr.dupont', 'oidc:Pro Santé Connect']);
    } finally {
      await app.close();
    }
  });

  it('refuses an unknown identity, a weak login for an administrator, a replayed callback and a refusal at the provider', async () => {
    await h.security.accounts.create({ login: 'dsi.chef', role: 'admin', oidcId: '899700000001' }, { actor: 'admin' });
    const app = await consoleWith(config);
    try {
      idp.nextLogin({ sub: 'psc-sub-9', preferred_username: '899700999999' }, { acr: 'eidas1' });
      const unknown = await round(app);
      assert.equal(unknown.callback.statusCode, 403);
      assert.equal(cookieOf(unknown.callback, 'relais_session'), undefined);
      assert.match(unknown.callback.body, /aucun compte actif/);

      // The same callback again: its flow was used once and is gone.
      const replay = await app.inject({ url: `${unknown.back.pathname}${unknown.back.search}`, cookies: { relais_oidc_flow: unknown.flow } });
      assert.equal(replay.statusCode, 401);
      assert.equal(cookieOf(replay, 'relais_session'), undefined);

      idp.nextLogin({ sub: 'psc-sub-2', preferred_username: '899700000001' }, { acr: 'urn:weak' });
      const weak = await round(app);
      assert.equal(weak.callback.statusCode, 403, 'an administrator needs the configured acr');
      assert.match(weak.callback.body, /authentification forte/);

      idp.nextLogin(undefined);
      const refused = await round(app);
      assert.equal(refused.callback.statusCode, 401);
      assert.match(refused.callback.body, /n’a pas abouti/);

      // A callback with no flow cookie (another browser, or a forged link) is refused before any token request.
      idp.nextLogin({ sub: 'psc-sub-2', preferred_username: '899700000001' }, { acr: 'eidas1' });
      const begin = await app.inject({ url: '/connexion/oidc' });
      const back = await atProvider(idp, String(begin.headers.location));
      const stranger = await app.inject({ url: `${back.pathname}${back.search}` });
      assert.equal(stranger.statusCode, 401);

      const failures = (await h.security.queryAudit({ limit: 20 })).filter((e) => e.operation === 'login_failed').map((e) => e.detail ?? '');
      assert.ok(failures.some((d) => d.includes('unknown_identity')));
      assert.ok(failures.some((d) => d.includes('weak_authentication')));
      assert.ok(failures.some((d) => d.includes('provider_refused')));
      assert.ok(failures.filter((d) => d.includes('unknown_flow')).length >= 2);
    } finally {
      await app.close();
    }
  });

  it('reads the identity from userinfo when the ID token lacks it, with client_secret_post', async () => {
    await idp.close();
    idp = await startTestIdp({ redirectUris: [REDIRECT_URI], acrValues: ['eidas1'], clientAuth: 'client_secret_post', claimsFromUserinfoOnly: true });
    await writeFile(join(dir, 'ca.pem'), idp.caPem);
    await h.security.accounts.create({ login: 'ide.martin', role: 'auditor', oidcId: '100000000042' }, { actor: 'admin' });
    idp.nextLogin({ sub: 'psc-sub-3', preferred_username: '100000000042' }, { acr: 'eidas1' });
    const withoutUserinfo = await consoleWith({ ...config, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, clientAuth: 'client_secret_post' });
    try {
      const r = await round(withoutUserinfo);
      assert.equal(r.callback.statusCode, 401, 'no identity claim in the ID token and userinfo off');
    } finally {
      await withoutUserinfo.close();
    }
    const app = await consoleWith({ ...config, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, clientAuth: 'client_secret_post', userinfo: true });
    try {
      const r = await round(app);
      assert.equal(r.callback.statusCode, 200);
      const checked = await h.security.sessions.check(cookieOf(r.callback, 'relais_session')!);
      assert.equal(checked.ok && checked.session.login, 'ide.martin');
    } finally {
      await app.close();
    }
  });

  it('answers 503 with the local login still offered when the provider cannot be reached', async () => {
    const app = await consoleWith({ ...config, issuer: 'https://127.0.0.1:1' });
    try {
      const page = await app.inject({ url: '/connexion' });
      assert.match(page.body, /Se connecter avec Pro Santé Connect/);
      const begin = await app.inject({ url: '/connexion/oidc' });
      assert.equal(begin.statusCode, 503);
      assert.match(begin.body, /name="password"/);
    } finally {
      await app.close();
    }
  });
});

it('checks the OpenID settings against the console address', () => {
  const base: OidcConfig = {
    issuer: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet', label: 'Pro Santé Connect', clientId: 'relais', clientSecret: 's',
    clientAuth: 'client_secret_basic', clientCertFile: '', clientKeyFile: '', caFile: '', scopes: ['openid', 'scope_all'], acrValues: ['eidas1'],
    identityClaim: 'preferred_username', userinfo: false,
  };
  assert.equal(oidcSettings({ ...base, issuer: '' }, ''), undefined, 'off when no issuer');
  assert.equal(oidcSettings(base, 'https://relais.chu.fr/')?.redirectUri, `https://relais.chu.fr${OIDC_CALLBACK_PATH}`);
  assert.throws(() => oidcSettings(base, ''), /console\.publicUrl/);
  assert.throws(() => oidcSettings({ ...base, clientSecret: '' }, 'https://x.fr'), /clientSecret/);
  assert.throws(() => oidcSettings({ ...base, clientAuth: 'tls_client_auth', clientSecret: '' }, 'https://x.fr'), /clientCertFile/);
  assert.throws(() => oidcSettings({ ...base, scopes: ['scope_all'] }, 'https://x.fr'), /openid/);
});
