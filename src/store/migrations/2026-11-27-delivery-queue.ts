import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * The delivery queue: a lease on claimed deliveries, and the indexes the workers claim by.
 *
 * A worker that claims a delivery sets it in_flight until `lease_until`; if the process dies mid-send,
 * the lease expires and another worker (or the restarted node) takes the delivery back, so a drain
 * resumes where it stopped. `claimed_by` names the worker, and fences its late answers.
 *
 * Frozen in time: never imports application code.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('delivery')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('claimed_by', 'text')
    .execute();
  // The claim: due deliveries of one kind, oldest id first.
  await db.schema
    .createIndex('delivery_due_idx')
    .on('delivery')
    .columns(['kind', 'id'])
    .where(sql<boolean>`state in ('pending', 'retry_wait')`)
    .execute();
  // Expired leases, scanned at every poll.
  await db.schema
    .createIndex('delivery_lease_until_idx')
    .on('delivery')
    .column('lease_until')
    .where(sql<boolean>`state = 'in_flight'`)
    .execute();
  // The ordering rule looks up earlier versions by their document id (a replacement's parent).
  await db.schema.createIndex('document_parent_document_id_idx').on('document').column('parent_document_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('document_parent_document_id_idx').execute();
  await db.schema.dropIndex('delivery_lease_until_idx').execute();
  await db.schema.dropIndex('delivery_due_idx').execute();
  await db.schema.alterTable('delivery').dropColumn('claimed_by').dropColumn('lease_until').execute();
}
