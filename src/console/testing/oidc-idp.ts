/**
 * Test support: an OpenID Connect provider (oidc-provider) behind real TLS on the project's test PKI, for
 * the console's OIDC login tests. One confidential client, Authorization Code + PKCE, no login pages: every
 * interaction is finished at once for the user chosen by `nextLogin`, so a plain HTTP client following
 * redirects and a real Chromium both get through.
 *
 * With `clientAuth: 'tls_client_auth'` the client authenticates by certificate (RFC 8705) and its access
 * tokens are bound to that certificate, as Pro Santé Connect does. The certificate is only looked at on the
 * advertised mTLS endpoint aliases (`/mtls/token`, `/mtls/me`), like a provider whose mTLS endpoints live
 * apart: a client that ignored the aliases would not be authenticated.
 */
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate, generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { createTestChain } from '../../pki/index.js';

export interface TestIdpUser {
  sub: string;
  preferred_username?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  [claim: string]: unknown;
}

export interface TestIdp {
  /** https://127.0.0.1:<port> (the issuer; discovery at /.well-known/openid-configuration). */
  readonly issuer: string;
  /** PEM of the CA bundle that signs the IdP's TLS certificate (give it to the client as caFile). */
  readonly caPem: string;
  readonly clientId: string;
  /** Not registered when the client authenticates by certificate. */
  readonly clientSecret: string;
  /**
   * Who logs in at the next interactions (it stays until changed) and with which acr/amr. `undefined`: the
   * user refuses, the client gets `error=access_denied`. Before any call: `defaultTestIdpUser`.
   */
  nextLogin(user: TestIdpUser | undefined, o?: { acr?: string; amr?: string[] }): void;
  /** Query parameters of every authorization request (GET /auth) that reached the IdP, oldest first. */
  readonly authorizations: URLSearchParams[];
  close(): Promise<void>;
}

export interface TestIdpOptions {
  redirectUris: string[];
  /** Default client_secret_basic. */
  clientAuth?: 'client_secret_basic' | 'client_secret_post' | 'tls_client_auth';
  /**
   * tls_client_auth: the subject DN registered for the client, RFC 4514 (most specific RDN first, e.g.
   * `CN=PFI RELAIS TEST,OU=990000000,O=CH TEST RELAIS,ST=TEST,C=FR`). Default: the test PKI's authCli
   * certificate. The certificate must also chain to the test PKI.
   */
  tlsClientSubjectDn?: string;
  /** acr values the IdP announces (acr_values_supported). */
  acrValues?: string[];
  /** Only `sub` (with acr/amr/auth_time) in the ID token; profile and email claims from userinfo alone. */
  claimsFromUserinfoOnly?: boolean;
}

export const defaultTestIdpUser: TestIdpUser = {
  sub: 'test-idp-user-1', preferred_username: 'jdupont', given_name: 'Jeanne', family_name: 'Dupont',
  email: 'jeanne.dupont@test.invalid',
};

/** The subset of oidc-provider's API used here (the package ships no type declarations). */
interface OidcGrant {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface OidcInteraction {
  uid: string;
  params: Record<string, unknown>;
}
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<OidcInteraction>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, o?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: new (o: { accountId: string; clientId: string }) => OidcGrant;
}
interface OidcModule {
  Provider: new (issuer: string, configuration: object) => OidcProvider;
}
interface OidcContext {
  type: string;
  body: unknown;
  req: IncomingMessage;
}

/** A DN in RFC 4514 form from Node's one-RDN-a-line subject (which lists the least specific first). */
function rfc4514(subject: string): string {
  return subject.split('\n').reverse().join(',');
}
const normalizeDn = (dn: string) => dn.split(/\s*,\s*/).map((rdn) => rdn.replace(/\s*=\s*/, '=')).join(',');

/** The path prefix of the mTLS endpoint aliases (RFC 8705 §5). */
const MTLS_PREFIX = '/mtls';

let moduleLoading: Promise<OidcModule> | undefined;

/**
 * oidc-provider warns on import when Node is older than 22 LTS; that notice says nothing about the tests,
 * so it alone is filtered out while the module loads. A variable specifier: the package has no types.
 */
function loadOidcProvider(): Promise<OidcModule> {
  moduleLoading ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
      warn(...args);
    };
    try {
      const specifier = 'oidc-provider';
      return (await import(specifier)) as OidcModule;
    } finally {
      console.warn = warn;
    }
  })();
  return moduleLoading;
}

let signingJwk: JsonWebKey | undefined;
/** An RS256 signing key of our own, so that oidc-provider does not fall back to (and warn about) its dev keys. */
function signingKey(): JsonWebKey {
  signingJwk ??= {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: 'test-idp-rs256', use: 'sig', alg: 'RS256',
  };
  return signingJwk;
}

