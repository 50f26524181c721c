/**
 * The test OpenID provider answers a plain authorization-code run over TLS trusted through its CA: discovery,
 * PKCE, state and nonce, acr/amr, profile claims in the ID token or from userinfo only, and a refusal.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { createHash, randomBytes } from 'node:crypto';
import { createTestChain, type TestCredential } from '../../pki/index.js';
import { oddCertificate } from '../../pki/testing.js';
import { startTestIdp, defaultTestIdpUser, type TestIdp } from './oidc-idp.js';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function send(ca: string, url: string, o: { method?: string; headers?: Record<string, string>; body?: string; client?: Pick<TestCredential, 'certPem' | 'keyPem'> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const tls = o.client ? { cert: o.client.certPem, key: o.client.keyPem } : {};
    const req = request(url, { method: o.method ?? 'GET', headers: o.headers, ca, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const b64url = (b: Buffer) => b.toString('base64url');
const redirectUri = 'http://127.0.0.1:8443/console/oidc/callback';

interface Login { callback: URL; state: string; nonce: string; verifier: string; cookies: Map<string, string> }

/** A browser's authorization request, following the IdP's redirects (cookies kept) up to the redirect_uri. */
async function authorize(idp: TestIdp, extra: Record<string, string> = {}, cookies = new Map<string, string>()): Promise<Login> {
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  let url = `${idp.issuer}/auth?${new URLSearchParams({
    response_type: 'code', client_id: idp.clientId, redirect_uri: redirectUri, scope: 'openid profile email',
    state, nonce, code_challenge: challenge, code_challenge_method: 'S256', ...extra,
  })}`;
  for (let hop = 0; hop < 10; hop++) {
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const a = await send(idp.caPem, url, { headers: cookie ? { cookie } : {} });
    for (const c of a.headers['set-cookie'] ?? []) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      const value = pair.slice(i + 1);
      if (value) cookies.set(pair.slice(0, i), value); else cookies.delete(pair.slice(0, i));
    }
    assert.ok(a.status === 302 || a.status === 303, `redirect expected from ${url}, got ${a.status}: ${a.body}`);
    const location = new URL(String(a.headers.location), url);
    if (location.href.startsWith(redirectUri)) return { callback: location, state, nonce, verifier, cookies };
    url = location.href;
  }
  throw new Error('too many redirects');
}

function basic(idp: TestIdp): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(idp.clientId)}:${encodeURIComponent(idp.clientSecret)}`).toString('base64')}`;
}

async function token(idp: TestIdp, login: Login, auth: 'basic' | 'post' = 'basic') {
  const form: Record<string, string> = {
    grant_type: 'authorization_code', code: login.callback.searchParams.get('code') ?? '', redirect_uri: redirectUri,
    code_verifier: login.verifier,
  };
  if (auth === 'post') Object.assign(form, { client_id: idp.clientId, client_secret: idp.clientSecret });
  const a = await send(idp.caPem, `${idp.issuer}/token`, {
    method: 'POST', body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth === 'basic' ? { authorization: basic(idp) } : {}) },
  });
  assert.equal(a.status, 200, a.body);
  const body = JSON.parse(a.body) as { id_token: string; access_token: string };
  const [, payload = ''] = body.id_token.split('.');
  return { ...body, claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown> };
}

describe('test OpenID provider', () => {
  let idp: TestIdp;
  before(async () => { idp = await startTestIdp({ redirectUris: [redirectUri], acrValues: ['eidas1', 'eidas2'] }); });
  after(async () => { await idp.close(); });

  it('publishes its https issuer by discovery, over the test PKI', async () => {
    const a = await send(idp.caPem, `${idp.issuer}/.well-known/openid-configuration`);
    assert.equal(a.status, 200);
    const d = JSON.parse(a.body) as Record<string, unknown>;
    assert.match(idp.issuer, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(d.issuer, idp.issuer);
    assert.equal(d.authorization_endpoint, `${idp.issuer}/auth`);
    assert.equal(d.token_endpoint, `${idp.issuer}/token`);
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(d.acr_values_supported, ['eidas1', 'eidas2']);
  });

  it('runs an authorization code flow with PKCE: code and state back, an ID token with sub, nonce, acr, amr and the profile', async () => {
    const user = { sub: 'psc-8001234567', preferred_username: 'dr.martin', given_name: 'Paul', family_name: 'Martin', email: 'p.martin@test.invalid' };
    idp.nextLogin(user, { acr: 'eidas2', amr: ['pwd', 'otp'] });
    const before = idp.authorizations.length;
    const login = await authorize(idp, { acr_values: 'eidas2' });
    assert.equal(login.callback.searchParams.get('state'), login.state);
    assert.ok(login.callback.searchParams.get('code'));
    assert.equal(login.callback.searchParams.get('iss'), idp.issuer);
    assert.equal(idp.authorizations.length, before + 1);
    const asked = idp.authorizations.at(-1);
    assert.equal(asked?.get('code_challenge_method'), 'S256');
    assert.equal(asked?.get('acr_values'), 'eidas2');
    assert.equal(asked?.get('nonce'), login.nonce);

    const t = await token(idp, login);
    assert.equal(t.claims.iss, idp.issuer);
    assert.equal(t.claims.aud, idp.clientId);
    assert.equal(t.claims.sub, user.sub);
    assert.equal(t.claims.nonce, login.nonce);
    assert.equal(t.claims.acr, 'eidas2');
    assert.deepEqual(t.claims.amr, ['pwd', 'otp']);
    assert.equal(t.claims.preferred_username, 'dr.martin');
    assert.equal(t.claims.family_name, 'Martin');
    assert.equal(t.claims.email, 'p.martin@test.invalid');

    // The code is single use.
    const again = await send(idp.caPem, `${idp.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(idp) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: login.callback.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: login.verifier }).toString(),
    });
    assert.equal(again.status, 400);
    assert.equal((JSON.parse(again.body) as { error: string }).error, 'invalid_grant');
  });

  it('logs in the user of nextLogin even when the browser still holds an IdP session', async () => {
    idp.nextLogin(defaultTestIdpUser);
    const first = await authorize(idp);
    assert.equal((await token(idp, first)).claims.sub, defaultTestIdpUser.sub);
    idp.nextLogin({ sub: 'other-user', preferred_username: 'other' }, { acr: 'eidas1' });
    const second = await authorize(idp, {}, first.cookies);
    const t = await token(idp, second);
    assert.equal(t.claims.sub, 'other-user');
    assert.equal(t.claims.acr, 'eidas1');
  });

  it('refuses a code exchange without the PKCE verifier, and an authorization request without a challenge', async () => {
    idp.nextLogin(defaultTestIdpUser);
    const login = await authorize(idp);
    const a = await send(idp.caPem, `${idp.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(idp) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: login.callback.searchParams.get('code') ?? '', redirect_uri: redirectUri }).toString(),
    });
    assert.equal(a.status, 400);
    const noPkce = await send(idp.caPem, `${idp.issuer}/auth?${new URLSearchParams({
      response_type: 'code', client_id: idp.clientId, redirect_uri: redirectUri, scope: 'openid', state: 's1',
    })}`);
    const location = new URL(String(noPkce.headers.location));
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('state'), 's1');
  });

  it('answers access_denied when the user refuses', async () => {
    idp.nextLogin(undefined);
    const login = await authorize(idp);
    assert.equal(login.callback.searchParams.get('error'), 'access_denied');
    assert.equal(login.callback.searchParams.get('error_description'), 'refused by the test user');
    assert.equal(login.callback.searchParams.get('state'), login.state);
    assert.equal(login.callback.searchParams.get('code'), null);
  });
});

