import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';

/**
 * The intake tables: message, document, delivery, attempt (ARCHITECTURE.md "The store is the spine").
 *
 * Frozen in time: this file never imports application code. The value lists below are copies of the
 * domain lists as they stood when it was written; a test checks that the CHECK constraints in the
 * database still equal src/domain's lists, so a new state needs a new migration.
 */
const deliveryStates = ['held', 'pending', 'in_flight', 'done', 'retry_wait', 'dead', 'cancelled'];
const documentActions = ['publish', 'replace', 'delete'];
const destinationKinds = ['dmp', 'mss_ps', 'mss_patient', 'dpi'];

function oneOf(column: string, values: readonly string[]): RawBuilder<unknown> {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('message')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('peer', 'text', (c) => c.notNull())
    .addColumn('sending_app', 'text')
    .addColumn('sending_facility', 'text')
    .addColumn('control_id', 'text')
    .addColumn('message_type', 'text')
    .addColumn('raw', 'bytea', (c) => c.notNull())
    .addColumn('ack', 'bytea')
    .addColumn('ack_code', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_summary', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('message_direction_check', oneOf('direction', ['in', 'out']))
    .addCheckConstraint('message_channel_check', oneOf('channel', ['hl7', 'mail', 'soap']))
    // HL7 table 0008, original and enhanced modes.
    .addCheckConstraint('message_ack_code_check', oneOf('ack_code', ['AA', 'AE', 'AR', 'CA', 'CE', 'CR']))
    // A resent message is answered with the stored ACK, so an acknowledged message keeps its ACK.
    .addCheckConstraint('message_ack_check', sql`ack_code is null or ack is not null`)
    .execute();
  await db.schema.createIndex('message_control_id_idx').on('message').column('control_id').execute();
  await db.schema.createIndex('message_created_at_idx').on('message').column('created_at').execute();
  // volet A: a DPI that did not get our ACK resends the same MSH-10; an accepted message must be
  // recognised (answer the stored ACK, no second delivery), while a rejected one (AE/AR) may be
  // corrected and resent under the same MSH-10.
  await db.schema
    .createIndex('message_accepted_inbound_uq')
    .unique()
    .on('message')
    .columns(['sending_app', 'sending_facility', 'control_id'])
    .where(sql<boolean>`direction = 'in' and channel = 'hl7' and ack_code = 'AA'`)
    .execute();

  await db.schema
    .createTable('document')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('message_id', 'bigint', (c) => c.notNull().references('message.id').onDelete('cascade'))
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('set_id', 'text')
    .addColumn('parent_document_id', 'text')
    .addColumn('version_number', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('patient_ins', 'text')
    .addColumn('patient_ins_oid', 'text')
    .addColumn('ins_qualified', 'boolean', (c) => c.notNull())
    .addColumn('ipp', 'text')
    .addColumn('type_code', 'text', (c) => c.notNull())
    .addColumn('type_system', 'text', (c) => c.notNull())
    .addColumn('type_label', 'text')
    .addColumn('title', 'text')
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('flags', 'jsonb', (c) => c.notNull())
    .addColumn('cda', 'bytea', (c) => c.notNull())
    .addColumn('cda_sha256', 'text', (c) => c.notNull())
    .addColumn('effective_time', 'text')
    .addColumn('historical', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('finess_geo', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('document_action_check', oneOf('action', documentActions))
    .addCheckConstraint('document_level_check', oneOf('level', ['N1', 'N3']))
    .addCheckConstraint('document_cda_sha256_check', sql`cda_sha256 ~ '^[0-9a-f]{64}$'`)
    .execute();
  await db.schema.createIndex('document_message_id_idx').on('document').column('message_id').execute();
  await db.schema.createIndex('document_document_id_idx').on('document').column('document_id').execute();
  await db.schema.createIndex('document_set_id_idx').on('document').column('set_id').execute();
  await db.schema.createIndex('document_patient_ins_idx').on('document').column('patient_ins').execute();
  await db.schema.createIndex('document_created_at_idx').on('document').column('created_at').execute();

  await db.schema
    .createTable('delivery')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('document_row_id', 'bigint', (c) => c.notNull().references('document.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text')
    .addColumn('recipient_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('not_before', 'timestamptz')
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('delivery_kind_check', oneOf('kind', destinationKinds))
    .addCheckConstraint('delivery_state_check', oneOf('state', deliveryStates))
    .addCheckConstraint('delivery_attempt_count_check', sql`attempt_count >= 0`)
    .execute();
  // The workers' claim: due deliveries by state, oldest first.
  await db.schema.createIndex('delivery_state_next_attempt_at_idx').on('delivery').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('delivery_document_row_id_idx').on('delivery').column('document_row_id').execute();
  await db.schema.createIndex('delivery_created_at_idx').on('delivery').column('created_at').execute();

  await db.schema
    .createTable('attempt')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('delivery_id', 'bigint', (c) => c.notNull().references('delivery.id').onDelete('cascade'))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('peer_answer', 'text')
    .addColumn('error_code', 'text')
    .execute();
  await db.schema.createIndex('attempt_delivery_id_idx').on('attempt').column('delivery_id').execute();
  await db.schema.createIndex('attempt_started_at_idx').on('attempt').column('started_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attempt').execute();
  await db.schema.dropTable('delivery').execute();
  await db.schema.dropTable('document').execute();
  await db.schema.dropTable('message').execute();
}
