/**
 * Server-side console sessions (SC.SSI/IE.38 logout, IE.39 inactivity lock). The browser gets a random
 * 256-bit id; the store keeps its SHA-256, so reading the table gives no usable cookie. Each session has
 * its own CSRF token. A session ends after `idleMinutes` without activity or `absoluteHours` in all, when
 * its account is disabled or locked, on logout, and when it is rotated (a privilege change gets a fresh id,
 * against session fixation).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountRole } from '../domain/index.js';
import {
  findSession, getAccount, insertSession, revokeAccountSessions, revokeSession, touchSession,
} from '../store/index.js';
import type { AccountRow } from '../store/index.js';
import { SYSTEM_ACTOR, writeAudit } from './audit-trail.js';
import type { SecurityContext } from './context.js';
import { isPasswordExpired } from './password-policy.js';

export interface OpenedSession {
  /** The cookie value: give it to the browser only (HttpOnly, Secure, SameSite=Strict). */
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

export interface SessionInfo {
  readonly accountId: string;
  readonly login: string;
  readonly role: AccountRole;
  readonly csrfToken: string;
  readonly secondFactor: boolean;
  /** Only the password change may be offered until it is done. */
  readonly mustChangePassword: boolean;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  /** When the inactivity lock fires if nothing else happens. */
  readonly idleExpiresAt: Date;
}

export type SessionRefusal = 'unknown' | 'revoked' | 'expired' | 'account_unusable';

/** A login halfway through: the password was right, the TOTP code is awaited (SessionService.openPending). */
export interface PendingLogin {
  /** Give it to the browser only, in a cookie of its own scoped to the code step. */
  readonly token: string;
  readonly expiresAt: Date;
}

