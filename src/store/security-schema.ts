import type { AccountRole, AuditResult } from '../domain/index.js';
import type { Generated } from 'kysely';
import type { Id, Ref } from './schema.js';

/**
 * Tables of local accounts, sessions and the audit trail (migrations 2026-11-30-security and 2026-12-05-console-login). Timestamps are
 * always written by the caller, never by `now()`: the security rules run on an injected clock.
 */
export interface AccountTable {
  id: Id;
  /** Lower case, `^[a-z0-9][a-z0-9._@-]{0,63}$`, unique. */
  login: string;
  role: AccountRole;
  /** argon2id PHC string; the parameters it carries decide whether a login rehashes it. Null: signs in through the identity provider only. */
  password_hash: string | null;
  /** The identity at the establishment's provider (OpenID Connect) this account is linked to, e.g. an RPPS number. */
  oidc_id: string | null;
  password_changed_at: Date;
  must_change_password: boolean;
  /** Consecutive failures (logins and password changes) since the last success or unlock. */
  failed_count: Generated<number>;
  locked_at: Date | null;
  disabled_at: Date | null;
  /** Base32 TOTP secret; set at enrolment, confirmed by the first valid code. */
  totp_secret: string | null;
  totp_confirmed_at: Date | null;
  /** The last 30-second step accepted: a code of this step or an earlier one is a replay. */
  totp_last_step: string | null;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface PasswordHistoryTable {
  id: Id;
  account_id: Ref;
  password_hash: string;
  set_at: Date;
}

export interface SessionTable {
  /** SHA-256 of the session id given to the browser. */
  id_hash: Buffer;
  account_id: Ref;
  csrf_token: string;
  /** The session was opened with a TOTP code. */
  second_factor: boolean;
  source_ip: string | null;
  created_at: Date;
  last_seen_at: Date;
  /** Absolute end, whatever the activity. */
  expires_at: Date;
  revoked_at: Date | null;
  revoke_reason: string | null;
  /** A login halfway through (password given, TOTP code awaited): it never authorizes a request. */
  awaiting_second_factor: Generated<boolean>;
}

/** Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export interface AuditTable {
  id: Id;
  at: Date;
  /** A login, or `system`. */
  actor: string;
  operation: string;
  target: string | null;
  result: AuditResult;
  detail: string | null;
  source_ip: string | null;
}
