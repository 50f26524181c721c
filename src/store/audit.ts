/**
 * The audit trail (SC.SSI/IAM.91): append-only. This module only inserts and reads; the table's trigger
 * refuses UPDATE, DELETE and TRUNCATE whoever asks.
 */
import type { Kysely } from 'kysely';
import type { AuditResult } from '../domain/index.js';
import { listLimit } from './list-helpers.js';
import type { Database } from './schema.js';

export interface NewAuditEntry {
  at: Date;
  actor: string;
  operation: string;
  target: string | null;
  result: AuditResult;
  detail: string | null;
  sourceIp: string | null;
}

export interface AuditRow extends NewAuditEntry {
  id: string;
}

export interface AuditQuery {
  /** Entries at or after this time. */
  since?: Date;
  /** Entries strictly before this time. */
  until?: Date;
  actor?: string;
  operation?: string;
  target?: string;
  result?: AuditResult;
  /** Keyset paging: entries with a smaller id than this one (the page goes newest first). */
  beforeId?: string;
  /** Keyset paging for exports: entries with a larger id (the page goes oldest first). */
  afterId?: string;
  /** Page size, capped by MAX_LIST_LIMIT. */
  limit?: number;
}

export async function appendAudit(db: Kysely<Database>, e: NewAuditEntry): Promise<{ id: string }> {
  return db.insertInto('audit').values({
    at: e.at, actor: e.actor, operation: e.operation, target: e.target, result: e.result, detail: e.detail, source_ip: e.sourceIp,
  }).returning('id').executeTakeFirstOrThrow();
}

/** One page of entries: newest first, or oldest first when `afterId` is given (exports walk forward). */
export async function listAudit(db: Kysely<Database>, f: AuditQuery = {}): Promise<AuditRow[]> {
  const forward = f.afterId !== undefined;
  let q = db.selectFrom('audit')
    .select(['id', 'at', 'actor', 'operation', 'target', 'result', 'detail', 'source_ip'])
    .orderBy('id', forward ? 'asc' : 'desc')
    .limit(listLimit(f.limit));
  if (f.since !== undefined) q = q.where('at', '>=', f.since);
  if (f.until !== undefined) q = q.where('at', '<', f.until);
  if (f.actor !== undefined) q = q.where('actor', '=', f.actor);
  if (f.operation !== undefined) q = q.where('operation', '=', f.operation);
  if (f.target !== undefined) q = q.where('target', '=', f.target);
  if (f.result !== undefined) q = q.where('result', '=', f.result);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id, at: r.at, actor: r.actor, operation: r.operation, target: r.target, result: r.result, detail: r.detail, sourceIp: r.source_ip,
  }));
}
