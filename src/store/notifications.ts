/**
 * The notification outbox (ZAM business acks towards the DPI, volet A §2.8). Like the delivery queue:
 * claims with FOR UPDATE SKIP LOCKED under a lease, so several nodes can share one PostgreSQL, and every
 * state change after a claim is fenced by the lease (claimed_by and attempt_count) and returns the rows moved.
 * A claim also takes back an in_flight notification whose lease expired (a node died mid-send).
 */
import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import { RelaisError } from '../domain/index.js';
import type { MetaFlags } from '../domain/index.js';
import { listLimit } from './list-helpers.js';
import type { Database, NotificationState } from './schema.js';
import type { Lease } from './delivery-queue.js';

export interface NewNotification {
  messageId: string;
  kind: string;
  payload: Buffer;
  controlId: string;
  /** Not before this time; default now. */
  nextAttemptAt?: Date;
}

export interface ClaimedNotification {
  id: string;
  messageId: string;
  kind: string;
  payload: Buffer;
  controlId: string;
  /** Attempts so far, this one included. */
  attemptCount: number;
  createdAt: Date;
  leaseUntil: Date;
  claimedBy: string;
}

export interface NotificationRow {
  id: string;
  messageId: string;
  kind: string;
  controlId: string;
  state: NotificationState;
  attemptCount: number;
  nextAttemptAt: Date;
  lastError: string | null;
  ack: Buffer | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a ZAM needs to know of the request a delivery came from. */
export interface NotificationSource {
  messageId: string;
  flags: MetaFlags;
  /** The request's MSH-10, MSH-3 and MSH-4. */
  controlId: string | null;
  sendingApp: string | null;
  sendingFacility: string | null;
  /** The first bytes of the request (its MSH), for the fields the message row does not keep. */
  head: Buffer;
}

function at(now: Date | undefined): RawBuilder<Date> {
  return now === undefined ? sql<Date>`now()` : sql<Date>`${now}::timestamptz`;
}

export async function insertNotification(db: Kysely<Database>, n: NewNotification): Promise<{ id: string }> {
  return db
    .insertInto('notification')
    .values({
      message_id: n.messageId, kind: n.kind, payload: n.payload, control_id: n.controlId, state: 'pending',
      ...(n.nextAttemptAt ? { next_attempt_at: n.nextAttemptAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** The request behind a delivery's document: its message row, MSH header fields and MetaDMPMSS flags. */
export async function getNotificationSource(db: Kysely<Database>, documentRowId: string): Promise<NotificationSource | undefined> {
  const r = await db
    .selectFrom('document as d')
    .innerJoin('message as m', 'm.id', 'd.message_id')
    .select(['m.id as message_id', 'd.flags', 'm.control_id', 'm.sending_app', 'm.sending_facility'])
    // The MSH only: the whole row may carry megabytes of base64 CDA.
    .select(sql<Buffer>`substring(m.raw from 1 for 8192)`.as('head'))
    .where('d.id', '=', documentRowId)
    .executeTakeFirst();
  if (!r) return undefined;
  return { messageId: r.message_id, flags: r.flags, controlId: r.control_id, sendingApp: r.sending_app, sendingFacility: r.sending_facility, head: r.head };
}

/**
 * Claims up to `limit` due notifications, oldest first: pending, retry_wait whose time has come, or
 * in_flight whose lease expired. One statement; rows locked by another claimer are skipped.
 */
export async function claimDueNotifications(
  db: Kysely<Database>, o: { limit: number; workerId: string; leaseMs: number; now?: Date },
): Promise<ClaimedNotification[]> {
  for (const [k, v] of [['limit', o.limit], ['leaseMs', o.leaseMs]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RelaisError('RLS_BUG', `${k} must be a positive integer`, { [k]: v });
  }
  const now = at(o.now);
  const rows = await db
    .updateTable('notification')
    .set((eb) => ({
      state: 'in_flight',
      lease_until: sql<Date>`${now} + ${o.leaseMs} * interval '1 millisecond'`,
      claimed_by: o.workerId,
      attempt_count: eb('attempt_count', '+', 1),
      updated_at: now,
    }))
    .where('id', 'in', (eb) => eb
      .selectFrom('notification as n')
      .select('n.id')
      .where((w) => w.or([
        w('n.state', '=', 'pending'),
        w.and([w('n.state', '=', 'retry_wait'), w('n.next_attempt_at', '<=', now)]),
        w.and([w('n.state', '=', 'in_flight'), w('n.lease_until', '<', now)]),
      ]))
      .where((w) => w.or([w('n.state', '!=', 'pending'), w('n.next_attempt_at', '<=', now)]))
      .orderBy('n.id')
      .limit(o.limit)
      .forUpdate()
      .skipLocked())
    .returning(['id', 'message_id', 'kind', 'payload', 'control_id', 'attempt_count', 'created_at', 'lease_until', 'claimed_by'])
    .execute();
  return rows
    .map((r) => ({
      id: r.id, messageId: r.message_id, kind: r.kind, payload: r.payload, controlId: r.control_id,
      attemptCount: r.attempt_count, createdAt: r.created_at, leaseUntil: r.lease_until ?? new Date(0),
      claimedBy: r.claimed_by ?? o.workerId,
    }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

function fenced(db: Kysely<Database>, id: string, lease: Lease) {
  return db
    .updateTable('notification')
    .where('id', '=', id)
    .where('state', '=', 'in_flight')
    .where('claimed_by', '=', lease.claimedBy)
    .where('attempt_count', '=', lease.attemptCount);
}

/** The peer acknowledged: done, with its ACK kept verbatim. Returns the rows moved (0: lease lost). */
export async function markNotificationDone(
  db: Kysely<Database>, id: string, ack: Buffer, o: { lease: Lease; now?: Date },
): Promise<number> {
  const r = await fenced(db, id, o.lease)
    .set({ state: 'done', ack, last_error: null, lease_until: null, claimed_by: null, updated_at: at(o.now) })
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Try again at `nextAttemptAt`; `error` is a code or the peer's error summary, never patient data. */
export async function markNotificationRetry(
  db: Kysely<Database>, id: string, nextAttemptAt: Date, error: string, o: { lease: Lease; ack?: Buffer; now?: Date },
): Promise<number> {
  const r = await fenced(db, id, o.lease)
    .set({
      state: 'retry_wait', next_attempt_at: nextAttemptAt, last_error: error, lease_until: null, claimed_by: null,
      updated_at: at(o.now), ...(o.ack ? { ack: o.ack } : {}),
    })
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Given up: stays for the operator to see. */
export async function markNotificationDead(
  db: Kysely<Database>, id: string, error: string, o: { lease: Lease; ack?: Buffer; now?: Date },
): Promise<number> {
  const r = await fenced(db, id, o.lease)
    .set({ state: 'dead', last_error: error, lease_until: null, claimed_by: null, updated_at: at(o.now), ...(o.ack ? { ack: o.ack } : {}) })
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Newest first. */
export async function listNotifications(
  db: Kysely<Database>, filter: { messageId?: string; state?: NotificationState; kind?: string; limit?: number } = {},
): Promise<NotificationRow[]> {
  let q = db
    .selectFrom('notification')
    .select(['id', 'message_id', 'kind', 'control_id', 'state', 'attempt_count', 'next_attempt_at', 'last_error', 'ack', 'created_at', 'updated_at'])
    .orderBy('id', 'desc')
    .limit(listLimit(filter.limit));
  if (filter.messageId !== undefined) q = q.where('message_id', '=', filter.messageId);
  if (filter.state !== undefined) q = q.where('state', '=', filter.state);
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id, messageId: r.message_id, kind: r.kind, controlId: r.control_id, state: r.state, attemptCount: r.attempt_count,
    nextAttemptAt: r.next_attempt_at, lastError: r.last_error, ack: r.ack, createdAt: r.created_at, updatedAt: r.updated_at,
  }));
}

/** The payload to resend or inspect. */
export async function getNotificationPayload(db: Kysely<Database>, id: string): Promise<Buffer | undefined> {
  const r = await db.selectFrom('notification').select('payload').where('id', '=', id).executeTakeFirst();
  return r?.payload;
}
