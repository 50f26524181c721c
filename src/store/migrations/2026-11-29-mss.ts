import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * MSSanté sending and receipts.
 *
 * - `delivery.mail_message_id`: the Message-ID of the mail a MSSanté delivery sends. Fixed before the first try
 *   and kept for every retry, so a resend after a crash carries the same Message-ID (receivers can detect it),
 *   and DSNs and MDNs find their delivery by it.
 * - `mail_receipt`: each DSN or MDN received for a delivery (one row per recipient report).
 * - `mss_trace`: the functional trace of every SMTP and IMAP operation (SC.MSS/CONF.17/18): who, when, what
 *   was asked, what the server answered. Never a message body, a document or a password.
 * - `mailbox_cursor`: per mailbox and folder, the UIDVALIDITY and the highest UID already handled.
 *
 * Frozen in time: never imports application code.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('delivery').addColumn('mail_message_id', 'text').execute();
  await db.schema
    .createIndex('delivery_mail_message_id_idx')
    .on('delivery')
    .column('mail_message_id')
    .where(sql<boolean>`mail_message_id is not null`)
    .execute();

  await db.schema
    .createTable('mail_receipt')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('delivery_id', 'bigint', (c) => c.notNull().references('delivery.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    // DSN Action (delivered, failed, delayed, relayed, expanded) or MDN disposition type (displayed, processed…).
    .addColumn('status', 'text', (c) => c.notNull())
    // DSN Status (x.y.z) and the 3-digit SMTP code; MDN error code.
    .addColumn('code', 'text')
    .addColumn('detail', 'text')
    .addColumn('reporter', 'text')
    // The receipt mail's own Message-ID: the same report read twice is recorded once.
    .addColumn('report_message_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('mail_receipt_kind_check', sql`kind in ('dsn', 'mdn')`)
    .execute();
  await db.schema
    .createIndex('mail_receipt_unique_idx')
    .on('mail_receipt')
    .columns(['delivery_id', 'kind', 'report_message_id', 'status'])
    .unique()
    .execute();

  await db.schema
    .createTable('mss_trace')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('mail_message_id', 'text')
    .addColumn('duration_ms', 'integer')
    .addCheckConstraint('mss_trace_protocol_check', sql`protocol in ('smtp', 'imap')`)
    .execute();
  await db.schema.createIndex('mss_trace_at_idx').on('mss_trace').column('at').execute();
  await db.schema
    .createIndex('mss_trace_mail_message_id_idx')
    .on('mss_trace')
    .column('mail_message_id')
    .where(sql<boolean>`mail_message_id is not null`)
    .execute();

  await db.schema
    .createTable('mailbox_cursor')
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('uid_validity', 'text', (c) => c.notNull())
    .addColumn('last_uid', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('mailbox_cursor_pk', ['mailbox', 'folder'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mailbox_cursor').execute();
  await db.schema.dropTable('mss_trace').execute();
  await db.schema.dropTable('mail_receipt').execute();
  await db.schema.dropIndex('delivery_mail_message_id_idx').execute();
  await db.schema.alterTable('delivery').dropColumn('mail_message_id').execute();
}
