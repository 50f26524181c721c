import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';

/**
 * The notification outbox: messages Relais originates towards the DPI (ZAM business acks, volet A §2.8),
 * each with its own lease and retries, independent of the delivery it reports on.
 *
 * Frozen in time: never imports application code.
 */
const notificationStates = ['pending', 'in_flight', 'done', 'retry_wait', 'dead'];

function oneOf(column: string, values: readonly string[]): RawBuilder<unknown> {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('message_id', 'bigint', (c) => c.notNull().references('message.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'bytea', (c) => c.notNull())
    .addColumn('control_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('claimed_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('ack', 'bytea')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('notification_state_check', oneOf('state', notificationStates))
    .execute();
  // The claim: due notifications, oldest id first.
  await db.schema
    .createIndex('notification_due_idx')
    .on('notification')
    .column('id')
    .where(sql<boolean>`state in ('pending', 'retry_wait', 'in_flight')`)
    .execute();
  await db.schema.createIndex('notification_message_id_idx').on('notification').column('message_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification').execute();
}
