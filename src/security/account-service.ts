/**
 * Local accounts (SC.SSI/IAM.92) and their audit trail (IAM.91): creation, role, disable/enable, unlock,
 * password change under the policy, TOTP enrolment and login. Every operation, refused or not, writes one
 * audit entry (plus `account_lock` when a failure locks the account).
 *
 * No user enumeration: a login with an unknown, disabled or locked account costs one argon2 verification,
 * like a wrong password, and answers the same `invalid_credentials`; only the audit trail says which.
 */
import { randomBytes } from 'node:crypto';
import { RelaisError, accountRoles } from '../domain/index.js';
import type { AccountRole } from '../domain/index.js';
import {
  addPasswordHistory, claimTotpStep, findAccountByLogin, findAccountByOidcId, getAccount, insertAccount, isUniqueViolation, listAccounts, listPasswordHistory,
  recordAccountFailure, updateAccount,
} from '../store/index.js';
import type { AccountRow } from '../store/index.js';
import { SYSTEM_ACTOR, writeAudit } from './audit-trail.js';
import type { AuditEntryInput } from './audit-trail.js';
import type { Actor, SecurityContext } from './context.js';
import { hashPassword, needsRehash, verifyPassword } from './password-hash.js';
import { checkPasswordRules, isPasswordExpired, passwordRefusal } from './password-policy.js';
import type { PasswordRefusal, PasswordRefusalCode } from './password-policy.js';
import type { OpenedSession, PendingLogin, SessionService } from './session-service.js';
import { matchTotpStep, newTotpSecret, totpUri } from './totp.js';

/** An account as the console shows it: no hash, no secret. */
export interface Account {
  readonly id: string;
  readonly login: string;
  readonly role: AccountRole;
  /** False: the account signs in through the establishment's identity provider only. */
  readonly hasPassword: boolean;
  /** The linked identity at the identity provider (e.g. an RPPS number), or null. */
  readonly oidcId: string | null;
  /** Set by an administrator, or the password expired (maxAgeDays). Never for an account without password. */
  readonly mustChangePassword: boolean;
  readonly passwordChangedAt: Date;
  /** null when passwords never expire or the account has none. */
  readonly passwordExpiresAt: Date | null;
  readonly failedCount: number;
  readonly lockedAt: Date | null;
  readonly disabledAt: Date | null;
  /** A TOTP secret is confirmed (a valid code was given once). */
  readonly totpEnrolled: boolean;
  /** The role requires a TOTP code at login. */
  readonly totpRequired: boolean;
  readonly lastLoginAt: Date | null;
  readonly createdAt: Date;
}

export type LoginRefusal =
  /** Unknown login, wrong password, disabled or locked account: one answer for all (no enumeration). */
  | 'invalid_credentials'
  /** The password is right; a TOTP code is needed. */
  | 'totp_required'
  /** The code is wrong, out of the ±30 s window, or already used. */
  | 'totp_invalid'
  /** The role requires TOTP but the account has no secret: an administrator must enrol it (`relais user totp`). */
  | 'totp_enrolment_required';

export type LoginOutcome =
  | { ok: true; account: Account; mustChangePassword: boolean; session: OpenedSession }
  | {
    ok: false; reason: LoginRefusal; label: string;
    /** Two-step login only: the password was right and the code step may go on with this (reason `totp_required`). */
    pending?: PendingLogin;
  };

/** A login by the establishment's identity provider, as the console's OpenID Connect client saw it. */
export interface IdentityLogin {
  /** The identity the provider asserted (the configured claim, e.g. PSC's `preferred_username`: the RPPS number). */
  readonly oidcId: string;
  /** The provider's name, for the audit trail. */
  readonly provider: string;
  /** The provider's authentication met the configured assurance (acr): it counts as the second factor. */
  readonly strongAuthentication: boolean;
  readonly sourceIp?: string;
}

