import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Mails read from the application mailboxes (volet B): one row per mail, beside its `message` row (the raw mail,
 * channel 'mail', kept for the MDN that returns it) and the `notification` rows of the MDMs it gave the DPI.
 *
 * state: dispatching (MDMs in the outbox) → answer_due (every MDM settled, or the mail refused before any) →
 * answered (MDN or error mail sent, or none owed); ignored (not a document mail: a receipt, anything else).
 * The mail stays in the IMAP INBOX until its row is answered or ignored, then it moves (`moved_to`).
 *
 * Frozen in time: never imports application code.
 */
const states = ['dispatching', 'answer_due', 'answered', 'ignored'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbound_mail')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('message_id', 'bigint', (c) => c.notNull().references('message.id').onDelete('cascade'))
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('uid_validity', 'text', (c) => c.notNull())
    .addColumn('uid', 'bigint', (c) => c.notNull())
    .addColumn('mail_message_id', 'text', (c) => c.notNull())
    // SHA-256 of the XDM archive: with the Message-ID, what makes a mail read twice (or resent) the same mail.
    .addColumn('archive_sha256', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('documents', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('replacements', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deletions', 'integer', (c) => c.notNull().defaultTo(0))
    // Per document of the archive: its uniqueId, action and the MSH-10 of its MDM (JSON array).
    .addColumn('document_list', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // integrated | refused (the DPI said no) | failed (Relais or transport); set when answered.
    .addColumn('outcome', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_label', 'text')
    .addColumn('answer_kind', 'text')
    .addColumn('answer_message_id', 'text')
    .addColumn('answer_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('claimed_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('moved_to', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('inbound_mail_state_check', sql`state in (${sql.join(states.map((s) => sql.lit(s)))})`)
    .addCheckConstraint('inbound_mail_kind_check', sql`kind in ('xdm', 'receipt', 'other')`)
    .execute();
  await db.schema
    .createIndex('inbound_mail_identity_idx')
    .on('inbound_mail')
    .columns(['mailbox', 'mail_message_id', 'archive_sha256'])
    .unique()
    .execute();
  await db.schema
    .createIndex('inbound_mail_open_idx')
    .on('inbound_mail')
    .column('id')
    .where(sql<boolean>`state in ('dispatching', 'answer_due')`)
    .execute();
  await db.schema
    .createIndex('inbound_mail_to_move_idx')
    .on('inbound_mail')
    .columns(['mailbox', 'uid'])
    .where(sql<boolean>`moved_to is null and state in ('answered', 'ignored')`)
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_mail').execute();
}
