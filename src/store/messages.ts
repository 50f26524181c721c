import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { isRowId, listLimit } from './list-helpers.js';
import type { AckCode, Database, MessageChannel, MessageDirection } from './schema.js';

/** A message to record, in or out, verbatim. */
export interface NewMessage {
  direction: MessageDirection;
  channel: MessageChannel;
  peer: string;
  sendingApp?: string | null;
  sendingFacility?: string | null;
  /** MSH-10, mail Message-ID or SOAP wsa:MessageID. */
  controlId?: string | null;
  messageType?: string | null;
  raw: Buffer;
  ack?: Buffer | null;
  ackCode?: AckCode | null;
  status: string;
  errorSummary?: string | null;
  receivedAt?: Date;
}

/** A message as the console lists it: everything but the raw bytes (see getMessageRaw). */
export interface MessageRow {
  id: string;
  direction: MessageDirection;
  channel: MessageChannel;
  peer: string;
  sendingApp: string | null;
  sendingFacility: string | null;
  controlId: string | null;
  messageType: string | null;
  rawSize: number;
  ack: Buffer | null;
  ackCode: AckCode | null;
  status: string;
  errorSummary: string | null;
  receivedAt: Date;
  createdAt: Date;
}

export async function insertMessage(db: Kysely<Database>, m: NewMessage): Promise<{ id: string }> {
  return db
    .insertInto('message')
    .values({
      direction: m.direction,
      channel: m.channel,
      peer: m.peer,
      sending_app: m.sendingApp ?? null,
      sending_facility: m.sendingFacility ?? null,
      control_id: m.controlId ?? null,
      message_type: m.messageType ?? null,
      raw: m.raw,
      ack: m.ack ?? null,
      ack_code: m.ackCode ?? null,
      status: m.status,
      error_summary: m.errorSummary ?? null,
      ...(m.receivedAt ? { received_at: m.receivedAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * The inbound HL7 message already accepted (AA) under this MSH-3/MSH-4/MSH-10, with the ACK we
 * answered: a DPI that resends it gets the same ACK again and no second delivery (volet A). The query
 * matches the partial unique index message_accepted_inbound_uq.
 */
export async function findAcceptedInbound(
  db: Kysely<Database>,
  key: { sendingApp: string; sendingFacility: string; controlId: string },
): Promise<{ id: string; ack: Buffer } | undefined> {
  const row = await db
    .selectFrom('message')
    .select(['id', 'ack'])
    .where('direction', '=', 'in')
    .where('channel', '=', 'hl7')
    .where('ack_code', '=', 'AA')
    .where('sending_app', '=', key.sendingApp)
    .where('sending_facility', '=', key.sendingFacility)
    .where('control_id', '=', key.controlId)
    .executeTakeFirst();
  if (!row || row.ack === null) return undefined;
  return { id: row.id, ack: row.ack };
}

/** Newest first. */
export async function listMessages(db: Kysely<Database>, filter: { limit?: number; controlId?: string }): Promise<MessageRow[]> {
  let q = db
    .selectFrom('message')
    .select([
      'id', 'direction', 'channel', 'peer', 'sending_app', 'sending_facility', 'control_id', 'message_type',
      'ack', 'ack_code', 'status', 'error_summary', 'received_at', 'created_at',
      // octet_length reads the TOAST header: the raw bytes are not fetched nor decompressed.
      sql<number>`octet_length(raw)::integer`.as('raw_size'),
    ])
    .orderBy('id', 'desc')
    .limit(listLimit(filter.limit));
  if (filter.controlId !== undefined) q = q.where('control_id', '=', filter.controlId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    direction: r.direction,
    channel: r.channel,
    peer: r.peer,
    sendingApp: r.sending_app,
    sendingFacility: r.sending_facility,
    controlId: r.control_id,
    messageType: r.message_type,
    rawSize: r.raw_size,
    ack: r.ack,
    ackCode: r.ack_code,
    status: r.status,
    errorSummary: r.error_summary,
    receivedAt: r.received_at,
    createdAt: r.created_at,
  }));
}

/** The message exactly as received or sent. */
export async function getMessageRaw(db: Kysely<Database>, id: string): Promise<Buffer | undefined> {
  if (!isRowId(id)) return undefined;
  const row = await db.selectFrom('message').select('raw').where('id', '=', id).executeTakeFirst();
  return row?.raw;
}
