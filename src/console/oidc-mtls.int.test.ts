/**
 * Console login by an identity provider that authenticates its clients by certificate (tls_client_auth,
 * RFC 8705) and binds its access tokens to that certificate, as Pro Santé Connect does: the console's
 * openid-client must send the token request and the userinfo request, through the provider's mTLS endpoint
 * aliases, with the configured client certificate.
 */
import { afterEach, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OidcConfig } from '../config/index.js';
import { silentLogger } from '../engine/index.js';
import { createTestChain, defaultTestEstablishment } from '../pki/index.js';
import { oddCertificate } from '../pki/testing.js';
import { forEachDriver } from '../store/testing.js';
import { OIDC_CALLBACK_PATH, createOidcLogin, oidcSettings } from './oidc-login.js';
import { buildConsole } from './server.js';
import { consoleHarness, cookieOf, oidcRound, type ConsoleHarness } from './testing.js';
import { startTestIdp, type TestIdp } from './testing/oidc-idp.js';

const PUBLIC_URL = 'https://relais.chu-test.fr';
const REDIRECT_URI = `${PUBLIC_URL}${OIDC_CALLBACK_PATH}`;
/** The subject of the test PKI's authentication certificate, as registered at the provider (RFC 4514). */
const est = defaultTestEstablishment;
const CLIENT_DN = `CN=${est.service},OU=${est.finess},O=${est.name},ST=TEST,C=FR`;

forEachDriver('console login by identity provider with a client certificate', (ctx) => {
  let h: ConsoleHarness;
  let idp: TestIdp;
  let dir: string;
  let config: OidcConfig;

  beforeEach(async () => {
    h = await consoleHarness(ctx.store);
    idp = await startTestIdp({
      redirectUris: [REDIRECT_URI], acrValues: ['eidas1'], clientAuth: 'tls_client_auth', tlsClientSubjectDn: CLIENT_DN, claimsFromUserinfoOnly: true,
    });
    dir = await mkdtemp(join(tmpdir(), 'relais-oidc-mtls-'));
    const chain = await createTestChain();
    await Promise.all([
      writeFile(join(dir, 'ca.pem'), idp.caPem),
      writeFile(join(dir, 'auth-cli.pem'), chain.authCli.chainPem),
      writeFile(join(dir, 'auth-cli.key'), chain.authCli.keyPem),
    ]);
    // No client secret: the certificate is the client's only credential.
    config = {
      issuer: idp.issuer, label: 'Pro Santé Connect', clientId: idp.clientId, clientSecret: '', clientAuth: 'tls_client_auth',
      clientCertFile: join(dir, 'auth-cli.pem'), clientKeyFile: join(dir, 'auth-cli.key'), caFile: join(dir, 'ca.pem'),
      scopes: ['openid', 'profile'], acrValues: ['eidas1'], identityClaim: 'preferred_username', userinfo: true,
    };
  });
  afterEach(async () => {
    await h.close();
    await idp.close();
    await rm(dir, { recursive: true, force: true });
  });

  const consoleWith = (settings: OidcConfig & { redirectUri: string }) =>
    buildConsole({ relais: { store: ctx.store }, security: h.security, log: silentLogger, now: h.clock.now, oidc: createOidcLogin(settings) });

  /** The whole browser round: console → provider → console callback. */
  const round = async (app: Awaited<ReturnType<typeof consoleWith>>) => (await oidcRound(app, idp, REDIRECT_URI)).callback;

  it('logs a linked professional in, the token and userinfo requests authenticated by the client certificate', async () => {
    await h.security.accounts.create({ login: 'dr.dupont', role: 'operator', oidcId: '899700218896' }, { actor: 'admin' });
    idp.nextLogin({ sub: 'psc-sub-1', preferred_username: '899700218896', given_name: 'Jeanne', family_name: 'Dupont' }, { acr: 'eidas1' });
    const app = await consoleWith(oidcSettings(config, PUBLIC_URL)!);
    try {
      // The identity is only in userinfo, so the certificate-bound access token was accepted there too.
      const callback = await round(app);
      assert.equal(callback.statusCode, 200, callback.body);
      const session = cookieOf(callback, 'relais_session');
      assert.ok(session);
      const checked = await h.security.sessions.check(session);
      assert.equal(checked.ok && checked.session.login, 'dr.dupont');
      assert.equal(checked.ok && checked.session.secondFactor, true);
      const [entry] = await h.security.queryAudit({ limit: 1 });
      assert.deepEqual([entry?.operation, entry?.actor, entry?.detail], ['login', 'dr.dupont', 'oidc:Pro Santé Connect']);
    } finally {
      await app.close();
    }
  });

  it('fails the login when the console presents no certificate, an untrusted one, or one of another subject', async () => {
    await h.security.accounts.create({ login: 'dr.dupont', role: 'operator', oidcId: '899700218896' }, { actor: 'admin' });
    idp.nextLogin({ sub: 'psc-sub-1', preferred_username: '899700218896' }, { acr: 'eidas1' });

    const odd = await oddCertificate({ bits: 2048, cn: est.service });
    const elsewhere = await createTestChain({ establishment: { name: 'CH TEST AILLEURS', finess: '990000018', service: 'SERVICE TEST' } });
    await Promise.all([
      writeFile(join(dir, 'odd.pem'), odd.certPem), writeFile(join(dir, 'odd.key'), odd.keyPem),
      writeFile(join(dir, 'elsewhere.pem'), elsewhere.authCli.chainPem), writeFile(join(dir, 'elsewhere.key'), elsewhere.authCli.keyPem),
    ]);
    const settings = oidcSettings(config, PUBLIC_URL)!;
    const cases: Array<[string, OidcConfig & { redirectUri: string }]> = [
      // oidcSettings refuses this configuration; built directly, it is a console that sends no certificate.
      ['no certificate', { ...settings, clientCertFile: '', clientKeyFile: '' }],
      ['a self-signed certificate', { ...settings, clientCertFile: join(dir, 'odd.pem'), clientKeyFile: join(dir, 'odd.key') }],
      ['a test PKI certificate of another subject', { ...settings, clientCertFile: join(dir, 'elsewhere.pem'), clientKeyFile: join(dir, 'elsewhere.key') }],
    ];
    for (const [what, s] of cases) {
      const app = await consoleWith(s);
      try {
        const callback = await round(app);
        assert.equal(callback.statusCode, 401, what);
        assert.equal(cookieOf(callback, 'relais_session'), undefined, what);
        assert.match(callback.body, /n’a pas abouti/, what);
      } finally {
        await app.close();
      }
    }
    const failures = (await h.security.queryAudit({ limit: 20 })).filter((e) => e.operation === 'login_failed').map((e) => e.detail ?? '');
    assert.equal(failures.filter((d) => d.includes('token_refused')).length, cases.length);
  });
});
