/**
 * How people get in and out of the console: the password form, then the one-time code on a page of its own
 * when the account needs it; login by the establishment's identity provider; the forced or chosen password
 * change; logout. Every step goes through the security core, which writes the audit trail.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRelaisError } from '../domain/index.js';
import { PENDING_LOGIN_MINUTES } from '../security/index.js';
import { attemptLogin } from './api.js';
import { authorize, sessionCookieOptions, type Authorized } from './auth.js';
import { LOGIN_CSRF_COOKIE, READERS, SESSION_COOKIE, type ConsoleContext } from './context.js';
import { html, type SafeHtml } from './html.js';
import { OIDC_CALLBACK_PATH } from './oidc-login.js';
import { csrfField, page, type PageOptions } from './views.js';

const HTML = 'text/html; charset=utf-8';
/** The pending login between the password and the code: scoped to the login pages, never a session. */
export const PENDING_LOGIN_COOKIE = 'relais_login_pending';
/**
 * The login in progress at the identity provider. SameSite=Lax, not Strict: the browser comes back from the
 * provider's site by a top-level GET, and a Strict cookie would not come with it. It only names the flow;
 * the state, nonce and PKCE verifier stay on the server.
 */
export const OIDC_FLOW_COOKIE = 'relais_oidc_flow';

const loginMotifs: Record<string, string> = {
  inactivite: 'Votre session a été verrouillée après une période d’inactivité : reconnectez-vous.',
  'mot-de-passe': 'Mot de passe changé : reconnectez-vous avec le nouveau.',
  deconnexion: 'Vous êtes déconnecté.',
  'code-expire': 'La saisie du code a expiré : reprenez la connexion.',
};

function send(reply: FastifyReply, body: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type(HTML).send(body.text);
}

/** A fresh double-submit token for a login form: a page of another site cannot post a login here. */
function loginCsrf(ctx: ConsoleContext, reply: FastifyReply): string {
  const token = randomBytes(24).toString('base64url');
  void reply.setCookie(LOGIN_CSRF_COOKIE, token, { path: '/connexion', httpOnly: true, sameSite: 'strict', secure: ctx.secure });
  return token;
}

function loginCsrfOk(req: FastifyRequest): boolean {
  const expected = req.cookies[LOGIN_CSRF_COOKIE];
  const b = (req.body ?? {}) as Record<string, unknown>;
  return typeof expected === 'string' && expected !== '' && typeof b._csrf === 'string' && b._csrf === expected;
}

function loginForm(ctx: ConsoleContext, reply: FastifyReply, o: { login?: string; flash?: PageOptions['flash'] }, status = 200) {
  const token = loginCsrf(ctx, reply);
  const provider = ctx.oidc ? html`
<div class="card narrow provider"><p>Professionnels de santé et agents de l’établissement :</p>
<p><a class="button" href="/connexion/oidc">Se connecter avec ${ctx.oidc.label}</a></p></div>` : '';
  return send(reply, page(ctx, { title: 'Connexion', ...(o.flash ? { flash: o.flash } : {}) }, html`${provider}
<form method="post" action="/connexion" class="card narrow" autocomplete="off">
<input type="hidden" name="_csrf" value="${token}">
<label>Identifiant <input name="login" value="${o.login ?? ''}" required maxlength="64" autocomplete="username" autofocus></label>
<label>Mot de passe <input name="password" type="password" required maxlength="1024" autocomplete="current-password"></label>
<p class="hint">Les administrateurs, et tout compte équipé d’un second facteur, saisissent ensuite un code à usage unique.</p>
<button type="submit">Continuer</button>
</form>`), status);
}

function codeForm(ctx: ConsoleContext, reply: FastifyReply, flash?: PageOptions['flash'], status = 200) {
  const token = loginCsrf(ctx, reply);
  return send(reply, page(ctx, { title: 'Code à usage unique', ...(flash ? { flash } : {}) }, html`
<form method="post" action="/connexion/code" class="card narrow" autocomplete="off">
<input type="hidden" name="_csrf" value="${token}">
<p>Mot de passe accepté. Saisissez le code à six chiffres de votre application d’authentification.</p>
<label>Code <input name="totp" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autocomplete="one-time-code" autofocus></label>
<p class="hint">Ce code doit être saisi dans les ${PENDING_LOGIN_MINUTES} minutes. <a href="/connexion">Recommencer la connexion</a></p>
<button type="submit">Se connecter</button>
</form>`), status);
}

/** After a successful login: the session cookie, then the first page (or the forced password change). */
function opened(ctx: ConsoleContext, reply: FastifyReply, session: { token: string; expiresAt: Date }, mustChangePassword: boolean): FastifyReply {
  void reply.setCookie(SESSION_COOKIE, session.token, { ...sessionCookieOptions(ctx), expires: session.expiresAt });
  void reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/connexion' });
  void reply.clearCookie(PENDING_LOGIN_COOKIE, { path: '/connexion' });
  return reply.redirect(mustChangePassword ? '/mot-de-passe' : '/', 303);
}