describe('test OpenID provider, claims from userinfo only and client_secret_post', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp({ redirectUris: [redirectUri], clientAuth: 'client_secret_post', claimsFromUserinfoOnly: true });
  });
  after(async () => { await idp.close(); });

  it('puts only sub (and acr) in the ID token; the profile comes from userinfo', async () => {
    idp.nextLogin({ sub: 'u-42', preferred_username: 'jdoe', given_name: 'John', family_name: 'Doe' }, { acr: 'urn:test:loa:2' });
    const login = await authorize(idp);
    const t = await token(idp, login, 'post');
    assert.equal(t.claims.sub, 'u-42');
    assert.equal(t.claims.nonce, login.nonce);
    assert.equal(t.claims.acr, 'urn:test:loa:2');
    assert.equal(t.claims.preferred_username, undefined);
    const u = await send(idp.caPem, `${idp.issuer}/me`, { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(u.status, 200, u.body);
    assert.deepEqual(JSON.parse(u.body), { sub: 'u-42', preferred_username: 'jdoe', given_name: 'John', family_name: 'Doe' });
  });
});

describe('test OpenID provider, tls_client_auth and certificate-bound access tokens', () => {
  let idp: TestIdp;
  let client: TestCredential;
  before(async () => {
    client = (await createTestChain()).authCli;
    idp = await startTestIdp({ redirectUris: [redirectUri], clientAuth: 'tls_client_auth', claimsFromUserinfoOnly: true });
  });
  after(async () => { await idp.close(); });

  const exchange = (login: Login, path: string, c?: Pick<TestCredential, 'certPem' | 'keyPem'>) => send(idp.caPem, `${idp.issuer}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, ...(c ? { client: c } : {}),
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: login.callback.searchParams.get('code') ?? '', redirect_uri: redirectUri,
      code_verifier: login.verifier, client_id: idp.clientId,
    }).toString(),
  });

  it('advertises tls_client_auth, bound tokens and the mTLS endpoint aliases', async () => {
    const d = JSON.parse((await send(idp.caPem, `${idp.issuer}/.well-known/openid-configuration`)).body) as Record<string, unknown>;
    assert.ok((d.token_endpoint_auth_methods_supported as string[]).includes('tls_client_auth'));
    assert.equal(d.tls_client_certificate_bound_access_tokens, true);
    assert.deepEqual(d.mtls_endpoint_aliases, { token_endpoint: `${idp.issuer}/mtls/token`, userinfo_endpoint: `${idp.issuer}/mtls/me` });
  });

  it('issues tokens to the registered certificate at the alias only; userinfo wants the same certificate', async () => {
    idp.nextLogin({ sub: 'u-7', preferred_username: 'jdoe' });
    const refused = [
      await exchange(await authorize(idp), '/mtls/token'),
      await exchange(await authorize(idp), '/mtls/token', await oddCertificate({ bits: 2048, cn: 'PFI RELAIS TEST' })),
      await exchange(await authorize(idp), '/token', client),
    ];
    for (const a of refused) {
      assert.equal(a.status, 401, a.body);
      assert.equal((JSON.parse(a.body) as { error: string }).error, 'invalid_client');
    }

    const a = await exchange(await authorize(idp), '/mtls/token', client);
    assert.equal(a.status, 200, a.body);
    const { access_token: at } = JSON.parse(a.body) as { access_token: string };
    const bearer = { authorization: `Bearer ${at}` };
    const u = await send(idp.caPem, `${idp.issuer}/mtls/me`, { headers: bearer, client });
    assert.equal(u.status, 200, u.body);
    assert.equal((JSON.parse(u.body) as { preferred_username: string }).preferred_username, 'jdoe');
    assert.equal((await send(idp.caPem, `${idp.issuer}/mtls/me`, { headers: bearer })).status, 401, 'the token is bound to the certificate');
  });
});
