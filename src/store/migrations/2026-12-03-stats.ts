import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * The statistics (SC.STAT/ES.02) count deliveries by the month of their final outcome: a partial index on
 * the outcome time of done and dead rows lets a year be read as a range, whatever the table's history.
 *
 * Frozen in time: never imports application code.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('delivery_outcome_idx')
    .on('delivery')
    .column('updated_at')
    .where(sql<boolean>`state in ('done', 'dead')`)
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('delivery_outcome_idx').execute();
}
