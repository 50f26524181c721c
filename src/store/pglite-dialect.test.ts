import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, isAbortedTransactionError, sql } from 'kysely';
import { PgliteDialect } from './pglite-dialect.js';

interface TestDb {
  item: { id: string; name: string; payload: Buffer | null };
}

describe('PgliteDialect', () => {
  let pglite: PGlite;
  let db: Kysely<TestDb>;

  before(async () => {
    pglite = await PGlite.create();
    db = new Kysely<TestDb>({ dialect: new PgliteDialect({ pglite, closeOnDestroy: false }) });
    await sql`create table item (id bigint generated always as identity primary key, name text not null, payload bytea)`.execute(db);
  });

  after(async () => {
    await db.destroy();
    await pglite.close();
  });

  async function names(): Promise<string[]> {
    const rows = await db.selectFrom('item').select('name').orderBy('id').execute();
    return rows.map((r) => r.name);
  }

  it('returns bigint columns as strings and bytea as Buffers, like node-postgres', async () => {
    const payload = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    const { id } = await db.insertInto('item').values({ name: 'types', payload } as never).returning('id').executeTakeFirstOrThrow();
    assert.equal(typeof id, 'string');
    const row = await db.selectFrom('item').select(['payload']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(Buffer.isBuffer(row.payload));
    assert.deepEqual(row.payload, payload);
    await db.deleteFrom('item').execute();
  });

  it('reports affected rows of UPDATE and DELETE', async () => {
    await db.insertInto('item').values([{ name: 'a' }, { name: 'b' }] as never).execute();
    const u = await db.updateTable('item').set({ name: 'c' }).executeTakeFirst();
    assert.equal(u.numUpdatedRows, 2n);
    const d = await db.deleteFrom('item').executeTakeFirst();
    assert.equal(d.numDeletedRows, 2n);
  });

  it('keeps a statement issued outside a transaction out of it until it ends', async () => {
    let inside!: () => void;
    const insideDone = new Promise<void>((r) => { inside = r; });
    let letGo!: () => void;
    const hold = new Promise<void>((r) => { letGo = r; });
    const tx = db.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ name: 'rolled back' } as never).execute();
      inside();
      await hold;
      throw new Error('roll back');
    });
    await insideDone;
    // Without the mutex this INSERT would run inside the open transaction and vanish with its rollback.
    const outside = db.insertInto('item').values({ name: 'outside' } as never).execute();
    letGo();
    await assert.rejects(tx, /roll back/);
    await outside;
    assert.deepEqual(await names(), ['outside']);
    await db.deleteFrom('item').execute();
  });

  it('rolls back to a savepoint and commits the rest', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('item').values({ name: 'kept' } as never).execute();
    const sp = await trx.savepoint('before_second').execute();
    await sp.insertInto('item').values({ name: 'undone' } as never).execute();
    const back = await sp.rollbackToSavepoint('before_second').execute();
    await back.commit().execute();
    assert.deepEqual(await names(), ['kept']);
    await db.deleteFrom('item').execute();
  });

  it('throws AbortedTransactionError when COMMIT follows a failed statement', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('item').values({ name: 'lost' } as never).execute();
    await assert.rejects(sql`select * from no_such_table`.execute(trx), /no_such_table/);
    await assert.rejects(trx.commit().execute(), (e: unknown) => isAbortedTransactionError(e));
    assert.deepEqual(await names(), []);
  });

  it('sets the search_path of each dialect sharing one PGlite before handing the connection out', async () => {
    await pglite.query('create schema if not exists sp_a');
    await pglite.query('create schema if not exists sp_b');
    const a = new Kysely<TestDb>({ dialect: new PgliteDialect({ pglite, searchPath: 'sp_a', closeOnDestroy: false }) });
    const b = new Kysely<TestDb>({ dialect: new PgliteDialect({ pglite, searchPath: 'sp_b', closeOnDestroy: false }) });
    try {
      await sql`create table item (name text)`.execute(a);
      await sql`create table item (name text)`.execute(b);
      await a.insertInto('item').values({ name: 'in a' } as never).execute();
      await b.insertInto('item').values({ name: 'in b' } as never).execute();
      const [ra, rb] = await Promise.all([
        a.selectFrom('item').select('name').execute(),
        b.selectFrom('item').select('name').execute(),
      ]);
      assert.deepEqual(ra.map((r) => r.name), ['in a']);
      assert.deepEqual(rb.map((r) => r.name), ['in b']);
    } finally {
      await a.destroy();
      await b.destroy();
      await pglite.query('drop schema sp_a cascade');
      await pglite.query('drop schema sp_b cascade');
      await pglite.query('set search_path to public');
    }
  });

  it('lets the running transaction finish before closing an owned PGlite', async () => {
    const own = await PGlite.create();
    const owned = new Kysely<TestDb>({ dialect: new PgliteDialect({ pglite: own }) });
    let started!: () => void;
    const inTx = new Promise<void>((r) => { started = r; });
    const tx = owned.transaction().execute(async (trx) => {
      started();
      await sql`select pg_sleep(0.05)`.execute(trx);
      return (await sql<{ v: number }>`select 41 + 1 as v`.execute(trx)).rows[0]?.v;
    });
    await inTx;
    const destroyed = owned.destroy();
    assert.equal(await tx, 42);
    await destroyed;
    assert.equal(own.closed, true);
  });

  it('leaves a PGlite it does not own open when destroyed', async () => {
    const other = new Kysely<TestDb>({ dialect: new PgliteDialect({ pglite, closeOnDestroy: false }) });
    await sql`select 1`.execute(other);
    await other.destroy();
    assert.equal(pglite.closed, false);
    await sql`select 1`.execute(db);
  });
});
