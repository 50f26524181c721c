/**
 * What the operations console asks the store: documents and deliveries found by patient (INS, IPP), by
 * identifier (CDA id, MSH-10, mail Message-ID), by date range and by delivery state, newest first and
 * paged by id, each criterion answered from an index; the counts of the dashboard and of /metrics.
 * Every value reaches SQL as a bound parameter.
 */
import { sql } from 'kysely';
import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { DeliveryState, DestinationKind } from '../domain/index.js';
import type { DocumentSummary } from './documents.js';
import type { DeliveryRow } from './deliveries.js';
import { isRowId, listLimit } from './list-helpers.js';
import type { Database, MessageChannel, MessageDirection } from './schema.js';

export interface DocumentSearch {
  ins?: string;
  ipp?: string;
  /** ClinicalDocument/id as stored (`root^extension`). */
  documentId?: string;
  /** MSH-10 of the message that carried the document. */
  controlId?: string;
  /** Message-ID of a MSSanté mail sent for the document. */
  mailMessageId?: string;
  /** Received at or after. */
  from?: Date;
  /** Received before. */
  to?: Date;
  /** At least one delivery of the document is in this state. */
  state?: DeliveryState;
  limit?: number;
  /** Rows with an id below this one (the next page). */
  beforeId?: string;
}

export interface DeliverySearch extends DocumentSearch {
  kind?: DestinationKind;
  /** The deliveries of one document (its row id). */
  documentRowId?: string;
}

/** A delivery as the console shows it: the listing row plus the mail's Message-ID. */
export interface DeliveryView extends DeliveryRow {
  mailMessageId: string | null;
  ipp: string | null;
  patientIns: string | null;
}

/**
 * The document criteria, shared by both searches (the documents are aliased `d`, their messages `m`);
 * `undefined` when a criterion can match nothing. Values are bound parameters.
 */
function documentCriteria(q: DocumentSearch): RawBuilder<SqlBool> | undefined {
  if (q.beforeId !== undefined && !isRowId(q.beforeId)) return undefined;
  const parts: RawBuilder<unknown>[] = [sql`true`];
  if (q.ins !== undefined) parts.push(sql`d.patient_ins = ${q.ins}`);
  if (q.ipp !== undefined) parts.push(sql`d.ipp = ${q.ipp}`);
  if (q.documentId !== undefined) parts.push(sql`d.document_id = ${q.documentId}`);
  if (q.controlId !== undefined) parts.push(sql`m.control_id = ${q.controlId}`);
  if (q.from !== undefined) parts.push(sql`d.created_at >= ${q.from}`);
  if (q.to !== undefined) parts.push(sql`d.created_at < ${q.to}`);
  if (q.mailMessageId !== undefined) {
    parts.push(sql`exists (select 1 from delivery x where x.document_row_id = d.id and x.mail_message_id = ${q.mailMessageId})`);
  }
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

export async function searchDocuments(db: Kysely<Database>, q: DocumentSearch): Promise<DocumentSummary[]> {
  const criteria = documentCriteria(q);
  if (!criteria) return [];
  let query = db
    .selectFrom('document as d')
    .innerJoin('message as m', 'm.id', 'd.message_id')
    .select([
      'd.id', 'd.message_id', 'm.control_id', 'd.document_id', 'd.set_id', 'd.parent_document_id', 'd.version_number',
      'd.action', 'd.patient_ins', 'd.patient_ins_oid', 'd.ins_qualified', 'd.ipp', 'd.type_code', 'd.type_system',
      'd.type_label', 'd.title', 'd.level', 'd.flags', 'd.cda_sha256', 'd.effective_time', 'd.historical',
      'd.finess_geo', 'd.created_at', sql<number>`octet_length(d.cda)::integer`.as('cda_size'),
    ])
    .where(criteria)
    .orderBy('d.id', 'desc')
    .limit(listLimit(q.limit));
  if (q.beforeId !== undefined) query = query.where('d.id', '<', q.beforeId);
  if (q.state !== undefined) {
    query = query.where(sql<SqlBool>`exists (select 1 from delivery s where s.document_row_id = d.id and s.state = ${q.state})`);
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id, messageId: r.message_id, controlId: r.control_id, documentId: r.document_id, setId: r.set_id,
    parentDocumentId: r.parent_document_id, versionNumber: r.version_number, action: r.action, patientIns: r.patient_ins,
    patientInsOid: r.patient_ins_oid, insQualified: r.ins_qualified, ipp: r.ipp, typeCode: r.type_code, typeSystem: r.type_system,
    typeLabel: r.type_label, title: r.title, level: r.level, flags: r.flags, cdaSha256: r.cda_sha256, cdaSize: r.cda_size,
    effectiveTime: r.effective_time, historical: r.historical, finessGeo: r.finess_geo, createdAt: r.created_at,
  }));
}

