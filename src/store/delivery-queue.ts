/**
 * The send-order queue on the delivery table (ARCHITECTURE.md "The store is the spine": workers claim
 * with FOR UPDATE SKIP LOCKED, so several nodes can share one PostgreSQL).
 *
 * Every state change names its allowed source states in its WHERE clause, derived from the domain
 * state machine (`canTransition`), and returns how many rows moved: a refused transition moves none.
 * Times default to the database clock (`now()`), which all nodes share; a caller may pass its own.
 */
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Kysely, RawBuilder, SqlBool } from 'kysely';
import { RelaisError, canTransition, deliveryStates } from '../domain/index.js';
import type { DeliveryState, DestinationKind } from '../domain/index.js';
import { isRowId } from './list-helpers.js';
import type { Database } from './schema.js';

/** What a sender needs to send one claimed delivery. */
export interface ClaimedDelivery {
  id: string;
  documentRowId: string;
  kind: DestinationKind;
  recipient: string | null;
  recipientId: string | null;
  /** Attempts so far, this one included (the claim counts it, so a crash mid-send counts too). */
  attemptCount: number;
  createdAt: Date;
  leaseUntil: Date;
  claimedBy: string;
}

/** Proof of a claim: a late answer from a worker whose lease expired and was taken over moves nothing. */
export interface Lease {
  claimedBy: string;
  attemptCount: number;
}

export interface ClaimOptions {
  kind: DestinationKind;
  limit: number;
  workerId: string;
  leaseMs: number;
  now?: Date;
}

/** Which deliveries an operator command applies to: every given criterion must match. */
export interface DeliverySelector {
  ids?: readonly string[];
  state?: DeliveryState;
  kind?: DestinationKind;
}

/** The states `target` may be reached from, restricted to `among` when given (domain/delivery-state.ts). */
function sourcesOf(target: DeliveryState, among?: readonly DeliveryState[]): DeliveryState[] {
  const from = deliveryStates.filter((s) => canTransition(s, target) && (among === undefined || among.includes(s)));
  if (from.length === 0) throw new RelaisError('RLS_BUG', `no state may move to ${target}`, { target });
  return from;
}

/** States in which a delivery is settled for the ordering rule: nothing more will be sent for it. */
const SETTLED: readonly DeliveryState[] = ['done', 'cancelled', 'dead'];
const CLAIM_FROM = sourcesOf('in_flight', ['pending', 'retry_wait']);
const DONE_FROM = sourcesOf('done', ['in_flight']);
const RETRY_FROM = sourcesOf('retry_wait', ['in_flight']);
const DEAD_FROM = sourcesOf('dead', ['in_flight']);
const RECLAIM_FROM = sourcesOf('pending', ['in_flight']);
// An operator hold never takes a delivery away from a send in progress.
const HOLD_FROM = sourcesOf('held', ['pending', 'retry_wait']);
const RELEASE_FROM = sourcesOf('pending', ['held']);
const REPLAY_FROM = sourcesOf('pending', ['dead']);
const CANCEL_FROM = sourcesOf('cancelled');

function at(now: Date | undefined): RawBuilder<Date> {
  return now === undefined ? sql<Date>`now()` : sql<Date>`${now}::timestamptz`;
}

function plus(now: Date | undefined, ms: number): RawBuilder<Date> {
  return sql<Date>`${at(now)} + ${ms} * interval '1 millisecond'`;
}

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RelaisError('RLS_BUG', `${name} must be a positive integer`, { [name]: value });
  }
}

/**
 * Claims up to `limit` due deliveries of one kind, oldest first, and sets them in_flight under a lease.
 * One statement: rows locked by another claimer are skipped, so two workers never get the same row.
 *
 * Due: pending, or retry_wait whose next attempt time has come; and not scheduled later (not_before).
 * Ordering (requirements §1.4: a replace never overtakes its create): a delivery of a replacement or
 * deletion waits while an earlier delivery of the same kind and recipient, for the same document set
 * (same set id, the replaced document, or the same document), is not settled.
 */
