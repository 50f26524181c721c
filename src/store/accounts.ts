/**
 * Local accounts and their password history. The rules (policy, lock threshold, TOTP) live in
 * src/security; these functions only read and write rows, each change in one statement so that two
 * concurrent logins cannot lose a failure count or accept one TOTP step twice.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { AccountRole } from '../domain/index.js';
import type { Database } from './schema.js';

export interface AccountRow {
  id: string;
  login: string;
  role: AccountRole;
  /** Null: the account signs in through the identity provider only. */
  passwordHash: string | null;
  /** The linked identity at the establishment's OpenID provider. */
  oidcId: string | null;
  passwordChangedAt: Date;
  mustChangePassword: boolean;
  failedCount: number;
  lockedAt: Date | null;
  disabledAt: Date | null;
  totpSecret: string | null;
  totpConfirmedAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAccount {
  login: string;
  role: AccountRole;
  /** Null for an account that signs in through the identity provider only (then `oidcId` is set). */
  passwordHash: string | null;
  oidcId?: string | null;
  mustChangePassword: boolean;
  totpSecret: string | null;
  now: Date;
}

/** Columns an account update may set; `updated_at` is always set to `now`. */
export interface AccountPatch {
  role?: AccountRole;
  passwordHash?: string;
  oidcId?: string | null;
  passwordChangedAt?: Date;
  mustChangePassword?: boolean;
  failedCount?: number;
  lockedAt?: Date | null;
  disabledAt?: Date | null;
  totpSecret?: string | null;
  totpConfirmedAt?: Date | null;
  lastLoginAt?: Date;
}

const columns = [
  'id', 'login', 'role', 'password_hash', 'oidc_id', 'password_changed_at', 'must_change_password', 'failed_count', 'locked_at',
  'disabled_at', 'totp_secret', 'totp_confirmed_at', 'last_login_at', 'created_at', 'updated_at',
] as const;

type Row = {
  id: string; login: string; role: AccountRole; password_hash: string | null; oidc_id: string | null; password_changed_at: Date; must_change_password: boolean;
  failed_count: number; locked_at: Date | null; disabled_at: Date | null; totp_secret: string | null; totp_confirmed_at: Date | null;
  last_login_at: Date | null; created_at: Date; updated_at: Date;
};