/** One document by row id; undefined for an unknown or malformed id. */
export async function getDocumentSummary(db: Kysely<Database>, id: string): Promise<DocumentSummary | undefined> {
  if (!isRowId(id)) return undefined;
  const [doc] = await searchDocuments(db, { beforeId: String(BigInt(id) + 1n), limit: 1 });
  return doc?.id === id ? doc : undefined;
}

export async function searchDeliveries(db: Kysely<Database>, q: DeliverySearch): Promise<DeliveryView[]> {
  const criteria = documentCriteria({ ...q, beforeId: undefined });
  if (!criteria || (q.beforeId !== undefined && !isRowId(q.beforeId))) return [];
  if (q.documentRowId !== undefined && !isRowId(q.documentRowId)) return [];
  let query = db
    .selectFrom('delivery as v')
    .innerJoin('document as d', 'd.id', 'v.document_row_id')
    .innerJoin('message as m', 'm.id', 'd.message_id')
    .select([
      'v.id', 'v.document_row_id', 'd.document_id', 'd.action', 'v.kind', 'v.recipient', 'v.recipient_id', 'v.state',
      'v.reason', 'v.not_before', 'v.next_attempt_at', 'v.attempt_count', 'v.created_at', 'v.updated_at', 'v.mail_message_id',
      'd.ipp', 'd.patient_ins',
    ])
    .where(criteria)
    .orderBy('v.id', 'desc')
    .limit(listLimit(q.limit));
  if (q.beforeId !== undefined) query = query.where('v.id', '<', q.beforeId);
  if (q.state !== undefined) query = query.where('v.state', '=', q.state);
  if (q.kind !== undefined) query = query.where('v.kind', '=', q.kind);
  if (q.documentRowId !== undefined) query = query.where('v.document_row_id', '=', q.documentRowId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id, documentRowId: r.document_row_id, documentId: r.document_id, action: r.action, kind: r.kind, recipient: r.recipient,
    recipientId: r.recipient_id, state: r.state, reason: r.reason, notBefore: r.not_before, nextAttemptAt: r.next_attempt_at,
    attemptCount: r.attempt_count, createdAt: r.created_at, updatedAt: r.updated_at, mailMessageId: r.mail_message_id,
    ipp: r.ipp, patientIns: r.patient_ins,
  }));
}

/** The ids of every delivery matching a search (a bulk operator order), at most `max`. */
export async function searchDeliveryIds(db: Kysely<Database>, q: DeliverySearch, max: number): Promise<string[]> {
  return (await searchDeliveries(db, { ...q, limit: max })).map((d) => d.id);
}

export interface FlowBucket {
  /** Start of the hour or day (UTC). */
  at: Date;
  direction: MessageDirection;
  channel: MessageChannel;
  status: string;
  count: number;
}