/** How long the code step waits for the code after the password. */
export const PENDING_LOGIN_MINUTES = 5;
export type SessionCheck = { ok: true; session: SessionInfo } | { ok: false; reason: SessionRefusal };

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Equal strings, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export class SessionService {
  readonly #ctx: SecurityContext;

  constructor(ctx: SecurityContext) {
    this.#ctx = ctx;
  }

  /** Opens a session for an account that has just proved who it is. */
  async open(account: Pick<AccountRow, 'id'>, o: { secondFactor: boolean; sourceIp?: string }): Promise<OpenedSession> {
    const now = this.#ctx.now();
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.#ctx.settings.sessions.absoluteHours * 3_600_000);
    await insertSession(this.#ctx.db, {
      idHash: hashToken(token), accountId: account.id, csrfToken, secondFactor: o.secondFactor, sourceIp: o.sourceIp ?? null, now, expiresAt,
    });
    return { token, csrfToken, expiresAt };
  }

  /**
   * Records that the password was right and the TOTP code is awaited. The row never authorizes a request
   * (`check` refuses it); `takePending` hands its account to the code step.
   */
  async openPending(account: Pick<AccountRow, 'id'>, o: { sourceIp?: string } = {}): Promise<PendingLogin> {
    const now = this.#ctx.now();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + PENDING_LOGIN_MINUTES * 60_000);
    await insertSession(this.#ctx.db, {
      idHash: hashToken(token), accountId: account.id, csrfToken: randomBytes(32).toString('base64url'), secondFactor: false,
      sourceIp: o.sourceIp ?? null, now, expiresAt, awaitingSecondFactor: true,
    });
    return { token, expiresAt };
  }

  /** The account of a live pending login, or undefined (unknown, used, expired). */
  async findPending(token: string): Promise<{ accountId: string } | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const s = await findSession(this.#ctx.db, hashToken(token));
    if (!s || !s.awaitingSecondFactor || s.revokedAt !== null || this.#ctx.now().getTime() >= s.expiresAt.getTime()) return undefined;
    return { accountId: s.accountId };
  }

  /** Ends a pending login (code accepted, or account locked); false when it was not live: the code step lost a race. */
  async endPending(token: string, reason: string): Promise<boolean> {
    if (!TOKEN.test(token)) return false;
    return revokeSession(this.#ctx.db, hashToken(token), reason, this.#ctx.now());
  }

  /** Checks a cookie and records the activity. An idle or outlived session is revoked and audited. */
  async check(token: string, o: { sourceIp?: string } = {}): Promise<SessionCheck> {
    if (!TOKEN.test(token)) return { ok: false, reason: 'unknown' };
    const { db, settings } = this.#ctx;
    const now = this.#ctx.now();
    const idHash = hashToken(token);
    const s = await findSession(db, idHash);
    // A pending login is not a session, whichever cookie carries its token.
    if (!s || s.awaitingSecondFactor) return { ok: false, reason: 'unknown' };
    if (s.revokedAt !== null) return { ok: false, reason: s.revokeReason === 'idle' || s.revokeReason === 'lifetime' ? 'expired' : 'revoked' };
    const account = await getAccount(db, s.accountId);
    const idleMs = settings.sessions.idleMinutes * 60_000;
    const idle = now.getTime() - s.lastSeenAt.getTime() >= idleMs;
    const outlived = now.getTime() >= s.expiresAt.getTime();
    if (idle || outlived) {
      if (await revokeSession(db, idHash, idle ? 'idle' : 'lifetime', now)) {
        await writeAudit(db, {
          actor: SYSTEM_ACTOR, operation: 'session_expired', target: account?.login ?? s.accountId, result: 'success',
          detail: idle ? 'inactivity' : 'lifetime', ...(o.sourceIp !== undefined ? { sourceIp: o.sourceIp } : {}),
        }, now);
      }
      return { ok: false, reason: 'expired' };
    }
    if (!account || account.disabledAt !== null || account.lockedAt !== null) {
      await revokeSession(db, idHash, 'account', now);
      return { ok: false, reason: 'account_unusable' };
    }
    if (!(await touchSession(db, idHash, now))) return { ok: false, reason: 'revoked' };
    return {
      ok: true,
      session: {
        accountId: account.id, login: account.login, role: account.role, csrfToken: s.csrfToken, secondFactor: s.secondFactor,
        mustChangePassword: account.passwordHash !== null && (account.mustChangePassword || isPasswordExpired(account.passwordChangedAt, now, settings.password)),
        createdAt: s.createdAt, lastSeenAt: now, expiresAt: s.expiresAt,
        idleExpiresAt: new Date(Math.min(now.getTime() + idleMs, s.expiresAt.getTime())),
      },
    };
  }

  /** Whether a request's CSRF token is the session's (constant time). */
  verifyCsrf(session: Pick<SessionInfo, 'csrfToken'>, token: string | undefined): boolean {
    return token !== undefined && sameSecret(session.csrfToken, token);
  }

  /** Logout (IE.38). Returns false when the session was not live. */
  async logout(token: string, o: { sourceIp?: string } = {}): Promise<boolean> {
    if (!TOKEN.test(token)) return false;
    const { db } = this.#ctx;
    const now = this.#ctx.now();
    const idHash = hashToken(token);
    const s = await findSession(db, idHash);
    if (!s || s.awaitingSecondFactor || !(await revokeSession(db, idHash, 'logout', now))) return false;
    const login = (await getAccount(db, s.accountId))?.login ?? s.accountId;
    await writeAudit(db, {
      actor: login, operation: 'session_logout', target: login, result: 'success', ...(o.sourceIp !== undefined ? { sourceIp: o.sourceIp } : {}),
    }, now);
    return true;
  }

  /**
   * A fresh id for a live session whose privileges change (second factor given, password changed, role
   * elevated): the old id stops working, so an id planted before the change is worthless (session fixation).
   */
  async rotate(token: string, o: { sourceIp?: string; secondFactor?: boolean } = {}): Promise<OpenedSession | undefined> {
    const checked = await this.check(token, o);
    if (!checked.ok) return undefined;
    const now = this.#ctx.now();
    if (!(await revokeSession(this.#ctx.db, hashToken(token), 'rotated', now))) return undefined;
    return this.open({ id: checked.session.accountId }, {
      secondFactor: o.secondFactor ?? checked.session.secondFactor, ...(o.sourceIp !== undefined ? { sourceIp: o.sourceIp } : {}),
    });
  }

  /** Ends every session of an account (password change, disable, lock, role change). */
  revokeAll(accountId: string, reason: string): Promise<number> {
    return revokeAccountSessions(this.#ctx.db, accountId, reason, this.#ctx.now());
  }
}
