/**
 * MSSanté bookkeeping: the Message-ID of each mail delivery, the DSNs and MDNs received for it, the
 * functional traces of SMTP and IMAP operations (SC.MSS/CONF.17/18), and the IMAP cursors of the mailboxes.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DeliveryState, DestinationKind } from '../domain/index.js';
import { isRowId, listLimit } from './list-helpers.js';
import type { Database, MailReceiptKind, MssProtocol } from './schema.js';

/**
 * Gives the delivery its mail Message-ID unless it has one already, and returns the one it keeps: a retry
 * (or a resend after a crash) sends the same Message-ID as the first try.
 */
export async function fixMailMessageId(db: Kysely<Database>, deliveryId: string, candidate: string): Promise<string> {
  const r = await db
    .updateTable('delivery')
    .set({ mail_message_id: sql<string>`coalesce(mail_message_id, ${candidate})` })
    .where('id', '=', deliveryId)
    .returning('mail_message_id')
    .executeTakeFirst();
  return r?.mail_message_id ?? candidate;
}

export interface MailDeliveryRef {
  deliveryId: string;
  documentRowId: string;
  kind: DestinationKind;
  recipient: string | null;
  recipientId: string | null;
  state: DeliveryState;
}

/** The deliveries that sent the mail with this Message-ID (one per recipient mail in practice). */
export async function findDeliveriesByMailMessageId(db: Kysely<Database>, messageId: string): Promise<MailDeliveryRef[]> {
  const rows = await db
    .selectFrom('delivery')
    .select(['id', 'document_row_id', 'kind', 'recipient', 'recipient_id', 'state'])
    .where('mail_message_id', '=', messageId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    deliveryId: r.id, documentRowId: r.document_row_id, kind: r.kind, recipient: r.recipient, recipientId: r.recipient_id, state: r.state,
  }));
}

export interface NewMailReceipt {
  deliveryId: string;
  kind: MailReceiptKind;
  status: string;
  code?: string | null;
  detail?: string | null;
  reporter?: string | null;
  reportMessageId: string;
}

/** Records a receipt; false when the same report was already recorded (a receipt mail read twice). */
export async function recordMailReceipt(db: Kysely<Database>, r: NewMailReceipt): Promise<boolean> {
  const inserted = await db
    .insertInto('mail_receipt')
    .values({
      delivery_id: r.deliveryId, kind: r.kind, status: r.status, code: r.code ?? null, detail: r.detail ?? null,
      reporter: r.reporter ?? null, report_message_id: r.reportMessageId,
    })
    .onConflict((oc) => oc.columns(['delivery_id', 'kind', 'report_message_id', 'status']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export interface MailReceiptRow {
  id: string;
  deliveryId: string;
  kind: MailReceiptKind;
  status: string;
  code: string | null;
  detail: string | null;
  reporter: string | null;
  reportMessageId: string;
  receivedAt: Date;
}

export async function listMailReceipts(db: Kysely<Database>, deliveryId: string): Promise<MailReceiptRow[]> {
  if (!isRowId(deliveryId)) return [];
  const rows = await db.selectFrom('mail_receipt').selectAll().where('delivery_id', '=', deliveryId).orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id, deliveryId: r.delivery_id, kind: r.kind, status: r.status, code: r.code, detail: r.detail, reporter: r.reporter,
    reportMessageId: r.report_message_id, receivedAt: r.received_at,
  }));
}

export interface MssTraceEntry {
  at: Date;
  actor: string;
  protocol: MssProtocol;
  action: string;
  request: string;
  response: string;
  ok: boolean;
  mailMessageId?: string | null;
  durationMs?: number | null;
}

export interface MssTraceRow extends MssTraceEntry {
  id: string;
}

/** Longest request or response text kept in one trace row. */
export const MAX_TRACE_TEXT = 4096;

function clip(s: string): string {
  return s.length <= MAX_TRACE_TEXT ? s : `${s.slice(0, MAX_TRACE_TEXT - 1)}…`;
}

/** One multi-row INSERT for a batch of traces. */
export async function insertMssTraces(db: Kysely<Database>, traces: readonly MssTraceEntry[]): Promise<void> {
  if (traces.length === 0) return;
  await db
    .insertInto('mss_trace')
    .values(traces.map((t) => ({
      at: t.at, actor: t.actor, protocol: t.protocol, action: t.action, request: clip(t.request), response: clip(t.response),
      ok: t.ok, mail_message_id: t.mailMessageId ?? null,
      duration_ms: t.durationMs === undefined || t.durationMs === null ? null : Math.max(0, Math.round(t.durationMs)),
    })))
    .execute();
}

export interface MssTraceQuery {
  since?: Date;
  until?: Date;
  actor?: string;
  protocol?: MssProtocol;
  mailMessageId?: string;
  /** Only failures. */
  failedOnly?: boolean;
  limit?: number;
  /** Rows with an id below this one (paging backwards). */
  beforeId?: string;
}

/** Newest first. */
export async function listMssTraces(db: Kysely<Database>, q: MssTraceQuery = {}): Promise<MssTraceRow[]> {
  let query = db.selectFrom('mss_trace').selectAll();
  if (q.since) query = query.where('at', '>=', q.since);
  if (q.until) query = query.where('at', '<', q.until);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.protocol) query = query.where('protocol', '=', q.protocol);
  if (q.mailMessageId) query = query.where('mail_message_id', '=', q.mailMessageId);
  if (q.failedOnly) query = query.where('ok', '=', false);
  if (q.beforeId !== undefined && isRowId(q.beforeId)) query = query.where('id', '<', q.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(listLimit(q.limit)).execute();
  return rows.map((r) => ({
    id: r.id, at: r.at, actor: r.actor, protocol: r.protocol, action: r.action, request: r.request, response: r.response,
    ok: r.ok, mailMessageId: r.mail_message_id, durationMs: r.duration_ms,
  }));
}

/** Deletes traces older than `before` (the retention period); returns how many. */
export async function purgeMssTraces(db: Kysely<Database>, before: Date): Promise<number> {
  const r = await db.deleteFrom('mss_trace').where('at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export interface MailboxCursor {
  uidValidity: string;
  lastUid: number;
}

export async function getMailboxCursor(db: Kysely<Database>, mailbox: string, folder: string): Promise<MailboxCursor | undefined> {
  const r = await db
    .selectFrom('mailbox_cursor')
    .select(['uid_validity', 'last_uid'])
    .where('mailbox', '=', mailbox)
    .where('folder', '=', folder)
    .executeTakeFirst();
  return r ? { uidValidity: r.uid_validity, lastUid: Number(r.last_uid) } : undefined;
}

/** Moves the cursor forward only (a late writer never moves it back), or resets it when UIDVALIDITY changed. */
export async function advanceMailboxCursor(db: Kysely<Database>, mailbox: string, folder: string, c: MailboxCursor): Promise<void> {
  await db
    .insertInto('mailbox_cursor')
    .values({ mailbox, folder, uid_validity: c.uidValidity, last_uid: c.lastUid })
    .onConflict((oc) => oc.columns(['mailbox', 'folder']).doUpdateSet({
      last_uid: sql<string>`case when mailbox_cursor.uid_validity = excluded.uid_validity
        then greatest(mailbox_cursor.last_uid, excluded.last_uid) else excluded.last_uid end`,
      uid_validity: sql<string>`excluded.uid_validity`,
      updated_at: sql<Date>`now()`,
    }))
    .execute();
}