export async function claimDue(db: Kysely<Database>, o: ClaimOptions): Promise<ClaimedDelivery[]> {
  checkPositiveInteger(o.limit, 'limit');
  checkPositiveInteger(o.leaseMs, 'leaseMs');
  const now = at(o.now);
  const rows = await db
    .updateTable('delivery')
    .set((eb) => ({
      state: 'in_flight',
      lease_until: plus(o.now, o.leaseMs),
      claimed_by: o.workerId,
      attempt_count: eb('attempt_count', '+', 1),
      updated_at: now,
    }))
    .where('id', 'in', (eb) => eb
      .selectFrom('delivery as d')
      .innerJoin('document as doc', 'doc.id', 'd.document_row_id')
      .select('d.id')
      .where('d.kind', '=', o.kind)
      .where((w) => w.or([
        w('d.state', '=', 'pending'),
        w.and([w('d.state', '=', 'retry_wait'), w('d.next_attempt_at', '<=', now)]),
      ]))
      .where('d.state', 'in', CLAIM_FROM)
      .where((w) => w.or([w('d.not_before', 'is', null), w('d.not_before', '<=', now)]))
      .where((w) => w.or([w('doc.action', '=', 'publish'), w.not(w.exists(earlierUnsettled(w)))]))
      .orderBy('d.id')
      .limit(o.limit)
      .forUpdate('d')
      .skipLocked())
    .returning(['id', 'document_row_id', 'kind', 'recipient', 'recipient_id', 'attempt_count', 'created_at', 'lease_until', 'claimed_by'])
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      documentRowId: r.document_row_id,
      kind: r.kind,
      recipient: r.recipient,
      recipientId: r.recipient_id,
      attemptCount: r.attempt_count,
      createdAt: r.created_at,
      leaseUntil: r.lease_until ?? new Date(0),
      claimedBy: r.claimed_by ?? o.workerId,
    }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

type ClaimScope = ExpressionBuilder<Database & { d: Database['delivery']; doc: Database['document'] }, 'd' | 'doc'>;

/** An earlier, unsettled delivery to the same destination for the same document set. */
function earlierUnsettled(w: ClaimScope): Expression<unknown> {
  return w
    .selectFrom('delivery as e')
    .innerJoin('document as ed', 'ed.id', 'e.document_row_id')
    .select(sql.lit(1).as('one'))
    .whereRef('e.kind', '=', 'd.kind')
    .whereRef('e.id', '<', 'd.id')
    .whereRef('e.recipient', 'is not distinct from', 'd.recipient')
    .where('e.state', 'not in', SETTLED)
    .where((x) => x.or([
      x('ed.set_id', '=', x.ref('doc.set_id')),
      x('ed.document_id', '=', x.ref('doc.parent_document_id')),
      x('ed.document_id', '=', x.ref('doc.document_id')),
    ]));
}

function leaseHeld(eb: ExpressionBuilder<Database, 'delivery'>, lease: Lease | undefined): Expression<SqlBool> {
  if (lease === undefined) return sql<SqlBool>`true`;
  return eb.and([eb('claimed_by', '=', lease.claimedBy), eb('attempt_count', '=', lease.attemptCount)]);
}

function validIds(id: string): string[] {
  return isRowId(id) ? [id] : [];
}

async function moved(q: Promise<{ numUpdatedRows: bigint }[]>): Promise<number> {
  const results = await q;
  return results.reduce((n, r) => n + Number(r.numUpdatedRows), 0);
}

/** in_flight → done. */
export async function markDone(db: Kysely<Database>, id: string, o: { lease?: Lease; now?: Date } = {}): Promise<number> {
  const ids = validIds(id);
  if (ids.length === 0) return 0;
  return moved(db.updateTable('delivery')
    .set({ state: 'done', reason: null, lease_until: null, updated_at: at(o.now) })
    .where('id', 'in', ids)
    .where('state', 'in', DONE_FROM)
    .where((eb) => leaseHeld(eb, o.lease))
    .execute());
}

/** in_flight → retry_wait, due again at `nextAttemptAt`; `error` (a code, no patient data) is kept as the reason. */
export async function markRetry(
  db: Kysely<Database>, id: string, nextAttemptAt: Date, error: string, o: { lease?: Lease; now?: Date } = {},
): Promise<number> {
  const ids = validIds(id);
  if (ids.length === 0) return 0;
  return moved(db.updateTable('delivery')
    .set({ state: 'retry_wait', next_attempt_at: nextAttemptAt, reason: error, lease_until: null, updated_at: at(o.now) })
    .where('id', 'in', ids)
    .where('state', 'in', RETRY_FROM)
    .where((eb) => leaseHeld(eb, o.lease))
    .execute());
}

