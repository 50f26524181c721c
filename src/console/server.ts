/**
 * The operations console: fastify on loopback, server-rendered French pages, a JSON API, /metrics,
 * /health and /ready. Security measures: strict headers and CSP (no inline script or style), body size
 * limit and request timeouts, login throttle, server-side sessions in an HttpOnly SameSite=Strict cookie,
 * a CSRF token on every state-changing request, roles on every route, and the audit trail.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { RelaisConfig } from '../config/index.js';
import type { Logger } from '../engine/index.js';
import type { Security } from '../security/index.js';
import type { StatisticsDocumentType } from '../stats/index.js';
import { pingStore } from '../store/index.js';
import { registerApi } from './api.js';
import { routeOf } from './auth.js';
import type { ConsoleContext } from './context.js';
import { createMetrics } from './metrics.js';
import { registerLoginPages } from './login-pages.js';
import { createOidcLogin, oidcSettings, type OidcLogin } from './oidc-login.js';
import { registerPages } from './pages.js';
import { peerViews, type ConsoleRelais } from './peers.js';
import { LoginThrottle, type LoginLimits } from './rate-limit.js';
import { consoleCss } from './style.js';
import { errorPage } from './views.js';

export interface ConsoleOptions {
  readonly relais: ConsoleRelais;
  readonly security: Security;
  /** Establishment, mailboxes and DPI endpoint, for the dashboard and the statistics. */
  readonly config?: RelaisConfig;
  readonly log: Logger;
  /** Loopback by default: put a TLS reverse proxy in front to serve other machines. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Set when the console is reached over HTTPS (through a proxy): `Secure` cookies and HSTS. */
  readonly secure?: boolean;
  readonly version?: string;
  /** The Ségur document types in display order (the command line passes src/cda segurDocumentTypes). */
  readonly documentTypes?: readonly StatisticsDocumentType[];
  readonly loginLimits?: LoginLimits;
  /** Login by an identity provider; by default built from `config.console.oidc` (none when its issuer is empty). */
  readonly oidc?: OidcLogin;
  /** Defaults to the system clock; tests move it with the security core's. */
  readonly now?: () => Date;
}

export interface RunningConsole {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** Largest request body: a login, a search, an order. Nothing larger is ever posted to the console. */
export const BODY_LIMIT_BYTES = 64 * 1024;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'none'",
  "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** The console as a fastify instance, not listening (tests use inject or listen themselves). */
export async function buildConsole(o: ConsoleOptions): Promise<FastifyInstance> {
  const now = o.now ?? (() => new Date());
  const store = o.relais.store;
  const peers = () => peerViews(o.relais, {
    ...(o.config?.dpi.endpoint ? { dpiEndpoint: o.config.dpi.endpoint } : {}),
    ...(o.config ? { mailboxes: o.config.mss.mailboxes.map((m) => m.address) } : {}),
  });
  const metrics = createMetrics({ store, peers });
  const oidcConfig = o.config ? oidcSettings(o.config.console.oidc, o.config.console.publicUrl) : undefined;
  const oidc = o.oidc ?? (oidcConfig ? createOidcLogin(oidcConfig) : undefined);
  const ctx: ConsoleContext = {
    store, security: o.security, log: o.log, version: o.version ?? packageVersion(), secure: o.secure === true,
    throttle: new LoginThrottle(o.loginLimits, () => now().getTime()), metrics, peers, now, oidc,
    statistics: {
      documentTypes: o.documentTypes ?? [],
      finessByMailbox: Object.fromEntries((o.config?.mss.mailboxes ?? []).map((m) => [m.address, o.config!.establishment.finessGeographique])),
    },
  };
  const app = Fastify({
    logger: false, bodyLimit: BODY_LIMIT_BYTES, connectionTimeout: 30_000, requestTimeout: 30_000, keepAliveTimeout: 5_000,
    routerOptions: { maxParamLength: 200 }, trustProxy: false, return503OnClosing: true,
  });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });

  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header('content-security-policy', CSP);
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('cross-origin-opener-policy', 'same-origin');
    void reply.header('cross-origin-resource-policy', 'same-origin');
    void reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (ctx.secure) void reply.header('strict-transport-security', 'max-age=31536000');
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
  // The route pattern and status only: query strings and bodies may carry patient identifiers.
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpRequests.inc({ route: routeOf(req), status: String(reply.statusCode) });
    o.log.debug({ method: req.method, route: routeOf(req), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'console request');
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      metrics.storeErrors.inc();
      o.log.error({ route: routeOf(req), code: (err as { code?: unknown }).code, err: err.message.slice(0, 200) }, 'console request failed');
    }
    const code = status === 413 ? 'body_too_large' : status === 415 ? 'unsupported_media_type' : status === 500 ? 'internal_error' : 'bad_request';
    if (status !== 500) {
      // Malformed, oversized or mistyped requests are refused before any route: they go to the audit trail.
      await o.security.audit({ actor: 'anonymous', operation: 'request_refused', target: `${req.method} ${routeOf(req)}`.slice(0, 200), result: 'failure', detail: code, sourceIp: req.ip })
        .catch(() => metrics.storeErrors.inc());
    }
    if (req.url.startsWith('/api/') || req.headers.accept?.includes('application/json')) return reply.code(status).send({ error: code });
    return reply.code(status).type('text/html; charset=utf-8').send(errorPage(ctx, status === 500 ? 'Erreur interne' : 'Requête refusée',
      status === 500 ? 'La demande n’a pas abouti ; l’incident est journalisé.' : 'La requête est mal formée ou trop volumineuse.').text);
  });
  app.setNotFoundHandler(async (req, reply) => {
    if (req.url.startsWith('/api/')) return reply.code(404).send({ error: 'not_found' });
    return reply.code(404).type('text/html; charset=utf-8').send(errorPage(ctx, 'Page introuvable', 'Cette adresse ne correspond à aucune page.').text);
  });

  app.get('/static/console.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(consoleCss));
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    try {
      await pingStore(store.db);
      return { status: 'ready' };
    } catch {
      metrics.storeErrors.inc();
      return reply.code(503).send({ status: 'store_unreachable' });
    }
  });
  app.get('/metrics', async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  registerApi(app, ctx);
  registerLoginPages(app, ctx);
  registerPages(app, ctx);
  return app;
}

export async function startConsole(o: ConsoleOptions): Promise<RunningConsole> {
  const app = await buildConsole(o);
  const host = o.host ?? '127.0.0.1';
  await app.listen({ host, port: o.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port ?? 0;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  o.log.info({ url }, 'console listening');
  return { url, host, port, app, close: () => app.close() };
}