export type IdentityLoginRefusal = 'unknown_identity' | 'account_unusable' | 'second_factor_required';
export type IdentityLoginOutcome =
  | { ok: true; account: Account; session: OpenedSession }
  | { ok: false; reason: IdentityLoginRefusal; label: string };

const identityLabels: Record<IdentityLoginRefusal, string> = {
  unknown_identity: 'Cette identité n’est rattachée à aucun compte actif de la console : contactez un administrateur.',
  account_unusable: 'Cette identité n’est rattachée à aucun compte actif de la console : contactez un administrateur.',
  second_factor_required: 'Votre rôle exige une authentification forte : reconnectez-vous avec un moyen d’authentification à deux facteurs.',
};

export type PasswordChangeOutcome =
  | { ok: true }
  | { ok: false; refusals: PasswordRefusal[]; locked: boolean };

const loginLabels: Record<LoginRefusal, string> = {
  invalid_credentials: 'Identifiant ou mot de passe incorrect, ou compte verrouillé.',
  totp_required: 'Saisissez le code à usage unique de votre application d’authentification.',
  totp_invalid: 'Code à usage unique incorrect ou déjà utilisé.',
  totp_enrolment_required: 'Ce compte doit être équipé d’un second facteur : contactez un administrateur.',
};

const LOGIN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
/** An identity at the provider: printable, no spaces at the ends (a claim value, compared exactly). */
const OIDC_ID = /^[\x21-\x7e\u00a0-\uffff](?:[\x20-\x7e\u00a0-\uffff]{0,253}[\x21-\x7e\u00a0-\uffff])?$/;

export function isValidOidcId(id: string): boolean {
  return OIDC_ID.test(id);
}

/** Logins are case-insensitive: stored in lower case. */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

function fail(refusal: LoginRefusal): LoginOutcome & { ok: false } {
  return { ok: false, reason: refusal, label: loginLabels[refusal] };
}

export class AccountService {
  readonly #ctx: SecurityContext;
  readonly #sessions: SessionService;
  #dummyHash: Promise<string> | undefined;

  constructor(ctx: SecurityContext, sessions: SessionService) {
    this.#ctx = ctx;
    this.#sessions = sessions;
  }

  #audit(e: AuditEntryInput): Promise<{ id: string }> {
    return writeAudit(this.#ctx.db, e, this.#ctx.now());
  }