/** Messages per hour or day since a time, by direction, channel and status (message_created_at_idx). */
export async function countFlows(db: Kysely<Database>, o: { since: Date; unit: 'hour' | 'day' }): Promise<FlowBucket[]> {
  const bucket = sql<Date>`date_trunc(${sql.lit(o.unit)}, created_at at time zone 'UTC') at time zone 'UTC'`;
  const rows = await db.selectFrom('message')
    .select([bucket.as('at'), 'direction', 'channel', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('created_at', '>=', o.since)
    .groupBy([bucket, 'direction', 'channel', 'status'])
    .execute();
  return rows.map((r) => ({ at: new Date(r.at), direction: r.direction, channel: r.channel, status: r.status, count: Number(r.n) }));
}

export interface OutcomeBucket { at: Date; kind: DestinationKind; state: 'done' | 'dead'; count: number }

/** Final delivery outcomes per hour or day since a time, by kind (delivery_outcome_idx). */
export async function countOutcomes(db: Kysely<Database>, o: { since: Date; unit: 'hour' | 'day' }): Promise<OutcomeBucket[]> {
  const bucket = sql<Date>`date_trunc(${sql.lit(o.unit)}, updated_at at time zone 'UTC') at time zone 'UTC'`;
  const rows = await db.selectFrom('delivery')
    .select([bucket.as('at'), 'kind', 'state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('state', 'in', ['done', 'dead'])
    .where('updated_at', '>=', o.since)
    .groupBy([bucket, 'kind', 'state'])
    .execute();
  return rows.map((r) => ({ at: new Date(r.at), kind: r.kind, state: r.state as 'done' | 'dead', count: Number(r.n) }));
}

export interface KindStateCount { kind: DestinationKind; state: DeliveryState; count: number }

/** Deliveries by kind and state (queue depths, held and dead). */
export async function countDeliveriesByKind(db: Kysely<Database>): Promise<KindStateCount[]> {
  const rows = await db.selectFrom('delivery')
    .select(['kind', 'state', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['kind', 'state'])
    .execute();
  return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.n) }));
}

export interface MessageCount { direction: MessageDirection; channel: MessageChannel; status: string; count: number }

/** Every message by direction, channel and status (the flows of /metrics). */
export async function countMessages(db: Kysely<Database>): Promise<MessageCount[]> {
  const rows = await db.selectFrom('message')
    .select(['direction', 'channel', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['direction', 'channel', 'status'])
    .execute();
  return rows.map((r) => ({ direction: r.direction, channel: r.channel, status: r.status, count: Number(r.n) }));
}

/** Notifications to the DPI by state (its health as the dashboard shows it). */
export async function countNotificationsByState(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db.selectFrom('notification')
    .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** The raw messages linked to a document: the one that carried it, and the inbound mail it came from. */
export async function listDocumentMessages(db: Kysely<Database>, messageRowId: string): Promise<{
  id: string; direction: MessageDirection; channel: MessageChannel; peer: string; controlId: string | null; messageType: string | null;
  status: string; ackCode: string | null; raw: Buffer; ack: Buffer | null; createdAt: Date;
}[]> {
  if (!isRowId(messageRowId)) return [];
  const rows = await db.selectFrom('message')
    .select(['id', 'direction', 'channel', 'peer', 'control_id', 'message_type', 'status', 'ack_code', 'raw', 'ack', 'created_at'])
    .where('id', '=', messageRowId)
    .execute();
  return rows.map((r) => ({
    id: r.id, direction: r.direction, channel: r.channel, peer: r.peer, controlId: r.control_id, messageType: r.message_type,
    status: r.status, ackCode: r.ack_code, raw: r.raw, ack: r.ack, createdAt: r.created_at,
  }));
}

/** One round trip: the store answers. */
export async function pingStore(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

export interface InboundMailHeadline {
  id: string;
  mailbox: string;
  mailMessageId: string;
  kind: string;
  state: string;
  outcome: string | null;
  errorCode: string | null;
  documents: number;
  createdAt: Date;
  /** The first bytes of the mail (its headers), for the subject and sender. */
  head: Buffer;
}

/** Inbound mails newest first, with the head of each raw mail (never the whole attachment). */
export async function listInboundMailHeadlines(db: Kysely<Database>, o: { limit?: number; beforeId?: string } = {}): Promise<InboundMailHeadline[]> {
  if (o.beforeId !== undefined && !isRowId(o.beforeId)) return [];
  let q = db.selectFrom('inbound_mail as i')
    .innerJoin('message as m', 'm.id', 'i.message_id')
    .select([
      'i.id', 'i.mailbox', 'i.mail_message_id', 'i.kind', 'i.state', 'i.outcome', 'i.error_code', 'i.documents', 'i.created_at',
      sql<Buffer>`substring(m.raw from 1 for 8192)`.as('head'),
    ])
    .orderBy('i.id', 'desc')
    .limit(listLimit(o.limit));
  if (o.beforeId !== undefined) q = q.where('i.id', '<', o.beforeId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id, mailbox: r.mailbox, mailMessageId: r.mail_message_id, kind: r.kind, state: r.state, outcome: r.outcome,
    errorCode: r.error_code, documents: r.documents, createdAt: r.created_at, head: Buffer.from(r.head),
  }));
}
