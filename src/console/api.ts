/**
 * The JSON API: login and logout, searches, operator orders (one delivery or every delivery matching a
 * search), MSSanté traces, the audit trail and accounts. Every route states its roles; orders are
 * audited with actor, operation and result.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accountRoles, isRelaisError, type AccountRole } from '../domain/index.js';
import type { Account } from '../security/index.js';
import {
  getDocumentSummary, listAttempts, listMssTraces, searchDeliveries, searchDeliveryIds, searchDocuments, type DeliverySearch,
} from '../store/index.js';
import { applyDeliveryOrder, deliveryOrders, type DeliveryOrder } from './admin-api.js';
import { actorOf, authorize, routeOf, sessionCookieOptions, type Authorized } from './auth.js';
import { ADMINS, AUDITORS, OPERATORS, READERS, SESSION_COOKIE, type ConsoleContext } from './context.js';
import { criteriaNames, parseSearch } from './search-params.js';

/** A bulk order touches at most this many deliveries; the answer says when more remain. */
export const BULK_MAX = 1000;

/** A refused parameter answers 400 naming the field, and is audited (a probe shows in the trail). */
async function badRequest(ctx: ConsoleContext, req: FastifyRequest, reply: FastifyReply, field: string) {
  await ctx.security.audit({
    actor: actorOf(req), operation: 'request_refused', target: `${req.method} ${routeOf(req)}`.slice(0, 200), result: 'failure',
    detail: `invalid_parameter:${field}`, sourceIp: req.ip,
  });
  return reply.code(400).send({ error: 'invalid_parameter', field });
}

function accountJson(a: Account) {
  return {
    login: a.login, role: a.role, mustChangePassword: a.mustChangePassword, locked: a.lockedAt !== null, disabled: a.disabledAt !== null,
    totpEnrolled: a.totpEnrolled, totpRequired: a.totpRequired, lastLoginAt: a.lastLoginAt, createdAt: a.createdAt,
  };
}

export interface OrderResult { changed: number; matched: number; more: boolean }

/** Applies an order to one delivery or to a search, and audits it (criteria names only, never values). */
export async function runOrder(
  ctx: ConsoleContext, who: Authorized, order: DeliveryOrder, target: { id: string } | { search: DeliverySearch }, reason?: string,
): Promise<OrderResult> {
  const ids = 'id' in target ? [target.id] : await searchDeliveryIds(ctx.store.db, target.search, BULK_MAX + 1);
  const more = ids.length > BULK_MAX;
  const chosen = ids.slice(0, BULK_MAX);
  const changed = chosen.length === 0 ? 0 : await applyDeliveryOrder(ctx.store, order, { ids: chosen, reason: reason ?? `console:${who.session.login}` });
  await ctx.security.audit({
    actor: who.session.login, operation: `delivery_${order}`, target: 'id' in target ? target.id : 'search',
    result: changed > 0 ? 'success' : 'failure',
    detail: 'id' in target ? { changed } : { changed, matched: chosen.length, criteria: criteriaNames(target.search) },
    sourceIp: who.ip,
  });
  return { changed, matched: chosen.length, more };
}

function loginFields(body: unknown): { login: string; password: string; totp?: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.login !== 'string' || typeof b.password !== 'string' || b.login.length > 128 || b.password.length > 1024) return undefined;
  if (b.totp !== undefined && (typeof b.totp !== 'string' || b.totp.length > 16)) return undefined;
  return { login: b.login, password: b.password, ...(typeof b.totp === 'string' && b.totp !== '' ? { totp: b.totp } : {}) };
}

/** Login shared by the API and the login page: throttle, then the security core; the audit is the core's. */
export async function attemptLogin(ctx: ConsoleContext, req: FastifyRequest, f: { login: string; password: string; totp?: string; twoStep?: boolean }) {
  const wait = ctx.throttle.take(req.ip, f.login);
  if (wait !== undefined) {
    await ctx.security.audit({
      actor: f.login.trim().toLowerCase().slice(0, 64) || 'anonymous', operation: 'login_rate_limited', target: f.login.trim().toLowerCase().slice(0, 64),
      result: 'failure', sourceIp: req.ip,
    });
    return { ok: false as const, limited: wait };
  }
  // A session cookie the browser already had is ended: the new session gets a fresh id (session fixation).
  const previous = req.cookies[SESSION_COOKIE];
  if (previous) await ctx.security.sessions.logout(previous, { sourceIp: req.ip });
  return { ...(await ctx.security.accounts.login({ ...f, sourceIp: req.ip })), limited: undefined };
}

