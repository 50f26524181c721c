/**
 * Every protected route goes through `authorize`: a live server-side session (idle timeout of the
 * security settings), the forced password change, the route's roles, and the CSRF token on every
 * state-changing request. Refusals of a role or of a CSRF token are written to the audit trail.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountRole } from '../domain/index.js';
import type { SessionInfo } from '../security/index.js';
import { SESSION_COOKIE, type ConsoleContext } from './context.js';
import { errorPage } from './views.js';

export interface Authorized {
  readonly session: SessionInfo;
  readonly token: string;
  readonly ip: string;
}

export interface Access {
  readonly roles: readonly AccountRole[];
  /** page: refusals redirect or show an HTML page; api: JSON and a status. */
  readonly kind: 'page' | 'api';
  /** A state-changing request: the session's CSRF token must come as the `_csrf` field or `x-csrf-token` header. */
  readonly mutating?: boolean;
  /** Reachable while the password must be changed. */
  readonly passwordChange?: boolean;
}

export function sessionCookieOptions(ctx: ConsoleContext) {
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: ctx.secure };
}

function csrfOf(req: FastifyRequest): string | undefined {
  const header = req.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = req.body as Record<string, unknown> | undefined;
  return body && typeof body === 'object' && typeof body._csrf === 'string' ? body._csrf : undefined;
}

/** The route pattern, never the query string (it may carry an INS or an IPP). */
export function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? 'unknown';
}

async function refuse(
  ctx: ConsoleContext, req: FastifyRequest, reply: FastifyReply, access: Access, status: 401 | 403, code: string, actor: string,
): Promise<undefined> {
  await ctx.security.audit({
    actor, operation: 'access_denied', target: `${req.method} ${routeOf(req)}`.slice(0, 200), result: 'failure', detail: code, sourceIp: req.ip,
  }).catch(() => ctx.metrics.storeErrors.inc());
  if (access.kind === 'api') {
    void reply.code(status).send({ error: code });
  } else if (status === 401) {
    void reply.redirect('/connexion', 303);
  } else {
    void reply.code(403).type('text/html; charset=utf-8').send(errorPage(ctx, 'Accès refusé', code === 'csrf'
      ? 'Le formulaire a expiré ou ne vient pas de cette console : rechargez la page et recommencez.'
      : 'Votre rôle ne permet pas cette page ou cette action.').text);
  }
  return undefined;
}

const actors = new WeakMap<FastifyRequest, string>();

/** The login a request was authorized for, or `anonymous` (for audit entries written after the check). */
export function actorOf(req: FastifyRequest): string {
  return actors.get(req) ?? 'anonymous';
}

export async function authorize(ctx: ConsoleContext, req: FastifyRequest, reply: FastifyReply, access: Access): Promise<Authorized | undefined> {
  const token = req.cookies[SESSION_COOKIE];
  const anonymousAudited = access.kind === 'api' || access.mutating === true;
  if (token === undefined || token === '') {
    if (anonymousAudited) return refuse(ctx, req, reply, access, 401, 'no_session', 'anonymous');
    void reply.redirect('/connexion', 303);
    return undefined;
  }
  const checked = await ctx.security.sessions.check(token, { sourceIp: req.ip });
  if (!checked.ok) {
    void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
    if (anonymousAudited) return refuse(ctx, req, reply, access, 401, `session_${checked.reason}`, 'anonymous');
    void reply.redirect(checked.reason === 'expired' ? '/connexion?motif=inactivite' : '/connexion', 303);
    return undefined;
  }
  const session = checked.session;
  if (session.mustChangePassword && access.passwordChange !== true) {
    if (access.kind === 'api') {
      void reply.code(403).send({ error: 'password_change_required' });
    } else {
      void reply.redirect('/mot-de-passe', 303);
    }
    return undefined;
  }
  if (!access.roles.includes(session.role)) return refuse(ctx, req, reply, access, 403, `role_${session.role}`, session.login);
  if (access.mutating === true && !ctx.security.sessions.verifyCsrf(session, csrfOf(req))) {
    return refuse(ctx, req, reply, access, 403, 'csrf', session.login);
  }
  actors.set(req, session.login);
  return { session, token, ip: req.ip };
}
