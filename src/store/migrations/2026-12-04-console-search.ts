import type { Kysely } from 'kysely';

/**
 * The console finds documents by IPP and lists deliveries of one state newest first: one index each, so
 * both stay fast on a million rows.
 *
 * Frozen in time: never imports application code.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('document_ipp_idx').on('document').column('ipp').execute();
  await db.schema.createIndex('delivery_state_id_idx').on('delivery').columns(['state', 'id']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('delivery_state_id_idx').execute();
  await db.schema.dropIndex('document_ipp_idx').execute();
}