  #view(a: AccountRow): Account {
    const { password, totp } = this.#ctx.settings;
    const now = this.#ctx.now();
    const hasPassword = a.passwordHash !== null;
    return {
      id: a.id, login: a.login, role: a.role, hasPassword, oidcId: a.oidcId,
      mustChangePassword: hasPassword && (a.mustChangePassword || isPasswordExpired(a.passwordChangedAt, now, password)),
      passwordChangedAt: a.passwordChangedAt,
      passwordExpiresAt: hasPassword && password.maxAgeDays > 0 ? new Date(a.passwordChangedAt.getTime() + password.maxAgeDays * 86_400_000) : null,
      failedCount: a.failedCount, lockedAt: a.lockedAt, disabledAt: a.disabledAt,
      totpEnrolled: a.totpSecret !== null && a.totpConfirmedAt !== null,
      totpRequired: totp.requiredRoles.includes(a.role),
      lastLoginAt: a.lastLoginAt, createdAt: a.createdAt,
    };
  }

  /** A hash of a random password with the current settings: unknown logins verify against it. */
  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword(randomBytes(24).toString('base64'), this.#ctx.settings.hashing);
    return this.#dummyHash;
  }

  async #require(login: string): Promise<AccountRow> {
    const a = await findAccountByLogin(this.#ctx.db, normalizeLogin(login));
    if (!a) throw new RelaisError('RLS_ACCOUNT_NOT_FOUND', undefined, { login: normalizeLogin(login).slice(0, 64) });
    return a;
  }

  /** Counts a failure; when it locks the account, ends its sessions and records `account_lock`. */
  async #countFailure(a: AccountRow, sourceIp: string | undefined): Promise<boolean> {
    const { password } = this.#ctx.settings;
    const wasLocked = a.lockedAt !== null;
    const r = await recordAccountFailure(this.#ctx.db, a.id, { lockAfter: password.lockAfter, now: this.#ctx.now() });
    if (r.locked && !wasLocked) {
      await this.#sessions.revokeAll(a.id, 'locked');
      await this.#audit({
        actor: SYSTEM_ACTOR, operation: 'account_lock', target: a.login, result: 'success',
        detail: { consecutiveFailures: r.failedCount }, ...(sourceIp !== undefined ? { sourceIp } : {}),
      });
    }
    return r.locked;
  }

  async list(): Promise<Account[]> {
    return (await listAccounts(this.#ctx.db)).map((a) => this.#view(a));
  }

  async get(login: string): Promise<Account | undefined> {
    const a = await findAccountByLogin(this.#ctx.db, normalizeLogin(login));
    return a ? this.#view(a) : undefined;
  }

  /**
   * Creates an account whose password satisfies the policy. When the role requires TOTP, a secret is
   * generated and its otpauth:// URI returned: the first login with a valid code confirms it.
   */
  /**
   * Creates an account. It signs in with a password that satisfies the policy, or through the
   * establishment's identity provider when `oidcId` is given (then the password is optional: without one,
   * the account has no local password at all). When the role requires TOTP and the account has a
   * password, a secret is generated and its otpauth:// URI returned: the first login with a valid code
   * confirms it.
   */
  async create(
    o: { login: string; role: AccountRole; password?: string; oidcId?: string; mustChangePassword?: boolean }, by: Actor,
  ): Promise<{ account: Account; totpUri?: string }> {
    const login = normalizeLogin(o.login);
    const ip = by.sourceIp !== undefined ? { sourceIp: by.sourceIp } : {};
    const refuse = async (detail: string, error: RelaisError): Promise<never> => {
      await this.#audit({ actor: by.actor, operation: 'account_create', target: login.slice(0, 64), result: 'failure', detail, ...ip });
      throw error;
    };
    if (!LOGIN.test(login)) {
      await refuse('invalid_login', new RelaisError('RLS_ACCOUNT_INVALID', 'a login is 1 to 64 characters: letters, digits, . _ @ -'));
    }
    if (!(accountRoles as readonly string[]).includes(o.role)) {
      await refuse('invalid_role', new RelaisError('RLS_ACCOUNT_INVALID', `unknown role; choose ${accountRoles.join(', ')}`));
    }
    if (o.oidcId !== undefined && !isValidOidcId(o.oidcId)) {
      await refuse('invalid_oidc_id', new RelaisError('RLS_ACCOUNT_INVALID', 'an identity of the provider is 1 to 255 printable characters'));
    }
    if (o.password === undefined && o.oidcId === undefined) {
      await refuse('no_sign_in_method', new RelaisError('RLS_ACCOUNT_INVALID', 'an account needs a password, an identity of the provider, or both'));
    }
    const { settings } = this.#ctx;
    if (o.password !== undefined) {
      const refusals = checkPasswordRules(o.password, settings.password, { login });
      if (refusals.length > 0) {
        await refuse(refusals.map((r) => r.code).join(','), new RelaisError('RLS_PASSWORD_POLICY',
          `the password does not satisfy the policy: ${refusals.map((r) => r.label).join(' ')}`, { refusals: refusals.map((r) => r.code) }));
      }
    }
    if (o.oidcId !== undefined && await findAccountByOidcId(this.#ctx.db, o.oidcId)) {
      await refuse('oidc_id_taken', new RelaisError('RLS_ACCOUNT_EXISTS', 'this identity of the provider is already linked to another account', { login }));
    }
    // TOTP protects local passwords; an account without one authenticates at the provider.
    const totpSecret = o.password !== undefined && settings.totp.requiredRoles.includes(o.role) ? newTotpSecret() : null;
    let row: AccountRow;
    try {
      row = await insertAccount(this.#ctx.db, {
        login, role: o.role, passwordHash: o.password !== undefined ? await hashPassword(o.password, settings.hashing) : null,
        oidcId: o.oidcId ?? null, mustChangePassword: o.password !== undefined && (o.mustChangePassword ?? false), totpSecret, now: this.#ctx.now(),
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return refuse('exists', new RelaisError('RLS_ACCOUNT_EXISTS', undefined, { login }));
    }
    await this.#audit({
      actor: by.actor, operation: 'account_create', target: login, result: 'success',
      detail: { role: o.role, ...(o.oidcId !== undefined ? { oidcId: o.oidcId.slice(0, 64), password: o.password !== undefined } : {}) }, ...ip,
    });
    return {
      account: this.#view(row),
      ...(totpSecret !== null ? { totpUri: totpUri(totpSecret, { issuer: settings.totp.issuer, login }) } : {}),
    };
  }

  /**
   * Links the account to an identity of the provider, or unlinks it (null) when it keeps a password
   * (SC.SSI/PSC.02: one account, several ways in). A change of identity attribute: audited (IAM.91).
   */
  async linkIdentity(login: string, oidcId: string | null, by: Actor): Promise<Account> {
    if (oidcId !== null && !isValidOidcId(oidcId)) {
      await this.#audit({ actor: by.actor, operation: 'identity_link', target: normalizeLogin(login).slice(0, 64), result: 'failure', detail: 'invalid_oidc_id', ...(by.sourceIp !== undefined ? { sourceIp: by.sourceIp } : {}) });
      throw new RelaisError('RLS_ACCOUNT_INVALID', 'an identity of the provider is 1 to 255 printable characters');
    }
    return this.#adminChange(login, by, 'identity_link', async (a) => {
      const holder = oidcId !== null ? await findAccountByOidcId(this.#ctx.db, oidcId) : undefined;
      if (holder && holder.id !== a.id) {
        return { detail: 'oidc_id_taken', refused: new RelaisError('RLS_ACCOUNT_EXISTS', 'this identity of the provider is already linked to another account', { login: holder.login }) };
      }
      if (oidcId === null && a.passwordHash === null) {
        return { detail: 'no_other_sign_in', refused: new RelaisError('RLS_ACCOUNT_INVALID', 'an account without password keeps its identity of the provider: set a password first') };
      }
      await updateAccount(this.#ctx.db, a.id, { oidcId }, this.#ctx.now());
      await this.#sessions.revokeAll(a.id, 'identity_link');
      return { detail: oidcId === null ? 'unlinked' : `linked:${oidcId.slice(0, 64)}` };
    });
  }

  async #adminChange(
    login: string, by: Actor, operation: string, change: (a: AccountRow) => Promise<{ detail?: string; refused?: RelaisError }>,
  ): Promise<Account> {
    const ip = by.sourceIp !== undefined ? { sourceIp: by.sourceIp } : {};
    let a: AccountRow;
    try {
      a = await this.#require(login);
    } catch (e) {
      await this.#audit({ actor: by.actor, operation, target: normalizeLogin(login).slice(0, 64), result: 'failure', detail: 'unknown_account', ...ip });
      throw e;
    }
    const { detail, refused } = await change(a);
    await this.#audit({ actor: by.actor, operation, target: a.login, result: refused ? 'failure' : 'success', ...(detail !== undefined ? { detail } : {}), ...ip });
    if (refused) throw refused;
    return this.#view((await findAccountByLogin(this.#ctx.db, a.login))!);
  }

  /** Disables the account and ends its sessions. */
  disable(login: string, by: Actor): Promise<Account> {
    return this.#adminChange(login, by, 'account_disable', async (a) => {
      await updateAccount(this.#ctx.db, a.id, { disabledAt: this.#ctx.now() }, this.#ctx.now());
      await this.#sessions.revokeAll(a.id, 'disabled');
      return {};
    });
  }

  enable(login: string, by: Actor): Promise<Account> {
    return this.#adminChange(login, by, 'account_enable', async (a) => {
      await updateAccount(this.#ctx.db, a.id, { disabledAt: null }, this.#ctx.now());
      return {};
    });
  }

  /** Administrator unlock (IAM.92): clears the lock and the failure count. */
  unlock(login: string, by: Actor): Promise<Account> {
    return this.#adminChange(login, by, 'account_unlock', async (a) => {
      await updateAccount(this.#ctx.db, a.id, { lockedAt: null, failedCount: 0 }, this.#ctx.now());
      return { detail: a.lockedAt === null ? 'was_not_locked' : `failures=${a.failedCount}` };
    });
  }

  /** Changes the role (IAM.91.02) and ends the account's sessions, so the new rights apply from a fresh login. */
  setRole(login: string, role: AccountRole, by: Actor): Promise<Account> {
    if (!(accountRoles as readonly string[]).includes(role)) {
      throw new RelaisError('RLS_ACCOUNT_INVALID', `unknown role; choose ${accountRoles.join(', ')}`);
    }
    return this.#adminChange(login, by, 'role_change', async (a) => {
      await updateAccount(this.#ctx.db, a.id, { role }, this.#ctx.now());
      await this.#sessions.revokeAll(a.id, 'role_change');
      return { detail: `${a.role}->${role}` };
    });
  }

  /**
   * An administrator sets a temporary password (forgotten password): the policy and the history apply, the
   * user must change it at the next login, and every session of the account ends. The lock is left as it is.
   */
  async resetPassword(login: string, newPassword: string, by: Actor): Promise<Account> {
    const { db, settings } = this.#ctx;
    const ip = by.sourceIp !== undefined ? { sourceIp: by.sourceIp } : {};
    const a = await findAccountByLogin(db, normalizeLogin(login));
    const codes = a ? checkPasswordRules(newPassword, settings.password, { login: a.login }).map((r) => r.code) : [];
    if (a && codes.length === 0) {
      for (const old of await listPasswordHistory(db, a.id, settings.password.historyDepth)) {
        if (await verifyPassword(old, newPassword)) {
          codes.push('reused');
          break;
        }
      }
    }
    if (!a || codes.length > 0) {
      await this.#audit({
        actor: by.actor, operation: 'password_reset', target: a?.login ?? normalizeLogin(login).slice(0, 64), result: 'failure',
        detail: a ? codes.join(',') : 'unknown_account', ...ip,
      });
      if (!a) throw new RelaisError('RLS_ACCOUNT_NOT_FOUND', undefined, { login: normalizeLogin(login).slice(0, 64) });
      throw new RelaisError('RLS_PASSWORD_POLICY', `the password does not satisfy the policy: ${codes.map((c) => passwordRefusal(c, settings.password).label).join(' ')}`,
        { refusals: codes });
    }
    const now = this.#ctx.now();
    const newHash = await hashPassword(newPassword, settings.hashing);
    await db.transaction().execute(async (tx) => {
      await updateAccount(tx, a.id, { passwordHash: newHash, passwordChangedAt: now, mustChangePassword: true }, now);
      await addPasswordHistory(tx, a.id, newHash, now);
    });
    await this.#sessions.revokeAll(a.id, 'password_reset');
    await this.#audit({ actor: by.actor, operation: 'password_reset', target: a.login, result: 'success', ...ip });
    return this.#view((await findAccountByLogin(db, a.login))!);
  }

  /**
   * Gives the account a new TOTP secret, to be confirmed by the first login with a valid code; the
   * previous secret stops working. Returns the otpauth:// URI (show it once, as a QR code).
   */
  async beginTotpEnrolment(login: string, by: Actor): Promise<{ account: Account; uri: string }> {
    const secret = newTotpSecret();
    const account = await this.#adminChange(login, by, 'totp_enrol', async (a) => {
      await updateAccount(this.#ctx.db, a.id, { totpSecret: secret, totpConfirmedAt: null }, this.#ctx.now());
      return {};
    });
    return { account, uri: totpUri(secret, { issuer: this.#ctx.settings.totp.issuer, login: account.login }) };
  }

  /**
   * Password login, then TOTP when the role requires it or the account is enrolled. On success opens a
   * session; `mustChangePassword` tells the console to offer only the password change.
   *
   * With `twoStep` (the console's pages), a right password without a code opens a pending login instead
   * of failing: the answer is `totp_required` with `pending`, and `completeSecondFactor` finishes it.
   */
  async login(o: { login: string; password: string; totp?: string; sourceIp?: string; twoStep?: boolean }): Promise<LoginOutcome> {
    const login = normalizeLogin(o.login);
    const ip = o.sourceIp !== undefined ? { sourceIp: o.sourceIp } : {};
    const { db, settings } = this.#ctx;
    const a = LOGIN.test(login) ? await findAccountByLogin(db, login) : undefined;
    // The same argon2 work whatever the account: timing tells nothing about which logins exist.
    const passwordOk = await verifyPassword(a?.passwordHash ?? await this.#dummy(), o.password);
    const failed = async (detail: string, refusal: LoginRefusal, count: boolean): Promise<LoginOutcome> => {
      await this.#audit({ actor: a?.login ?? login.slice(0, 64), operation: 'login_failed', target: a?.login ?? login.slice(0, 64), result: 'failure', detail, ...ip });
      if (a && count) await this.#countFailure(a, o.sourceIp);
      return fail(refusal);
    };
    if (!a) return failed('unknown_account', 'invalid_credentials', false);
    if (a.disabledAt !== null) return failed('disabled', 'invalid_credentials', false);
    if (a.lockedAt !== null) return failed('locked', 'invalid_credentials', false);
    if (a.passwordHash === null) return failed('no_local_password', 'invalid_credentials', false);
    if (!passwordOk) return failed('wrong_password', 'invalid_credentials', true);

    const totpRequired = settings.totp.requiredRoles.includes(a.role);
    const enrolled = a.totpSecret !== null && a.totpConfirmedAt !== null;
    // A code given for a pending enrolment is checked too: that is how the enrolment gets confirmed.
    const code = o.totp !== undefined && o.totp.trim() !== '' ? o.totp.trim() : undefined;
    const pending = a.totpSecret !== null && code !== undefined;
    let secondFactor = false;
    if (totpRequired || enrolled || pending) {
      if (a.totpSecret === null) return failed('totp_not_enrolled', 'totp_enrolment_required', false);
      if (code === undefined) {
        if (o.twoStep !== true) return failed('totp_missing', 'totp_required', false);
        const halfway = await this.#sessions.openPending(a, ip);
        await this.#audit({ actor: a.login, operation: 'login_second_factor_awaited', target: a.login, result: 'success', detail: 'password', ...ip });
        return { ...fail('totp_required'), pending: halfway };
      }
      const refused = await this.#checkTotp(a, code, o.sourceIp);
      if (refused !== undefined) return failed(refused, 'totp_invalid', true);
      secondFactor = true;
    }
    return this.#opened(a, { secondFactor, method: secondFactor ? 'totp' : 'password', password: o.password, ...ip });
  }

  /**
   * The code step of a two-step login. A wrong code counts toward the lock like a wrong password; the
   * pending login stays usable until it expires, the account locks, or a code is accepted.
   */
  async completeSecondFactor(o: { pendingToken: string; totp: string; sourceIp?: string }): Promise<LoginOutcome> {
    const ip = o.sourceIp !== undefined ? { sourceIp: o.sourceIp } : {};
    const halfway = await this.#sessions.findPending(o.pendingToken);
    const a = halfway ? await getAccount(this.#ctx.db, halfway.accountId) : undefined;
    const failed = async (detail: string, refusal: LoginRefusal, count: boolean): Promise<LoginOutcome> => {
      await this.#audit({ actor: a?.login ?? 'anonymous', operation: 'login_failed', target: a?.login ?? 'pending_login', result: 'failure', detail, ...ip });
      if (a && count && await this.#countFailure(a, o.sourceIp)) await this.#sessions.endPending(o.pendingToken, 'locked');
      return fail(refusal);
    };
    if (!a) return failed('pending_login_unknown', 'invalid_credentials', false);
    if (a.disabledAt !== null || a.lockedAt !== null || a.totpSecret === null) {
      await this.#sessions.endPending(o.pendingToken, 'account');
      return failed(a.disabledAt !== null ? 'disabled' : a.lockedAt !== null ? 'locked' : 'totp_not_enrolled', 'invalid_credentials', false);
    }
    const refused = await this.#checkTotp(a, o.totp.trim(), o.sourceIp);
    if (refused !== undefined) return failed(refused, 'totp_invalid', true);
    // One pending login gives one session: a second request with the same token loses the race here.
    if (!(await this.#sessions.endPending(o.pendingToken, 'second_factor'))) return failed('pending_login_used', 'invalid_credentials', false);
    return this.#opened(a, { secondFactor: true, method: 'password+totp', ...ip });
  }

  /**
   * A login by the establishment's identity provider (OpenID Connect): the account linked to the asserted
   * identity gets a session. The provider's password and factors replace the local ones; when the role
   * requires a second factor, the provider's authentication must have met the configured assurance.
   */
  async loginWithIdentity(o: IdentityLogin): Promise<IdentityLoginOutcome> {
    const ip = o.sourceIp !== undefined ? { sourceIp: o.sourceIp } : {};
    const a = isValidOidcId(o.oidcId) ? await findAccountByOidcId(this.#ctx.db, o.oidcId) : undefined;
    const refuse = async (detail: string, reason: IdentityLoginRefusal): Promise<IdentityLoginOutcome> => {
      await this.#audit({
        actor: a?.login ?? `${o.provider}:${o.oidcId}`.slice(0, 128), operation: 'login_failed', target: a?.login ?? o.oidcId.slice(0, 128),
        result: 'failure', detail: { method: 'oidc', provider: o.provider.slice(0, 64), reason: detail }, ...ip,
      });
      return { ok: false, reason, label: identityLabels[reason] };
    };
    if (!a) return refuse('unknown_identity', 'unknown_identity');
    if (a.disabledAt !== null) return refuse('disabled', 'account_unusable');
    if (a.lockedAt !== null) return refuse('locked', 'account_unusable');
    if (this.#ctx.settings.totp.requiredRoles.includes(a.role) && !o.strongAuthentication) return refuse('weak_authentication', 'second_factor_required');
    const r = await this.#opened(a, { secondFactor: o.strongAuthentication, method: `oidc:${o.provider.slice(0, 64)}`, ...ip });
    if (!r.ok) return refuse('unexpected', 'account_unusable');
    return { ok: true, account: r.account, session: r.session };
  }

  /** Undefined when the code is right and unused; else the audit detail. */
  async #checkTotp(a: AccountRow, code: string, sourceIp: string | undefined): Promise<string | undefined> {
    const now = this.#ctx.now();
    const step = a.totpSecret !== null ? matchTotpStep(a.totpSecret, code, now) : undefined;
    if (step === undefined) return 'totp_wrong';
    if (!(await claimTotpStep(this.#ctx.db, a.id, step, now))) return 'totp_replay';
    if (a.totpConfirmedAt === null) {
      await updateAccount(this.#ctx.db, a.id, { totpConfirmedAt: now }, now);
      await this.#audit({ actor: a.login, operation: 'totp_confirm', target: a.login, result: 'success', ...(sourceIp !== undefined ? { sourceIp } : {}) });
    }
    return undefined;
  }

  /** The end of every successful login: failures cleared, hash refreshed if its parameters are old, session, audit. */
  async #opened(a: AccountRow, o: { secondFactor: boolean; method: string; password?: string; sourceIp?: string }): Promise<LoginOutcome & { ok: true }> {
    const { db, settings } = this.#ctx;
    const ip = o.sourceIp !== undefined ? { sourceIp: o.sourceIp } : {};
    const now = this.#ctx.now();
    const rehash = o.password !== undefined && a.passwordHash !== null && needsRehash(a.passwordHash, settings.hashing)
      ? await hashPassword(o.password, settings.hashing) : undefined;
    const updated = await updateAccount(db, a.id, {
      failedCount: 0, lastLoginAt: now, ...(rehash !== undefined ? { passwordHash: rehash } : {}),
    }, now);
    const account = this.#view(updated ?? a);
    const session = await this.#sessions.open(a, { secondFactor: o.secondFactor, ...ip });
    const detail = [o.method, ...(account.mustChangePassword ? ['must_change_password'] : []), ...(rehash ? ['rehashed'] : [])];
    await this.#audit({ actor: a.login, operation: 'login', target: a.login, result: 'success', detail: detail.join(','), ...ip });
    return { ok: true, account, mustChangePassword: account.mustChangePassword, session };
  }

  /**
   * Changes a password knowing the current one. A refusal (wrong current password, policy, reuse) counts
   * toward the lock like a failed login (the IAM.92 scenario locks the account after five refused
   * changes). On success the history keeps the new hash and every session of the account ends.
   */
  async changePassword(o: { login: string; currentPassword: string; newPassword: string; sourceIp?: string }): Promise<PasswordChangeOutcome> {
    const login = normalizeLogin(o.login);
    const ip = o.sourceIp !== undefined ? { sourceIp: o.sourceIp } : {};
    const { db, settings } = this.#ctx;
    const policy = settings.password;
    const a = LOGIN.test(login) ? await findAccountByLogin(db, login) : undefined;
    const currentOk = await verifyPassword(a?.passwordHash ?? await this.#dummy(), o.currentPassword);
    const refuse = async (codes: PasswordRefusalCode[], count: boolean): Promise<PasswordChangeOutcome> => {
      await this.#audit({
        actor: a?.login ?? login.slice(0, 64), operation: 'password_change_failed', target: a?.login ?? login.slice(0, 64),
        result: 'failure', detail: codes.join(','), ...ip,
      });
      const locked = a !== undefined && (count ? await this.#countFailure(a, o.sourceIp) : a.lockedAt !== null);
      const shown = locked && !codes.includes('account_locked') ? [...codes, 'account_locked' as const] : codes;
      return { ok: false, refusals: shown.map((c) => passwordRefusal(c, policy)), locked };
    };
    if (!a || a.disabledAt !== null || a.passwordHash === null) return refuse(['wrong_current_password'], false);
    if (a.lockedAt !== null) return refuse(['account_locked'], false);
    if (!currentOk) return refuse(['wrong_current_password'], true);
    const codes = checkPasswordRules(o.newPassword, policy, { login: a.login }).map((r) => r.code);
    if (codes.length === 0) {
      for (const old of await listPasswordHistory(db, a.id, policy.historyDepth)) {
        if (await verifyPassword(old, o.newPassword)) {
          codes.push('reused');
          break;
        }
      }
    }
    if (codes.length > 0) return refuse(codes, true);
    const now = this.#ctx.now();
    const newHash = await hashPassword(o.newPassword, settings.hashing);
    await db.transaction().execute(async (tx) => {
      await updateAccount(tx, a.id, { passwordHash: newHash, passwordChangedAt: now, mustChangePassword: false, failedCount: 0 }, now);
      await addPasswordHistory(tx, a.id, newHash, now);
    });
    await this.#sessions.revokeAll(a.id, 'password_change');
    await this.#audit({ actor: a.login, operation: 'password_change', target: a.login, result: 'success', ...ip });
    return { ok: true };
  }
}
