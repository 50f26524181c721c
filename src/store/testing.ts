/**
 * Test helper for every layer that touches the store: run a suite on both drivers, each test in a
 * fresh, migrated, empty schema (STYLE.md "Tests": store tests run on PGlite and PostgreSQL).
 *
 *   forEachDriver('deliveries', (ctx) => {
 *     it('lists what it inserted', async () => { await insertMessage(ctx.store.db, …); });
 *   });
 *
 * PGlite: one in-memory instance per suite (starting one takes seconds), one schema per test.
 * PostgreSQL: only when TEST_DATABASE_URL is set (the suite is skipped with a visible reason otherwise);
 * the database in the URL is created if missing, each test gets its own schema, dropped afterwards.
 *
 * Not exported from index.ts: production code never imports it.
 */
import { createHash } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Logger } from './logger.js';
import { openStoreWith } from './open-store.js';
import type { Store, StoreDriver } from './open-store.js';
import { quoteIdent } from './pglite-dialect.js';

export { metaFlags, sampleDocument, sampleMessage } from './test-fixtures.js';

export interface DriverContext {
  readonly driver: StoreDriver;
  /** The running test's store: its own schema, migrated, empty. Valid inside a test only. */
  readonly store: Store;
  /** The running test's schema name. */
  readonly schema: string;
  /** Opens another store on the same database and schema (a second node, a reopened store); closed after the test. */
  open(o?: { log?: Logger; poolSize?: number }): Promise<Store>;
}

/**
 * The PostgreSQL database this test process uses: TEST_DATABASE_URL's database name with the process id
 * appended (created on first use; `npm test` drops them when the run ends). One database per process,
 * because kysely's migrator introspects every schema of its database and would trip over schemas that
 * another test process is dropping at the same moment.
 */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (url === undefined || url === '') return undefined;
  const u = new URL(url);
  u.pathname = `/${decodeURIComponent(u.pathname.slice(1))}_p${process.pid}`;
  return u.toString();
}

/** The drivers a test run covers: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function testDrivers(): StoreDriver[] {
  return testDatabaseUrl() ? ['pglite', 'postgres'] : ['pglite'];
}

/** A schema name from the suite and test names, and the process (test files run in parallel). */
export function testSchemaName(suite: string, test: string): string {
  const h = createHash('sha256').update(`${process.pid}\0${suite}\0${test}`).digest('hex');
  return `t_${h.slice(0, 24)}`;
}

let databaseReady: Promise<void> | undefined;

/** Creates the database named in the URL when it does not exist (scripts/test.mjs drops the per-process ones after the run). */
export function ensureTestDatabase(url: string): Promise<void> {
  databaseReady ??= (async () => {
    const probe = new pg.Client({ connectionString: url });
    try {
      await probe.connect();
      await probe.end();
      return;
    } catch (e) {
      if ((e as { code?: unknown }).code !== '3D000') throw e; // invalid_catalog_name
    }
    const target = new URL(url);
    const name = decodeURIComponent(target.pathname.slice(1));
    target.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: target.toString() });
    await admin.connect();
    try {
      await admin.query(`create database ${quoteIdent(name)}`);
    } catch (e) {
      // Another test process created it first.
      const code = (e as { code?: unknown }).code;
      if (code !== '42P04' && code !== '23505') throw e;
    } finally {
      await admin.end();
    }
  })();
  return databaseReady;
}

async function withPgClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function forEachDriver(name: string, body: (ctx: DriverContext) => void): void {
  const url = testDatabaseUrl();
  for (const driver of ['pglite', 'postgres'] as const) {
    const skip = driver === 'postgres' && url === undefined
      ? 'PostgreSQL variant skipped: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/relais_test)'
      : false;
    describe(`${name} [${driver}]`, { skip }, () => {
      let shared: PGlite | undefined;
      let current: { store: Store; schema: string; extra: Store[] } | undefined;
      const seen = new Set<string>();

      const openOn = (schema: string, o: { log?: Logger; poolSize?: number } = {}): Promise<Store> =>
        driver === 'postgres'
          ? openStoreWith({ databaseUrl: url, schema, poolSize: o.poolSize ?? 4, log: o.log }, {})
          : openStoreWith({ schema, log: o.log }, { sharedPglite: shared });

      const dropSchema = async (schema: string): Promise<void> => {
        const text = `drop schema if exists ${quoteIdent(schema)} cascade`;
        if (driver === 'postgres' && url !== undefined) await withPgClient(url, (c) => c.query(text));
        else await shared?.query(text);
      };

      before(async () => {
        if (driver === 'postgres' && url !== undefined) {
          await ensureTestDatabase(url);
        } else {
          const { PGlite } = await import('@electric-sql/pglite');
          shared = await PGlite.create();
        }
      });

      after(async () => {
        await shared?.close();
      });

      beforeEach(async (t) => {
        const testName = (t as { name?: string }).name ?? '';
        if (seen.has(testName)) throw new Error(`two tests are named "${testName}" in suite "${name}"`);
        seen.add(testName);
        const schema = testSchemaName(name, testName);
        await dropSchema(schema);
        current = { store: await openOn(schema), schema, extra: [] };
      });

      afterEach(async () => {
        const c = current;
        current = undefined;
        if (!c) return;
        for (const s of c.extra) await s.close();
        await c.store.close();
        await dropSchema(c.schema);
      });

      const ctx: DriverContext = {
        driver,
        get store(): Store {
          if (!current) throw new Error('ctx.store is only available inside a test');
          return current.store;
        },
        get schema(): string {
          if (!current) throw new Error('ctx.schema is only available inside a test');
          return current.schema;
        },
        async open(o) {
          if (!current) throw new Error('ctx.open() is only available inside a test');
          const c = current;
          const s = await openOn(c.schema, o);
          c.extra.push(s);
          return s;
        },
      };
      body(ctx);
    });
  }
}