export function registerLoginPages(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/connexion', async (req, reply) => {
    const motif = (req.query as Record<string, unknown> | undefined)?.motif;
    const text = typeof motif === 'string' ? loginMotifs[motif] : undefined;
    return loginForm(ctx, reply, text ? { flash: { kind: 'info', text } } : {});
  });

  app.post('/connexion', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const login = typeof b.login === 'string' ? b.login.slice(0, 128) : '';
    if (!loginCsrfOk(req)) {
      await ctx.security.audit({ actor: 'anonymous', operation: 'access_denied', target: 'POST /connexion', result: 'failure', detail: 'csrf', sourceIp: req.ip });
      return loginForm(ctx, reply, { login, flash: { kind: 'error', text: 'Le formulaire a expiré : recommencez.' } }, 403);
    }
    if (typeof b.password !== 'string' || b.password.length > 1024 || login === '') {
      return loginForm(ctx, reply, { login, flash: { kind: 'error', text: 'Identifiant ou mot de passe incorrect, ou compte verrouillé.' } }, 401);
    }
    const r = await attemptLogin(ctx, req, { login, password: b.password, twoStep: true });
    if (r.limited !== undefined) {
      void reply.header('retry-after', String(r.limited));
      return loginForm(ctx, reply, { login, flash: { kind: 'error', text: `Trop de tentatives : réessayez dans ${r.limited} secondes.` } }, 429);
    }
    if (!r.ok && r.pending) {
      void reply.setCookie(PENDING_LOGIN_COOKIE, r.pending.token, {
        path: '/connexion', httpOnly: true, sameSite: 'strict', secure: ctx.secure, expires: r.pending.expiresAt,
      });
      return reply.redirect('/connexion/code', 303);
    }
    if (!r.ok) return loginForm(ctx, reply, { login, flash: { kind: 'error', text: r.label } }, 401);
    return opened(ctx, reply, r.session, r.mustChangePassword);
  });

  app.get('/connexion/code', async (req, reply) => {
    const pending = req.cookies[PENDING_LOGIN_COOKIE];
    if (!pending || !(await ctx.security.sessions.findPending(pending))) return reply.redirect('/connexion?motif=code-expire', 303);
    return codeForm(ctx, reply);
  });

  app.post('/connexion/code', async (req, reply) => {
    const pending = req.cookies[PENDING_LOGIN_COOKIE];
    if (!loginCsrfOk(req)) {
      await ctx.security.audit({ actor: 'anonymous', operation: 'access_denied', target: 'POST /connexion/code', result: 'failure', detail: 'csrf', sourceIp: req.ip });
      return codeForm(ctx, reply, { kind: 'error', text: 'Le formulaire a expiré : recommencez.' }, 403);
    }
    if (!pending) return reply.redirect('/connexion?motif=code-expire', 303);
    // The throttle counts per address and per pending login (its login is not known before the lookup).
    const key = `code:${createHash('sha256').update(pending).digest('base64url').slice(0, 16)}`;
    const wait = ctx.throttle.take(req.ip, key);
    if (wait !== undefined) {
      await ctx.security.audit({ actor: 'anonymous', operation: 'login_rate_limited', target: 'POST /connexion/code', result: 'failure', sourceIp: req.ip });
      void reply.header('retry-after', String(wait));
      return codeForm(ctx, reply, { kind: 'error', text: `Trop de tentatives : réessayez dans ${wait} secondes.` }, 429);
    }
    const b = (req.body ?? {}) as Record<string, unknown>;
    const totp = typeof b.totp === 'string' ? b.totp.trim().slice(0, 16) : '';
    const r = await ctx.security.accounts.completeSecondFactor({ pendingToken: pending, totp, sourceIp: req.ip });
    if (r.ok) return opened(ctx, reply, r.session, r.mustChangePassword);
    if (r.reason === 'totp_invalid' && await ctx.security.sessions.findPending(pending)) {
      return codeForm(ctx, reply, { kind: 'error', text: r.label }, 401);
    }
    // The pending login ended (expired, used, account locked): back to the password, with the same words for all.
    void reply.clearCookie(PENDING_LOGIN_COOKIE, { path: '/connexion' });
    return loginForm(ctx, reply, { flash: { kind: 'error', text: 'Identifiant ou mot de passe incorrect, ou compte verrouillé.' } }, 401);
  });

  app.get('/connexion/oidc', async (req, reply) => {
    if (!ctx.oidc) return reply.redirect('/connexion', 303);
    try {
      const { url, flowId } = await ctx.oidc.begin();
      void reply.setCookie(OIDC_FLOW_COOKIE, flowId, { path: '/connexion/oidc', httpOnly: true, sameSite: 'lax', secure: ctx.secure, maxAge: 600 });
      return reply.redirect(url, 303);
    } catch (e) {
      ctx.log.warn({ code: isRelaisError(e) ? e.details.reason : 'unexpected', err: (e as Error).message.slice(0, 200) }, 'identity provider login could not start');
      return loginForm(ctx, reply, { flash: { kind: 'error', text: `${ctx.oidc.label} ne répond pas : réessayez plus tard ou connectez-vous avec un compte local.` } }, 503);
    }
  });

  app.get(OIDC_CALLBACK_PATH, async (req, reply) => {
    if (!ctx.oidc) return reply.redirect('/connexion', 303);
    const flowId = req.cookies[OIDC_FLOW_COOKIE];
    void reply.clearCookie(OIDC_FLOW_COOKIE, { path: '/connexion/oidc' });
    const provider = ctx.oidc.label;
    let identity;
    try {
      identity = await ctx.oidc.finish(flowId, new URL(req.url, 'http://console.invalid').search);
    } catch (e) {
      const reason = isRelaisError(e) && typeof e.details.reason === 'string' ? e.details.reason : 'unexpected';
      await ctx.security.audit({
        actor: 'anonymous', operation: 'login_failed', target: provider.slice(0, 64), result: 'failure', detail: { method: 'oidc', reason }, sourceIp: req.ip,
      });
      return loginForm(ctx, reply, { flash: { kind: 'error', text: `La connexion par ${provider} n’a pas abouti : recommencez.` } }, 401);
    }
    const previous = req.cookies[SESSION_COOKIE];
    if (previous) await ctx.security.sessions.logout(previous, { sourceIp: req.ip });
    const r = await ctx.security.accounts.loginWithIdentity({
      oidcId: identity.id, provider, strongAuthentication: identity.strong, sourceIp: req.ip,
    });
    if (!r.ok) return loginForm(ctx, reply, { flash: { kind: 'error', text: r.label } }, 403);
    void reply.setCookie(SESSION_COOKIE, r.session.token, { ...sessionCookieOptions(ctx), expires: r.session.expiresAt });
    // A page rather than a redirect: this request came from the provider's site, and a navigation started
    // from here is same-site, so the SameSite=Strict session cookie goes with it.
    return send(reply, page(ctx, { title: 'Connexion', redirectTo: '/' }, html`<p>Connexion réussie. <a href="/">Continuer vers la console</a></p>`));
  });

  app.post('/deconnexion', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS, mutating: true, passwordChange: true });
    if (!who) return reply;
    await ctx.security.sessions.logout(who.token, { sourceIp: who.ip });
    void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
    return reply.redirect('/connexion?motif=deconnexion', 303);
  });

  const passwordForm = (reply: FastifyReply, who: Authorized, flash?: PageOptions['flash'], status = 200) => {
    const p = ctx.security.settings.password;
    const body = html`<p>${who.session.mustChangePassword ? 'Votre mot de passe doit être changé avant de continuer.' : 'Choisissez un nouveau mot de passe.'}</p>
<p class="hint">Au moins ${p.minLength} caractères, avec minuscule, majuscule, chiffre et caractère spécial ; différent des ${p.historyDepth} derniers.</p>
<form method="post" action="/mot-de-passe" class="card narrow" autocomplete="off">${csrfField(who.session)}
<label>Mot de passe actuel <input name="current" type="password" required maxlength="1024" autocomplete="current-password"></label>
<label>Nouveau mot de passe <input name="next" type="password" required maxlength="1024" autocomplete="new-password"></label>
<label>Confirmation <input name="confirm" type="password" required maxlength="1024" autocomplete="new-password"></label>
<button type="submit">Changer le mot de passe</button></form>`;
    return send(reply, page(ctx, { title: 'Changement de mot de passe', session: who.session, ...(flash ? { flash } : {}) }, body), status);
  };

  app.get('/mot-de-passe', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS, passwordChange: true });
    if (!who) return reply;
    return passwordForm(reply, who);
  });

  app.post('/mot-de-passe', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS, passwordChange: true, mutating: true });
    if (!who) return reply;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const [current, next, confirm] = [b.current, b.next, b.confirm].map((v) => (typeof v === 'string' ? v.slice(0, 1024) : ''));
    if (next !== confirm) return passwordForm(reply, who, { kind: 'error', text: 'La confirmation ne correspond pas au nouveau mot de passe.' }, 400);
    const r = await ctx.security.accounts.changePassword({ login: who.session.login, currentPassword: current!, newPassword: next!, sourceIp: who.ip });
    if (!r.ok) {
      if (r.locked) {
        void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
        return reply.redirect('/connexion', 303);
      }
      return passwordForm(reply, who, { kind: 'error', text: r.refusals.map((x) => x.label).join(' ') }, 400);
    }
    void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
    return reply.redirect('/connexion?motif=mot-de-passe', 303);
  });
}
