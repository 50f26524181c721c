/** Each try of a delivery, with the peer's answer (ARCHITECTURE.md: `attempt`). */
import type { Kysely } from 'kysely';
import { isRowId } from './list-helpers.js';
import type { Database } from './schema.js';

/** `success`: the peer took it; `transient`: retried later; `permanent`: refused for good; `aborted`: Relais stopped mid-send. */
export type AttemptOutcome = 'success' | 'transient' | 'permanent' | 'aborted';

export interface NewAttempt {
  deliveryId: string;
  startedAt: Date;
  finishedAt: Date;
  outcome: AttemptOutcome;
  /** The peer's answer verbatim (SMTP reply, SOAP fault, HL7 ACK); never a document. */
  peerAnswer?: string | null;
  /** A RelaisError code or a peer code. */
  errorCode?: string | null;
}

export interface AttemptRow {
  id: string;
  deliveryId: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: string | null;
  peerAnswer: string | null;
  errorCode: string | null;
}

export async function recordAttempt(db: Kysely<Database>, a: NewAttempt): Promise<string> {
  const row = await db
    .insertInto('attempt')
    .values({
      delivery_id: a.deliveryId,
      started_at: a.startedAt,
      finished_at: a.finishedAt,
      outcome: a.outcome,
      peer_answer: a.peerAnswer ?? null,
      error_code: a.errorCode ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Oldest first. */
export async function listAttempts(db: Kysely<Database>, deliveryId: string): Promise<AttemptRow[]> {
  if (!isRowId(deliveryId)) return [];
  const rows = await db
    .selectFrom('attempt')
    .select(['id', 'delivery_id', 'started_at', 'finished_at', 'outcome', 'peer_answer', 'error_code'])
    .where('delivery_id', '=', deliveryId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    deliveryId: r.delivery_id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    peerAnswer: r.peer_answer,
    errorCode: r.error_code,
  }));
}
