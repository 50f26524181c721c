/**
 * Mails read from the application mailboxes (volet B): recorded with their MDMs in one transaction, answered
 * (MDN or error mail) once every MDM has its DPI answer, then moved out of the INBOX. Claims use leases like the
 * delivery queue, so several nodes may share the work and a node that dies hands it back.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { RelaisError } from '../domain/index.js';
import { isRowId, listLimit } from './list-helpers.js';
import { isUniqueViolation } from './store-errors.js';
import type { Database, InboundDocumentRef, InboundMailKind, InboundMailState } from './schema.js';

export interface NewInboundMail {
  mailbox: string;
  uidValidity: string;
  uid: number;
  mailMessageId: string;
  archiveSha256?: string;
  kind: InboundMailKind;
  state: InboundMailState;
  /** The mail as read, verbatim (the MDN or error mail returns it). */
  raw: Buffer;
  /** From address. */
  peer: string;
  documents?: readonly InboundDocumentRef[];
  /** Refused before any MDM (no archive, bad archive…): what the answer will say. */
  error?: { code: string; label: string };
  /** Set when the mail is settled at once without an answer (e.g. too large to read). */
  outcome?: 'failed';
  /** The MDMs for the DPI, one per document, queued in the notification outbox. */
  mdms?: readonly { kind: string; payload: Buffer; controlId: string }[];
}

/**
 * Records a mail, its raw bytes and its MDMs, in one transaction. `duplicate` when the same mail (Message-ID and
 * archive) was recorded before for this mailbox: nothing is written and nothing is sent again.
 */
export async function recordInboundMail(db: Kysely<Database>, m: NewInboundMail): Promise<{ id: string; duplicate: boolean }> {
  const archive = m.archiveSha256 ?? '';
  const existing = await db.selectFrom('inbound_mail').select('id')
    .where('mailbox', '=', m.mailbox).where('mail_message_id', '=', m.mailMessageId).where('archive_sha256', '=', archive)
    .executeTakeFirst();
  if (existing) return { id: existing.id, duplicate: true };
  try {
    return await db.transaction().execute(async (tx) => {
      const message = await tx.insertInto('message').values({
        direction: 'in', channel: 'mail', peer: m.peer, control_id: m.mailMessageId, message_type: `mail/${m.kind}`,
        raw: m.raw, status: m.state,
      }).returning('id').executeTakeFirstOrThrow();
      const docs = m.documents ?? [];
      const row = await tx.insertInto('inbound_mail').values({
        message_id: message.id, mailbox: m.mailbox, uid_validity: m.uidValidity, uid: m.uid, mail_message_id: m.mailMessageId,
        archive_sha256: archive, kind: m.kind, state: m.state,
        documents: docs.length, replacements: docs.filter((d) => d.action === 'replace').length,
        deletions: docs.filter((d) => d.action === 'delete').length,
        document_list: JSON.stringify(docs),
        error_code: m.error?.code ?? null, error_label: m.error?.label ?? null,
        ...(m.outcome ? { outcome: m.outcome, answer_kind: 'none' as const } : {}),
      }).returning('id').executeTakeFirstOrThrow();
      if (m.mdms && m.mdms.length > 0) {
        await tx.insertInto('notification').values(m.mdms.map((n) => ({
          message_id: message.id, kind: n.kind, payload: n.payload, control_id: n.controlId, state: 'pending' as const,
        }))).execute();
      }
      return { id: row.id, duplicate: false };
    });
  } catch (e) {
    // Two readers of the same mailbox raced on the same mail: the other one recorded it.
    if (isUniqueViolation(e)) {
      const again = await db.selectFrom('inbound_mail').select('id')
        .where('mailbox', '=', m.mailbox).where('mail_message_id', '=', m.mailMessageId).where('archive_sha256', '=', archive)
        .executeTakeFirst();
      if (again) return { id: again.id, duplicate: true };
    }
    throw e;
  }
}

export interface ClaimedInboundMail {
  id: string;
  messageRowId: string;
  mailbox: string;
  mailMessageId: string;
  documents: InboundDocumentRef[];
  errorCode: string | null;
  errorLabel: string | null;
  answerAttempts: number;
  claimedBy: string;
}

/**
 * Claims mails whose answer is due: refused before any MDM (answer_due), or dispatching with every MDM settled
 * (done or dead) — decided by the outbox itself, so a crash between the last ACK and this claim loses nothing.
 */