/**
 * A per-provider in-memory adapter (oidc-provider warns about its own). Grant members are indexed so that
 * a replayed authorization code revokes what it issued.
 */
function memoryAdapter() {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const index = new Map<string, string>();
  const grants = new Map<string, Set<string>>();
  const live = (key: string | undefined) => {
    if (key === undefined) return undefined;
    const e = store.get(key);
    if (e && e.expiresAt <= Date.now()) store.delete(key);
    return e && e.expiresAt > Date.now() ? e.payload : undefined;
  };
  return class {
    constructor(readonly model: string) {}
    key(id: string) { return `${this.model}:${id}`; }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      const key = this.key(id);
      store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (typeof payload.uid === 'string') index.set(`uid:${payload.uid}`, key);
      if (typeof payload.userCode === 'string') index.set(`userCode:${payload.userCode}`, key);
      if (typeof payload.grantId === 'string' && this.model !== 'Grant' && this.model !== 'Session') {
        const members = grants.get(payload.grantId) ?? new Set<string>();
        members.add(key);
        grants.set(payload.grantId, members);
      }
    }
    async find(id: string) { return live(this.key(id)); }
    async findByUid(uid: string) { return live(index.get(`uid:${uid}`)); }
    async findByUserCode(userCode: string) { return live(index.get(`userCode:${userCode}`)); }
    async consume(id: string) {
      const p = live(this.key(id));
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) { store.delete(this.key(id)); }
    async revokeByGrantId(grantId: string) {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  };
}

