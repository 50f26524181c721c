import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { deliveryStates, destinationKinds, documentActions } from '../domain/index.js';
import { silentLogger } from './logger.js';
import { migrateToLatest, migrations } from './migrate.js';
import { forEachDriver } from './testing.js';

/** The quoted values of a CHECK (col in (…)) constraint, as PostgreSQL prints it back. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- catalogue queries
async function checkValues(db: Kysely<any>, table: string, constraint: string): Promise<string[]> {
  const { rows } = await sql<{ def: string }>`
    select pg_get_constraintdef(c.oid) as def
    from pg_constraint c
    where c.conname = ${constraint} and c.conrelid = to_regclass(${table})`.execute(db);
  const def = rows[0]?.def;
  assert.ok(def, `constraint ${constraint} not found`);
  return [...def.matchAll(/'([^']*)'::text/g)].map((m) => m[1] ?? '');
}

describe('migrations list', () => {
  it('names every migration after an ISO date and keeps them in name order', () => {
    const names = Object.keys(migrations);
    assert.ok(names.length > 0);
    for (const n of names) assert.match(n, /^\d{4}-\d{2}-\d{2}-[a-z0-9-]+$/);
    assert.deepEqual(names, [...names].sort());
  });
});

forEachDriver('migrations', (ctx) => {
  it('applies nothing the second time (idempotent)', async () => {
    const again = await migrateToLatest(ctx.store.db, { schema: ctx.schema, driver: ctx.driver, log: silentLogger });
    assert.deepEqual(again, []);
    const reopened = await ctx.open();
    await reopened.ping();
    const { rows } = await sql<{ n: string }>`select count(*) as n from kysely_migration`.execute(ctx.store.db);
    assert.equal(Number(rows[0]?.n), Object.keys(migrations).length);
  });

  it('lets several stores start together on an empty schema', async () => {
    // Empty the schema of whatever the migrations created (tables, functions, triggers).
    await sql`drop schema ${sql.id(ctx.schema)} cascade`.execute(ctx.store.db);
    await sql`create schema ${sql.id(ctx.schema)}`.execute(ctx.store.db);
    const stores = await Promise.all([ctx.open(), ctx.open(), ctx.open()]);
    for (const s of stores) await s.ping();
    const { rows } = await sql<{ n: string }>`select count(*) as n from kysely_migration`.execute(ctx.store.db);
    assert.equal(Number(rows[0]?.n), Object.keys(migrations).length);
  });

  it('has a delivery.state CHECK equal to deliveryStates of src/domain', async () => {
    assert.deepEqual(await checkValues(ctx.store.db, 'delivery', 'delivery_state_check'), [...deliveryStates]);
  });

  it('has a delivery.kind CHECK equal to destinationKinds of src/domain', async () => {
    assert.deepEqual(await checkValues(ctx.store.db, 'delivery', 'delivery_kind_check'), [...destinationKinds]);
  });

  it('has a document.action CHECK equal to documentActions of src/domain', async () => {
    assert.deepEqual(await checkValues(ctx.store.db, 'document', 'document_action_check'), [...documentActions]);
  });

  it('stores message.raw and document.cda with lz4 exactly where the server offers lz4', async () => {
    const offer = await sql<{ lz4: boolean }>`
      select exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) as lz4`
      .execute(ctx.store.db);
    const { rows } = await sql<{ attname: string; attcompression: string }>`
      select attname, attcompression from pg_attribute
      where (attrelid = to_regclass('message') and attname = 'raw') or (attrelid = to_regclass('document') and attname = 'cda')
      order by attname`.execute(ctx.store.db);
    const expected = offer.rows[0]?.lz4 ? 'l' : '';
    assert.deepEqual(rows.map((r) => [r.attname, r.attcompression]), [['cda', expected], ['raw', expected]]);
    // The PostgreSQL used in CI and locally is built with lz4; PGlite is not.
    assert.equal(offer.rows[0]?.lz4, ctx.driver === 'postgres');
  });

  it('creates the indexes the console and the workers query by', async () => {
    const { rows } = await sql<{ indexname: string }>`
      select indexname from pg_indexes where schemaname = current_schema() order by indexname`.execute(ctx.store.db);
    const names = rows.map((r) => r.indexname);
    for (const n of ['message_control_id_idx', 'message_created_at_idx', 'message_accepted_inbound_uq',
      'document_patient_ins_idx', 'document_document_id_idx', 'document_created_at_idx',
      'delivery_state_next_attempt_at_idx', 'delivery_created_at_idx', 'attempt_delivery_id_idx']) {
      assert.ok(names.includes(n), `missing index ${n}`);
    }
  });
});
