/**
 * Console login by the establishment's identity provider (OpenID Connect: Pro Santé Connect, or the
 * establishment's own IdP), SC.SSI/IAM.80 web Authorization Code flow with PKCE, `state` and `nonce`
 * (openid-client). The provider only says who the person is; the console account linked to that identity
 * (the configured claim, e.g. PSC's national id) gives the role, so rights stay managed and audited here.
 *
 * The provider's tokens are used once to read the identity and then dropped, never stored (MSS/CONF.28).
 * Requests to the provider go through a fetch of our own on node:https, because the global fetch can take
 * neither a private CA nor a client certificate (PSC authenticates clients by certificate and binds its
 * tokens to it) and bounds no answer size.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import * as oidc from 'openid-client';
import type { OidcConfig } from '../config/index.js';
import { RelaisError } from '../domain/index.js';

/** What the provider asserted about the person who came back. */
export interface OidcIdentity {
  /** The value of the identity claim, matched against the identity linked to an account. */
  readonly id: string;
  /** The ID token's acr is one of the configured `acrValues` (none configured: never strong). */
  readonly strong: boolean;
  readonly acr: string | undefined;
  /** For the audit trail and the page only: a display name when the provider gave one. */
  readonly displayName: string | undefined;
}

export interface OidcLogin {
  /** The provider's name on the login button (e.g. Pro Santé Connect). */
  readonly label: string;
  /** Starts a login: where to send the browser, and the id of the flow to keep in a cookie. */
  begin(): Promise<{ url: string; flowId: string }>;
  /** Finishes it from the query string the browser came back with. Throws RLS_OIDC_REFUSED with a short reason. */
  finish(flowId: string | undefined, query: string): Promise<OidcIdentity>;
}

/** The path the provider sends the browser back to (register `<publicUrl>` + this at the provider). */
export const OIDC_CALLBACK_PATH = '/connexion/oidc/retour';
/** A login left at the provider longer than this must start again. */
const FLOW_TTL_MS = 10 * 60_000;
/** Logins in progress kept at once: beyond that the oldest are dropped (a flood cannot fill memory). */
const MAX_FLOWS = 2000;
const MAX_ANSWER_BYTES = 1024 * 1024;
const TIMEOUT_MS = 15_000;

interface Flow { readonly state: string; readonly nonce: string; readonly codeVerifier: string; readonly startedAt: number }

function refused(reason: string, message: string): RelaisError {
  return new RelaisError('RLS_OIDC_REFUSED', message, { reason });
}

function readPem(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new RelaisError('RLS_CONFIG_INVALID', `console.oidc.${key}: cannot read ${path}: ${(e as Error).message}`, { key: `console.oidc.${key}` });
  }
}

/**
 * A fetch for openid-client on node:https: trust anchors of `ca` (plus the system's when absent), an
 * optional client certificate, a bounded answer, a timeout. Redirects are not followed (openid-client asks so).
 */
