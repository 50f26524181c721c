import type { Kysely } from 'kysely';
import { deliveryStates } from '../domain/index.js';
import type { DeliveryState, DestinationKind, DocumentAction } from '../domain/index.js';
import { isRowId, listLimit } from './list-helpers.js';
import type { Database } from './schema.js';

/** One destination of one document. */
export interface NewDelivery {
  documentRowId: string;
  kind: DestinationKind;
  /** Mail address for MSSanté; null for the DMP. */
  recipient?: string | null;
  recipientId?: string | null;
  state: DeliveryState;
  /** Why it is held (INS not qualified, scheduled time, operator hold…). */
  reason?: string | null;
  /** Not to be tried before this time. */
  notBefore?: Date | null;
}

export interface DeliveryRow {
  id: string;
  documentRowId: string;
  /** The CDA id of the document (ClinicalDocument/id), and what is done with it. */
  documentId: string;
  action: DocumentAction;
  kind: DestinationKind;
  recipient: string | null;
  recipientId: string | null;
  state: DeliveryState;
  reason: string | null;
  notBefore: Date | null;
  nextAttemptAt: Date;
  attemptCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One multi-row INSERT: the intake transaction pays one round trip whatever the number of destinations. */
export async function insertDeliveries(db: Kysely<Database>, rows: NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('delivery')
    .values(rows.map((r) => ({
      document_row_id: r.documentRowId,
      kind: r.kind,
      recipient: r.recipient ?? null,
      recipient_id: r.recipientId ?? null,
      state: r.state,
      reason: r.reason ?? null,
      not_before: r.notBefore ?? null,
      // A scheduled delivery is not due before its time; otherwise it is due now (column default).
      ...(r.notBefore ? { next_attempt_at: r.notBefore } : {}),
    })))
    .execute();
}

/** Newest first. */
export async function listDeliveries(
  db: Kysely<Database>,
  filter: { limit?: number; state?: DeliveryState; kind?: DestinationKind; documentRowId?: string },
): Promise<DeliveryRow[]> {
  if (filter.documentRowId !== undefined && !isRowId(filter.documentRowId)) return [];
  let q = db
    .selectFrom('delivery as v')
    .innerJoin('document as d', 'd.id', 'v.document_row_id')
    .select([
      'v.id', 'v.document_row_id', 'd.document_id', 'd.action', 'v.kind', 'v.recipient', 'v.recipient_id', 'v.state',
      'v.reason', 'v.not_before', 'v.next_attempt_at', 'v.attempt_count', 'v.created_at', 'v.updated_at',
    ])
    .orderBy('v.id', 'desc')
    .limit(listLimit(filter.limit));
  if (filter.state !== undefined) q = q.where('v.state', '=', filter.state);
  if (filter.kind !== undefined) q = q.where('v.kind', '=', filter.kind);
  if (filter.documentRowId !== undefined) q = q.where('v.document_row_id', '=', filter.documentRowId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    documentRowId: r.document_row_id,
    documentId: r.document_id,
    action: r.action,
    kind: r.kind,
    recipient: r.recipient,
    recipientId: r.recipient_id,
    state: r.state,
    reason: r.reason,
    notBefore: r.not_before,
    nextAttemptAt: r.next_attempt_at,
    attemptCount: r.attempt_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

/** Every state, zero included. */
export async function countByState(db: Kysely<Database>): Promise<Record<DeliveryState, number>> {
  const rows = await db
    .selectFrom('delivery')
    .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('state')
    .execute();
  const counts = Object.fromEntries(deliveryStates.map((s) => [s, 0])) as Record<DeliveryState, number>;
  for (const r of rows) counts[r.state] = Number(r.n);
  return counts;
}
