/**
 * Server-side sessions of the console (SC.SSI/IE.38, IE.39). The browser holds a random id; the table
 * holds its SHA-256 only. Expiry rules are decided in src/security with an injected clock.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface SessionRow {
  idHash: Buffer;
  accountId: string;
  csrfToken: string;
  secondFactor: boolean;
  sourceIp: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
  /** Password given, TOTP code awaited: never authorizes a request. */
  awaitingSecondFactor: boolean;
}

export interface NewSession {
  idHash: Buffer;
  accountId: string;
  csrfToken: string;
  secondFactor: boolean;
  sourceIp: string | null;
  now: Date;
  expiresAt: Date;
  awaitingSecondFactor?: boolean;
}

const columns = [
  'id_hash', 'account_id', 'csrf_token', 'second_factor', 'source_ip', 'created_at', 'last_seen_at', 'expires_at', 'revoked_at', 'revoke_reason',
  'awaiting_second_factor',
] as const;

export async function insertSession(db: Kysely<Database>, s: NewSession): Promise<void> {
  await db.insertInto('session').values({
    id_hash: s.idHash, account_id: s.accountId, csrf_token: s.csrfToken, second_factor: s.secondFactor, source_ip: s.sourceIp,
    created_at: s.now, last_seen_at: s.now, expires_at: s.expiresAt, awaiting_second_factor: s.awaitingSecondFactor ?? false,
  }).execute();
}

export async function findSession(db: Kysely<Database>, idHash: Buffer): Promise<SessionRow | undefined> {
  const r = await db.selectFrom('session').select(columns).where('id_hash', '=', idHash).executeTakeFirst();
  if (!r) return undefined;
  return {
    idHash: r.id_hash, accountId: r.account_id, csrfToken: r.csrf_token, secondFactor: r.second_factor, sourceIp: r.source_ip,
    createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at, revokedAt: r.revoked_at, revokeReason: r.revoke_reason,
    awaitingSecondFactor: r.awaiting_second_factor,
  };
}

/** Records activity on a live session; false when it was revoked meanwhile. */
export async function touchSession(db: Kysely<Database>, idHash: Buffer, now: Date): Promise<boolean> {
  const r = await db.updateTable('session').set({ last_seen_at: now })
    .where('id_hash', '=', idHash).where('revoked_at', 'is', null).returning('account_id').executeTakeFirst();
  return r !== undefined;
}

/** Revokes one live session; false when it was unknown or already revoked. */
export async function revokeSession(db: Kysely<Database>, idHash: Buffer, reason: string, now: Date): Promise<boolean> {
  const r = await db.updateTable('session').set({ revoked_at: now, revoke_reason: reason })
    .where('id_hash', '=', idHash).where('revoked_at', 'is', null).returning('account_id').executeTakeFirst();
  return r !== undefined;
}

/** Revokes every live session of an account and returns how many. */
export async function revokeAccountSessions(db: Kysely<Database>, accountId: string, reason: string, now: Date): Promise<number> {
  const rows = await db.updateTable('session').set({ revoked_at: now, revoke_reason: reason })
    .where('account_id', '=', accountId).where('revoked_at', 'is', null).returning('account_id').execute();
  return rows.length;
}