export function providerFetch(o: { ca?: string; cert?: string; key?: string; timeoutMs?: number; maxBytes?: number }): oidc.CustomFetch {
  const limit = o.maxBytes ?? MAX_ANSWER_BYTES;
  return (url, init) => new Promise<Response>((resolve, reject) => {
    const body = init.body === undefined || init.body === null ? undefined
      : typeof init.body === 'string' ? init.body
        : init.body instanceof URLSearchParams ? init.body.toString() : undefined;
    if (init.body !== undefined && init.body !== null && body === undefined) {
      reject(new RelaisError('RLS_BUG', 'the provider fetch sends text or form bodies only'));
      return;
    }
    const req = httpsRequest(url, {
      method: init.method, headers: { ...init.headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
      ...(o.ca !== undefined ? { ca: o.ca } : {}), ...(o.cert !== undefined ? { cert: o.cert } : {}), ...(o.key !== undefined ? { key: o.key } : {}),
      minVersion: 'TLSv1.2', timeout: o.timeoutMs ?? TIMEOUT_MS, ...(init.signal ? { signal: init.signal } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          res.destroy(refused('answer_too_large', `the identity provider answered more than ${limit} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) headers.append(name, v);
          else if (value !== undefined) headers.set(name, value);
        }
        const status = res.statusCode ?? 502;
        const noBody = status === 204 || status === 304;
        resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers }));
      });
    });
    req.on('timeout', () => req.destroy(refused('provider_timeout', 'the identity provider did not answer in time')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Checks the `console.oidc` section against `console.publicUrl`; returns undefined when OIDC is off. */
export function oidcSettings(cfg: OidcConfig, publicUrl: string): (OidcConfig & { redirectUri: string }) | undefined {
  if (cfg.issuer === '') return undefined;
  const bad = (key: string, message: string): never => {
    throw new RelaisError('RLS_CONFIG_INVALID', `Configuration error: ${key}: ${message}.`, { key });
  };
  if (publicUrl === '') bad('console.publicUrl', 'the address browsers use to reach the console is needed to log in by identity provider');
  if (cfg.clientId === '') bad('console.oidc.clientId', 'give the client id registered at the identity provider');
  if (cfg.clientAuth !== 'tls_client_auth' && cfg.clientSecret === '') {
    bad('console.oidc.clientSecret', `${cfg.clientAuth} needs the client secret (RELAIS_CONSOLE__OIDC__CLIENT_SECRET)`);
  }
  if (cfg.clientAuth === 'tls_client_auth' && (cfg.clientCertFile === '' || cfg.clientKeyFile === '')) {
    bad('console.oidc.clientCertFile', 'tls_client_auth needs clientCertFile and clientKeyFile');
  }
  if (!cfg.scopes.includes('openid')) bad('console.oidc.scopes', 'the scopes must include openid');
  return { ...cfg, redirectUri: `${publicUrl.replace(/\/$/, '')}${OIDC_CALLBACK_PATH}` };
}

export function createOidcLogin(cfg: OidcConfig & { redirectUri: string }, o: { now?: () => number } = {}): OidcLogin {
  const now = o.now ?? Date.now;
  const fetchOptions = {
    ...(cfg.caFile !== '' ? { ca: readPem(cfg.caFile, 'caFile') } : {}),
    ...(cfg.clientCertFile !== '' ? { cert: readPem(cfg.clientCertFile, 'clientCertFile') } : {}),
    ...(cfg.clientKeyFile !== '' ? { key: readPem(cfg.clientKeyFile, 'clientKeyFile') } : {}),
  };
  const customFetch = providerFetch(fetchOptions);
  const flows = new Map<string, Flow>();
  let configuration: Promise<oidc.Configuration> | undefined;

  // Discovery at the first login, not at start: a provider down at boot must not stop Relais; a failed
  // discovery is retried at the next login.
  const discover = (): Promise<oidc.Configuration> => {
    configuration ??= (async () => {
      const auth = cfg.clientAuth === 'tls_client_auth' ? oidc.TlsClientAuth()
        : cfg.clientAuth === 'client_secret_post' ? oidc.ClientSecretPost(cfg.clientSecret) : oidc.ClientSecretBasic(cfg.clientSecret);
      const metadata: Partial<oidc.ClientMetadata> = cfg.clientAuth === 'tls_client_auth' ? { use_mtls_endpoint_aliases: true } : {};
      return oidc.discovery(new URL(cfg.issuer), cfg.clientId, metadata, auth, { [oidc.customFetch]: customFetch, timeout: TIMEOUT_MS / 1000 });
    })();
    configuration.catch(() => { configuration = undefined; });
    return configuration;
  };

  const prune = () => {
    const t = now();
    for (const [id, f] of flows) {
      if (t - f.startedAt < FLOW_TTL_MS && flows.size <= MAX_FLOWS) break;
      flows.delete(id);
    }
  };

  return {
    label: cfg.label,
    async begin() {
      let config: oidc.Configuration;
      try {
        config = await discover();
      } catch (e) {
        throw refused('provider_unreachable', `the identity provider cannot be reached: ${(e as Error).message.slice(0, 200)}`);
      }
      prune();
      const flow: Flow = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), startedAt: now() };
      const flowId = randomBytes(32).toString('base64url');
      flows.set(flowId, flow);
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: cfg.redirectUri, scope: cfg.scopes.join(' '), state: flow.state, nonce: flow.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier), code_challenge_method: 'S256',
        ...(cfg.acrValues.length > 0 ? { acr_values: cfg.acrValues.join(' ') } : {}),
      });
      return { url: url.href, flowId };
    },

    async finish(flowId, query) {
      // The redirect URI sent with the code must be the registered one, whatever Host the request came with.
      const callbackUrl = new URL(cfg.redirectUri);
      callbackUrl.search = query;
      const flow = flowId !== undefined ? flows.get(flowId) : undefined;
      // One use per flow, whatever happens next: a replayed callback finds nothing.
      if (flowId !== undefined) flows.delete(flowId);
      if (!flow || now() - flow.startedAt >= FLOW_TTL_MS) throw refused('unknown_flow', 'no login in progress for this browser, or it expired');
      const error = callbackUrl.searchParams.get('error');
      if (error !== null) throw refused('provider_refused', `the identity provider refused the login (${error.slice(0, 64)})`);
      const config = await discover();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: flow.codeVerifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true,
        });
      } catch (e) {
        throw refused('token_refused', `the login could not be completed: ${(e as Error).message.slice(0, 200)}`);
      }
      const claims = tokens.claims();
      if (!claims) throw refused('no_id_token', 'the identity provider gave no ID token');
      let value: unknown = claims[cfg.identityClaim];
      let names: Record<string, unknown> = claims;
      if ((value === undefined || value === null) && cfg.userinfo) {
        try {
          names = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        } catch (e) {
          throw refused('userinfo_refused', `the identity provider's userinfo could not be read: ${(e as Error).message.slice(0, 200)}`);
        }
        value = names[cfg.identityClaim];
      }
      if (typeof value !== 'string' && typeof value !== 'number') throw refused('no_identity_claim', `the identity provider gave no ${cfg.identityClaim}`);
      const acr = typeof claims.acr === 'string' ? claims.acr : undefined;
      const given = typeof names.given_name === 'string' ? names.given_name : '';
      const family = typeof names.family_name === 'string' ? names.family_name : '';
      const displayName = `${given} ${family}`.trim();
      return {
        id: String(value), acr, strong: acr !== undefined && cfg.acrValues.includes(acr),
        displayName: displayName === '' ? undefined : displayName.slice(0, 120),
      };
    },
  };
}