/** in_flight → dead: a permanent refusal, or retries exhausted. An operator may replay it. */
export async function markDead(
  db: Kysely<Database>, id: string, error: string, o: { lease?: Lease; now?: Date } = {},
): Promise<number> {
  const ids = validIds(id);
  if (ids.length === 0) return 0;
  return moved(db.updateTable('delivery')
    .set({ state: 'dead', reason: error, lease_until: null, updated_at: at(o.now) })
    .where('id', 'in', ids)
    .where('state', 'in', DEAD_FROM)
    .where((eb) => leaseHeld(eb, o.lease))
    .execute());
}

/**
 * in_flight whose lease has expired → pending. This is what resumes a drain after a crash or a stop
 * that had to abandon sends: the sender's resubmission must be idempotent (same uniqueId, same Message-ID).
 */
export async function reclaimExpiredLeases(db: Kysely<Database>, o: { now?: Date; kind?: DestinationKind } = {}): Promise<number> {
  let q = db.updateTable('delivery')
    .set({ state: 'pending', reason: 'lease_expired', lease_until: null, claimed_by: null, next_attempt_at: at(o.now), updated_at: at(o.now) })
    .where('state', 'in', RECLAIM_FROM)
    .where('lease_until', '<', at(o.now));
  if (o.kind !== undefined) q = q.where('kind', '=', o.kind);
  return moved(q.execute());
}

/** The peer is back: make every delivery of this kind waiting for a retry due now. Not a state change. */
export async function expediteRetries(db: Kysely<Database>, o: { kind: DestinationKind; now?: Date }): Promise<number> {
  return moved(db.updateTable('delivery')
    .set({ next_attempt_at: at(o.now) })
    .where('state', '=', 'retry_wait')
    .where('kind', '=', o.kind)
    .where('next_attempt_at', '>', at(o.now))
    .execute());
}

function selected(sel: DeliverySelector, from: readonly DeliveryState[]) {
  if (sel.ids === undefined && sel.state === undefined && sel.kind === undefined) {
    // A command with no criterion would touch every order: refuse rather than guess.
    throw new RelaisError('RLS_BUG', 'a delivery selector needs ids, a state or a kind');
  }
  return (eb: ExpressionBuilder<Database, 'delivery'>): Expression<SqlBool> => {
    const parts: Expression<SqlBool>[] = [eb('state', 'in', from)];
    if (sel.ids !== undefined) {
      const ids = sel.ids.filter(isRowId);
      parts.push(ids.length > 0 ? eb('id', 'in', ids) : sql<SqlBool>`false`);
    }
    if (sel.state !== undefined) parts.push(eb('state', '=', sel.state));
    if (sel.kind !== undefined) parts.push(eb('kind', '=', sel.kind));
    return eb.and(parts);
  };
}

/** pending | retry_wait → held (operator hold). Returns how many moved. */
export async function holdDeliveries(db: Kysely<Database>, sel: DeliverySelector, reason: string, o: { now?: Date } = {}): Promise<number> {
  return moved(db.updateTable('delivery')
    .set({ state: 'held', reason, updated_at: at(o.now) })
    .where(selected(sel, HOLD_FROM))
    .execute());
}

/** held → pending, due now (a scheduled delivery still waits for its not_before). */
export async function releaseDeliveries(db: Kysely<Database>, sel: DeliverySelector, o: { now?: Date } = {}): Promise<number> {
  return moved(db.updateTable('delivery')
    .set({ state: 'pending', reason: null, next_attempt_at: at(o.now), updated_at: at(o.now) })
    .where(selected(sel, RELEASE_FROM))
    .execute());
}

/** dead → pending, due now; attempt_count is kept (the history of tries stays truthful). */
export async function replayDeliveries(db: Kysely<Database>, sel: DeliverySelector, o: { now?: Date } = {}): Promise<number> {
  return moved(db.updateTable('delivery')
    .set({ state: 'pending', reason: null, next_attempt_at: at(o.now), updated_at: at(o.now) })
    .where(selected(sel, REPLAY_FROM))
    .execute());
}

/** held | pending | retry_wait | dead → cancelled (never a send in progress). */
export async function cancelDeliveries(db: Kysely<Database>, sel: DeliverySelector, reason: string, o: { now?: Date } = {}): Promise<number> {
  return moved(db.updateTable('delivery')
    .set({ state: 'cancelled', reason, lease_until: null, updated_at: at(o.now) })
    .where(selected(sel, CANCEL_FROM))
    .execute());
}