export async function startTestIdp(o: TestIdpOptions): Promise<TestIdp> {
  const [{ Provider }, chain] = await Promise.all([loadOidcProvider(), createTestChain()]);
  const clientId = `relais-test-${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map<string, TestIdpUser>();
  const authorizations: URLSearchParams[] = [];
  let next: { user: TestIdpUser | undefined; acr?: string; amr?: string[] } = { user: defaultTestIdpUser };

  // Filled once the port, hence the issuer, is known.
  const app: { provider?: OidcProvider; callback?: (req: IncomingMessage, res: ServerResponse) => void } = {};

  const interaction = async (req: IncomingMessage, res: ServerResponse, p: OidcProvider) => {
    const details = await p.interactionDetails(req, res);
    const { user, acr, amr } = next;
    if (!user) {
      await p.interactionFinished(req, res,
        { error: 'access_denied', error_description: 'refused by the test user' }, { mergeWithLastSubmission: false });
      return;
    }
    accounts.set(user.sub, user);
    // A first-party client: everything asked for is granted, no consent page.
    const grant = new p.Grant({ accountId: user.sub, clientId });
    const scope = details.params.scope;
    if (typeof scope === 'string') grant.addOIDCScope(scope);
    const grantId = await grant.save();
    await p.interactionFinished(req, res, {
      login: { accountId: user.sub, ...(acr === undefined ? {} : { acr }), ...(amr === undefined ? {} : { amr }), remember: false },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  };

  const mtls = o.clientAuth === 'tls_client_auth';
  // Requests that came through an mTLS alias: the only ones whose client certificate counts.
  const viaAlias = new WeakSet<IncomingMessage>();
  // A client certificate is asked for but not required at the handshake (the browser has none); the
  // provider decides from what the socket got and whether it chains to the test PKI.
  const tls = mtls ? { requestCert: true, rejectUnauthorized: false, ca: chain.trustBundlePem } : {};
  const server: Server = createServer({ cert: chain.server.chainPem, key: chain.server.keyPem, ...tls }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const { provider, callback } = app;
    if (!provider || !callback) {
      res.writeHead(503).end();
      return;
    }
    if (mtls && url.pathname.startsWith(`${MTLS_PREFIX}/`)) {
      viaAlias.add(req);
      req.url = (req.url ?? '/').slice(MTLS_PREFIX.length);
    }
    if (req.method === 'GET' && url.pathname === '/auth') authorizations.push(new URLSearchParams(url.search));
    if (url.pathname === '/auth' || url.pathname.startsWith('/auth/')) {
      // Authorization requests and their resumption run without the IdP session, so that the user of
      // nextLogin logs in (oidc-provider would otherwise reuse the session, or, when the account changed,
      // answer with a logout page that needs JavaScript).
      const cookies = req.headers.cookie?.split(/;\s*/).filter((c) => !c.startsWith('_session'));
      if (cookies) req.headers.cookie = cookies.join('; ');
    }
    if (url.pathname.startsWith('/interaction/')) {
      interaction(req, res, provider).catch((e: unknown) => {
        if (res.headersSent) return;
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`interaction failed: ${e instanceof Error ? e.message : String(e)}`);
      });
      return;
    }
    callback(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const peerCertificate = (ctx: OidcContext): X509Certificate | undefined => {
    if (!viaAlias.has(ctx.req)) return undefined;
    const peer = (ctx.req.socket as TLSSocket).getPeerCertificate(false);
    // Without a certificate Node gives an empty object.
    return peer.raw === undefined ? undefined : new X509Certificate(peer.raw);
  };
  const subjectDn = normalizeDn(o.tlsClientSubjectDn ?? rfc4514(new X509Certificate(chain.authCli.certPem).subject));
  const mtlsConfiguration = mtls ? {
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'tls_client_auth'],
    mTLS: {
      enabled: true, tlsClientAuth: true, certificateBoundAccessTokens: true,
      getCertificate: peerCertificate,
      certificateAuthorized: (ctx: OidcContext) => (ctx.req.socket as TLSSocket).authorized,
      certificateSubjectMatches: (ctx: OidcContext, property: string, expected: string) => {
        const cert = peerCertificate(ctx);
        return property === 'tls_client_auth_subject_dn' && cert !== undefined && rfc4514(cert.subject) === normalizeDn(expected);
      },
    },
    discovery: { mtls_endpoint_aliases: { token_endpoint: `${issuer}${MTLS_PREFIX}/token`, userinfo_endpoint: `${issuer}${MTLS_PREFIX}/me` } },
  } : undefined;

  const ttl = 600;
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [{
      client_id: clientId, redirect_uris: o.redirectUris,
      grant_types: ['authorization_code'], response_types: ['code'],
      token_endpoint_auth_method: o.clientAuth ?? 'client_secret_basic',
      ...(mtls
        ? { tls_client_auth_subject_dn: subjectDn, tls_client_certificate_bound_access_tokens: true }
        : { client_secret: clientSecret }),
    }],
    clientAuthMethods: mtlsConfiguration?.clientAuthMethods ?? ['client_secret_basic', 'client_secret_post'],
    ...(mtlsConfiguration ? { discovery: mtlsConfiguration.discovery } : {}),
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // acr and amr ride with the openid scope so the ID token carries them whether or not acr_values was sent.
    claims: {
      openid: ['sub', 'acr', 'amr'],
      profile: ['preferred_username', 'given_name', 'family_name'],
      email: ['email'],
    },
    scopes: ['openid', 'profile', 'email'],
    acrValues: o.acrValues ?? [],
    conformIdTokenClaims: o.claimsFromUserinfoOnly ?? false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, ...(mtlsConfiguration ? { mTLS: mtlsConfiguration.mTLS } : {}) },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    findAccount: (_ctx: unknown, sub: string) => {
      const user = accounts.get(sub);
      return user && { accountId: sub, claims: () => ({ ...user, sub }) };
    },
    // The defaults of these print a notice ("you SHOULD change it") the first time they run.
    ttl: {
      AccessToken: ttl, AuthorizationCode: 60, ClientCredentials: ttl, DeviceCode: ttl, BackchannelAuthenticationRequest: ttl,
      IdToken: ttl, RefreshToken: ttl, Interaction: ttl, Session: ttl, Grant: ttl,
    },
    clientBasedCORS: () => false,
    renderError: (ctx: OidcContext, out: { error?: string; error_description?: string }) => {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `${out.error ?? 'error'}: ${out.error_description ?? ''}`;
    },
  });
  app.provider = provider;
  app.callback = provider.callback();

  return {
    issuer,
    caPem: chain.trustBundlePem,
    clientId,
    clientSecret,
    authorizations,
    nextLogin(user, lo = {}) {
      next = { user, ...(lo.acr === undefined ? {} : { acr: lo.acr }), ...(lo.amr === undefined ? {} : { amr: lo.amr }) };
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function providerGet(ca: string, url: string, cookie: string): Promise<{ status: number; location?: string; setCookies: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), setCookies: res.headers['set-cookie'] ?? [],
      }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A browser at the provider: follows its redirects from `start` (an authorization URL the console gave),
 * keeping the provider's cookies, until the provider sends it back to `redirectUri`; returns that URL.
 */
export async function followProviderRedirects(idp: TestIdp, start: string, redirectUri: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < 12; hop++) {
    const a = await providerGet(idp.caPem, url, [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    for (const c of a.setCookies) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    if (!a.location) throw new Error(`a redirect was expected from ${url} (got ${a.status})`);
    const next = new URL(a.location, url);
    if (next.href.startsWith(redirectUri)) return next;
    url = next.href;
  }
  throw new Error('the provider never sent the browser back');
}