function toAccount(r: Row): AccountRow {
  return {
    id: r.id, login: r.login, role: r.role, passwordHash: r.password_hash, oidcId: r.oidc_id, passwordChangedAt: r.password_changed_at,
    mustChangePassword: r.must_change_password, failedCount: r.failed_count, lockedAt: r.locked_at, disabledAt: r.disabled_at,
    totpSecret: r.totp_secret, totpConfirmedAt: r.totp_confirmed_at, lastLoginAt: r.last_login_at,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/** Inserts the account and its first password-history entry in one transaction. */
export async function insertAccount(db: Kysely<Database>, a: NewAccount): Promise<AccountRow> {
  return db.transaction().execute(async (tx) => {
    const r = await tx
      .insertInto('account')
      .values({
        login: a.login, role: a.role, password_hash: a.passwordHash, oidc_id: a.oidcId ?? null, password_changed_at: a.now,
        must_change_password: a.mustChangePassword, totp_secret: a.totpSecret, created_at: a.now, updated_at: a.now,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    if (a.passwordHash !== null) {
      await tx.insertInto('password_history').values({ account_id: r.id, password_hash: a.passwordHash, set_at: a.now }).execute();
    }
    return toAccount(r);
  });
}

export async function findAccountByLogin(db: Kysely<Database>, login: string): Promise<AccountRow | undefined> {
  const r = await db.selectFrom('account').select(columns).where('login', '=', login).executeTakeFirst();
  return r ? toAccount(r) : undefined;
}

export async function findAccountByOidcId(db: Kysely<Database>, oidcId: string): Promise<AccountRow | undefined> {
  const r = await db.selectFrom('account').select(columns).where('oidc_id', '=', oidcId).executeTakeFirst();
  return r ? toAccount(r) : undefined;
}

export async function getAccount(db: Kysely<Database>, id: string): Promise<AccountRow | undefined> {
  const r = await db.selectFrom('account').select(columns).where('id', '=', id).executeTakeFirst();
  return r ? toAccount(r) : undefined;
}

/** Every account, by login (a site has tens of them, not thousands). */
export async function listAccounts(db: Kysely<Database>): Promise<AccountRow[]> {
  const rows = await db.selectFrom('account').select(columns).orderBy('login').execute();
  return rows.map(toAccount);
}

export async function updateAccount(db: Kysely<Database>, id: string, patch: AccountPatch, now: Date): Promise<AccountRow | undefined> {
  const r = await db
    .updateTable('account')
    .set({
      updated_at: now,
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
      ...(patch.oidcId !== undefined ? { oidc_id: patch.oidcId } : {}),
      ...(patch.passwordChangedAt !== undefined ? { password_changed_at: patch.passwordChangedAt } : {}),
      ...(patch.mustChangePassword !== undefined ? { must_change_password: patch.mustChangePassword } : {}),
      ...(patch.failedCount !== undefined ? { failed_count: patch.failedCount } : {}),
      ...(patch.lockedAt !== undefined ? { locked_at: patch.lockedAt } : {}),
      ...(patch.disabledAt !== undefined ? { disabled_at: patch.disabledAt } : {}),
      ...(patch.totpSecret !== undefined ? { totp_secret: patch.totpSecret } : {}),
      ...(patch.totpConfirmedAt !== undefined ? { totp_confirmed_at: patch.totpConfirmedAt } : {}),
      ...(patch.lastLoginAt !== undefined ? { last_login_at: patch.lastLoginAt } : {}),
    })
    .where('id', '=', id)
    .returning(columns)
    .executeTakeFirst();
  return r ? toAccount(r) : undefined;
}

/**
 * Counts one failure and locks the account when the count reaches `lockAfter`, in one statement.
 * Returns the new count and whether the account is now locked.
 */
export async function recordAccountFailure(
  db: Kysely<Database>, id: string, o: { lockAfter: number; now: Date },
): Promise<{ failedCount: number; locked: boolean }> {
  const r = await db
    .updateTable('account')
    .set((eb) => ({
      failed_count: eb('failed_count', '+', 1),
      locked_at: sql<Date | null>`case when locked_at is null and failed_count + 1 >= ${o.lockAfter} then ${o.now}::timestamptz else locked_at end`,
      updated_at: o.now,
    }))
    .where('id', '=', id)
    .returning(['failed_count', 'locked_at'])
    .executeTakeFirstOrThrow();
  return { failedCount: r.failed_count, locked: r.locked_at !== null };
}

/**
 * Accepts TOTP step `step` for the account unless it, or a later one, was already accepted (RFC 6238 §5.2:
 * a verifier must not accept the same code twice). Atomic: of two concurrent logins with one code, one wins.
 */
export async function claimTotpStep(db: Kysely<Database>, id: string, step: number, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('account')
    .set({ totp_last_step: String(step), updated_at: now })
    .where('id', '=', id)
    .where((w) => w.or([w('totp_last_step', 'is', null), w('totp_last_step', '<', String(step))]))
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

/** Adds a password to the history (at creation and at every change). */
export async function addPasswordHistory(db: Kysely<Database>, accountId: string, passwordHash: string, now: Date): Promise<void> {
  await db.insertInto('password_history').values({ account_id: accountId, password_hash: passwordHash, set_at: now }).execute();
}

/** The last `depth` password hashes of the account, newest first (the current password included). */
export async function listPasswordHistory(db: Kysely<Database>, accountId: string, depth: number): Promise<string[]> {
  const rows = await db
    .selectFrom('password_history')
    .select('password_hash')
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(Math.max(1, Math.floor(depth)))
    .execute();
  return rows.map((r) => r.password_hash);
}