export async function claimInboundAnswers(
  db: Kysely<Database>, o: { limit: number; workerId: string; leaseMs: number; now?: Date },
): Promise<ClaimedInboundMail[]> {
  if (!Number.isSafeInteger(o.limit) || o.limit < 1 || !Number.isSafeInteger(o.leaseMs) || o.leaseMs < 1) {
    throw new RelaisError('RLS_BUG', 'limit and leaseMs must be positive integers', {});
  }
  const now = o.now === undefined ? sql<Date>`now()` : sql<Date>`${o.now}::timestamptz`;
  const rows = await db
    .updateTable('inbound_mail')
    .set({
      state: 'answer_due',
      lease_until: sql<Date>`${now} + ${o.leaseMs} * interval '1 millisecond'`,
      claimed_by: o.workerId,
      answer_attempts: sql<number>`answer_attempts + 1`,
      updated_at: now,
    })
    .where('id', 'in', (eb) => eb
      .selectFrom('inbound_mail as m')
      .select('m.id')
      .where('m.state', 'in', ['dispatching', 'answer_due'])
      .where('m.next_attempt_at', '<=', now)
      .where((w) => w.or([w('m.lease_until', 'is', null), w('m.lease_until', '<', now)]))
      .where((w) => w.or([
        w('m.state', '=', 'answer_due'),
        w.not(w.exists(w.selectFrom('notification as n').select('n.id')
          .whereRef('n.message_id', '=', 'm.message_id').where('n.state', 'not in', ['done', 'dead']))),
      ]))
      .orderBy('m.id')
      .limit(o.limit)
      .forUpdate()
      .skipLocked())
    .returning(['id', 'message_id', 'mailbox', 'mail_message_id', 'document_list', 'error_code', 'error_label', 'answer_attempts', 'claimed_by'])
    .execute();
  return rows.map((r) => ({
    id: r.id, messageRowId: r.message_id, mailbox: r.mailbox, mailMessageId: r.mail_message_id, documents: r.document_list,
    errorCode: r.error_code, errorLabel: r.error_label, answerAttempts: r.answer_attempts, claimedBy: r.claimed_by ?? o.workerId,
  }));
}

export interface InboundMdmOutcome {
  controlId: string;
  kind: string;
  state: string;
  ack: Buffer | null;
  lastError: string | null;
}

/** The MDMs of a mail with their DPI answers. */
export async function listInboundMdms(db: Kysely<Database>, messageRowId: string): Promise<InboundMdmOutcome[]> {
  const rows = await db.selectFrom('notification').select(['control_id', 'kind', 'state', 'ack', 'last_error'])
    .where('message_id', '=', messageRowId).orderBy('id').execute();
  return rows.map((r) => ({ controlId: r.control_id, kind: r.kind, state: r.state, ack: r.ack, lastError: r.last_error }));
}

export interface InboundAnswer {
  outcome: 'integrated' | 'refused' | 'failed';
  answerKind: 'mdn' | 'error_mail' | 'none';
  answerMessageId?: string | null;
  errorCode?: string | null;
  errorLabel?: string | null;
}

/** Settles a claimed mail; 0 when the lease was lost (another node answers it). */
export async function markInboundAnswered(db: Kysely<Database>, id: string, a: InboundAnswer, claimedBy: string): Promise<number> {
  const r = await db.updateTable('inbound_mail')
    .set({
      state: 'answered', outcome: a.outcome, answer_kind: a.answerKind, answer_message_id: a.answerMessageId ?? null,
      error_code: a.errorCode ?? null, error_label: a.errorLabel ?? null, lease_until: null, claimed_by: null, last_error: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id).where('claimed_by', '=', claimedBy).where('state', '=', 'answer_due')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function markInboundAnswerRetry(db: Kysely<Database>, id: string, next: Date, error: string, claimedBy: string): Promise<number> {
  const r = await db.updateTable('inbound_mail')
    .set({ next_attempt_at: next, last_error: error, lease_until: null, claimed_by: null, updated_at: sql<Date>`now()` })
    .where('id', '=', id).where('claimed_by', '=', claimedBy).where('state', '=', 'answer_due')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Mails of a mailbox that are settled but still in its INBOX (same UIDVALIDITY). */
export async function listInboundToMove(db: Kysely<Database>, mailbox: string, uidValidity: string, limit = 500): Promise<{ id: string; uid: number; state: InboundMailState; outcome: string | null; kind: InboundMailKind }[]> {
  const rows = await db.selectFrom('inbound_mail').select(['id', 'uid', 'state', 'outcome', 'kind'])
    .where('mailbox', '=', mailbox).where('uid_validity', '=', uidValidity).where('moved_to', 'is', null)
    .where('state', 'in', ['answered', 'ignored']).orderBy('uid').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, uid: Number(r.uid), state: r.state, outcome: r.outcome, kind: r.kind }));
}

export async function markInboundMoved(db: Kysely<Database>, ids: readonly string[], folder: string): Promise<void> {
  const valid = ids.filter(isRowId);
  if (valid.length === 0) return;
  await db.updateTable('inbound_mail').set({ moved_to: folder, updated_at: sql<Date>`now()` }).where('id', 'in', valid).execute();
}

export interface InboundMailRow {
  id: string;
  mailbox: string;
  mailMessageId: string;
  kind: InboundMailKind;
  state: InboundMailState;
  documents: InboundDocumentRef[];
  outcome: string | null;
  errorCode: string | null;
  errorLabel: string | null;
  answerKind: string | null;
  movedTo: string | null;
  createdAt: Date;
}

/** Newest first. */
export async function listInboundMails(db: Kysely<Database>, o: { limit?: number; mailbox?: string } = {}): Promise<InboundMailRow[]> {
  let q = db.selectFrom('inbound_mail').select([
    'id', 'mailbox', 'mail_message_id', 'kind', 'state', 'document_list', 'outcome', 'error_code', 'error_label', 'answer_kind', 'moved_to', 'created_at',
  ]);
  if (o.mailbox) q = q.where('mailbox', '=', o.mailbox);
  const rows = await q.orderBy('id', 'desc').limit(listLimit(o.limit)).execute();
  return rows.map((r) => ({
    id: r.id, mailbox: r.mailbox, mailMessageId: r.mail_message_id, kind: r.kind, state: r.state, documents: r.document_list,
    outcome: r.outcome, errorCode: r.error_code, errorLabel: r.error_label, answerKind: r.answer_kind, movedTo: r.moved_to, createdAt: r.created_at,
  }));
}