export function registerApi(app: FastifyInstance, ctx: ConsoleContext): void {
  const json = { kind: 'api' } as const;

  app.post('/api/login', async (req, reply) => {
    // JSON only: a page of another site can post a form, not JSON, so it cannot log a browser in (login CSRF).
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return reply.code(415).send({ error: 'unsupported_media_type' });
    }
    const f = loginFields(req.body);
    if (!f) return badRequest(ctx, req, reply, 'login');
    const r = await attemptLogin(ctx, req, f);
    if (r.limited !== undefined) return reply.code(429).header('retry-after', String(r.limited)).send({ error: 'too_many_attempts' });
    if (!r.ok) return reply.code(401).send({ error: r.reason, message: r.label });
    void reply.setCookie(SESSION_COOKIE, r.session.token, { ...sessionCookieOptions(ctx), expires: r.session.expiresAt });
    return { login: r.account.login, role: r.account.role, mustChangePassword: r.mustChangePassword, csrfToken: r.session.csrfToken };
  });

  app.post('/api/logout', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { ...json, roles: READERS, mutating: true, passwordChange: true });
    if (!who) return reply;
    await ctx.security.sessions.logout(who.token, { sourceIp: who.ip });
    void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
    return { ok: true };
  });

  app.get('/api/documents', async (req, reply) => {
    if (!(await authorize(ctx, req, reply, { ...json, roles: READERS }))) return reply;
    const s = parseSearch(req.query);
    if (!s.ok) return badRequest(ctx, req, reply, s.field);
    return { documents: await searchDocuments(ctx.store.db, s.value) };
  });

  app.get<{ Params: { id: string } }>('/api/documents/:id', async (req, reply) => {
    if (!(await authorize(ctx, req, reply, { ...json, roles: READERS }))) return reply;
    const doc = await getDocumentSummary(ctx.store.db, req.params.id);
    if (!doc) return reply.code(404).send({ error: 'not_found' });
    const deliveries = await searchDeliveries(ctx.store.db, { documentRowId: doc.id });
    const attempts = await Promise.all(deliveries.map((d) => listAttempts(ctx.store.db, d.id)));
    return { document: doc, deliveries: deliveries.map((d, i) => ({ ...d, attempts: attempts[i] })) };
  });

  app.get('/api/deliveries', async (req, reply) => {
    if (!(await authorize(ctx, req, reply, { ...json, roles: READERS }))) return reply;
    const s = parseSearch(req.query);
    if (!s.ok) return badRequest(ctx, req, reply, s.field);
    return { deliveries: await searchDeliveries(ctx.store.db, s.value) };
  });

  app.post<{ Params: { id: string; order: string } }>('/api/deliveries/:id/:order', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { ...json, roles: OPERATORS, mutating: true });
    if (!who) return reply;
    const order = req.params.order as DeliveryOrder;
    if (!deliveryOrders.includes(order)) return reply.code(404).send({ error: 'not_found' });
    if (!/^[1-9]\d{0,18}$/.test(req.params.id)) return badRequest(ctx, req, reply, 'id');
    const r = await runOrder(ctx, who, order, { id: req.params.id });
    if (r.changed === 0) return reply.code(409).send({ error: 'not_applicable', changed: 0 });
    return r;
  });

  app.post<{ Params: { order: string } }>('/api/deliveries/:order', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { ...json, roles: OPERATORS, mutating: true });
    if (!who) return reply;
    const order = req.params.order as DeliveryOrder;
    if (!deliveryOrders.includes(order)) return reply.code(404).send({ error: 'not_found' });
    const body = req.body as { search?: unknown; reason?: unknown } | undefined;
    const s = parseSearch(body?.search);
    if (!s.ok) return badRequest(ctx, req, reply, s.field);
    if (Object.keys(s.value).length === 0) return badRequest(ctx, req, reply, 'search');
    if (body?.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 200)) return badRequest(ctx, req, reply, 'reason');
    return runOrder(ctx, who, order, { search: s.value }, body?.reason as string | undefined);
  });

  app.get<{ Querystring: Record<string, string> }>('/api/traces', async (req, reply) => {
    if (!(await authorize(ctx, req, reply, { ...json, roles: READERS }))) return reply;
    const s = parseSearch({ from: req.query.from, to: req.query.to, limit: req.query.limit, before: req.query.before, messageId: req.query.messageId });
    if (!s.ok) return badRequest(ctx, req, reply, s.field);
    const failedOnly = req.query.failed === '1' || req.query.failed === 'true';
    return {
      traces: await listMssTraces(ctx.store.db, {
        ...(s.value.from ? { since: s.value.from } : {}), ...(s.value.to ? { until: s.value.to } : {}),
        ...(s.value.mailMessageId ? { mailMessageId: s.value.mailMessageId } : {}), ...(s.value.limit ? { limit: s.value.limit } : {}),
        ...(s.value.beforeId ? { beforeId: s.value.beforeId } : {}), failedOnly,
      }),
    };
  });

  app.get<{ Querystring: Record<string, string> }>('/api/audit', async (req, reply) => {
    if (!(await authorize(ctx, req, reply, { ...json, roles: AUDITORS }))) return reply;
    const s = parseSearch({ from: req.query.from, to: req.query.to, limit: req.query.limit, before: req.query.before });
    if (!s.ok) return badRequest(ctx, req, reply, s.field);
    const actor = typeof req.query.actor === 'string' && req.query.actor.length <= 64 ? req.query.actor : undefined;
    return {
      entries: await ctx.security.queryAudit({
        ...(s.value.from ? { since: s.value.from } : {}), ...(s.value.to ? { until: s.value.to } : {}),
        ...(s.value.limit ? { limit: s.value.limit } : {}), ...(s.value.beforeId ? { beforeId: s.value.beforeId } : {}),
        ...(actor ? { actor } : {}),
      }),
    };
  });

  app.get('/api/accounts', async (req, reply) => {
    if (!(await authorize(ctx, req, reply, { ...json, roles: ADMINS }))) return reply;
    return { accounts: (await ctx.security.accounts.list()).map(accountJson) };
  });

  app.post('/api/accounts', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { ...json, roles: ADMINS, mutating: true });
    if (!who) return reply;
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.login !== 'string' || typeof b.password !== 'string' || b.password.length > 1024) return badRequest(ctx, req, reply, 'login');
    if (!(accountRoles as readonly unknown[]).includes(b.role)) return badRequest(ctx, req, reply, 'role');
    try {
      const r = await ctx.security.accounts.create({ login: b.login, password: b.password, role: b.role as AccountRole, mustChangePassword: true },
        { actor: who.session.login, sourceIp: who.ip });
      return reply.code(201).send({ account: accountJson(r.account), ...(r.totpUri ? { totpUri: r.totpUri } : {}) });
    } catch (e) {
      if (isRelaisError(e)) return reply.code(e.code === 'RLS_ACCOUNT_EXISTS' ? 409 : 400).send({ error: e.code, message: e.message });
      throw e;
    }
  });

  app.post<{ Params: { login: string; action: string } }>('/api/accounts/:login/:action', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { ...json, roles: ADMINS, mutating: true });
    if (!who) return reply;
    const by = { actor: who.session.login, sourceIp: who.ip };
    const { login, action } = req.params;
    const accounts = ctx.security.accounts;
    try {
      switch (action) {
        case 'disable': return { account: accountJson(await accounts.disable(login, by)) };
        case 'enable': return { account: accountJson(await accounts.enable(login, by)) };
        case 'unlock': return { account: accountJson(await accounts.unlock(login, by)) };
        case 'role': {
          const role = (req.body as { role?: unknown } | undefined)?.role;
          if (!(accountRoles as readonly unknown[]).includes(role)) return badRequest(ctx, req, reply, 'role');
          return { account: accountJson(await accounts.setRole(login, role as AccountRole, by)) };
        }
        default: return reply.code(404).send({ error: 'not_found' });
      }
    } catch (e) {
      if (isRelaisError(e)) return reply.code(e.code === 'RLS_ACCOUNT_NOT_FOUND' ? 404 : 400).send({ error: e.code });
      throw e;
    }
  });
}
