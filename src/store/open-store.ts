import { mkdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Dialect } from 'kysely';
import pg from 'pg';
import { RelaisError } from '../domain/index.js';
import { discardingPool } from './discarding-pool.js';
import { ErrorMappingDialect } from './error-mapping-dialect.js';
import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { migrateToLatest } from './migrate.js';
import { PgliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';
import { classifyDatabaseError, toStoreError } from './store-errors.js';

export interface StoreOptions {
  /** PostgreSQL server (`postgres://…`). Without it the store is an embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data directory (created if missing); undefined → in memory. Ignored with databaseUrl. */
  dataDir?: string;
  /** PostgreSQL schema holding the tables, default `public`; created if missing. */
  schema?: string;
  /** Connections in the PostgreSQL pool (default 10). PGlite has one. */
  poolSize?: number;
  log?: Logger;
}

export type StoreDriver = 'pglite' | 'postgres';

export interface Store {
  readonly driver: StoreDriver;
  readonly db: Kysely<Database>;
  /**
   * Runs `fn` in one transaction: commit when it resolves, rollback when it throws. Database errors
   * come out as RelaisError (RLS_STORE_UNAVAILABLE, RLS_STORE_CONFLICT, RLS_STORE_DUPLICATE, RLS_BUG);
   * errors thrown by `fn` itself come out unchanged.
   */
  transaction<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Resolves when the database answers; throws RelaisError RLS_STORE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  /** Idempotent. Waits for the statement in progress on PGlite. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_POOL_SIZE = 10;
/** Server-side limit for one statement; migrations lift it on their own connection. */
export const STATEMENT_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 5_000;
/** Schema names go into the connection's search_path unquoted: keep them plain identifiers. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Internal hooks for the test helper: run a store over an existing PGlite, which it must not close. */
export interface OpenStoreInternals {
  readonly sharedPglite?: PGlite;
  /** false: leave the schema as it is (a restore migrates to the archive's level itself). Default true. */
  readonly migrate?: boolean;
}

/** Connects, brings the schema to the latest migration, and returns the store. */
export async function openStore(o: StoreOptions): Promise<Store> {
  return openStoreWith(o, {});
}

export async function openStoreWith(o: StoreOptions, internals: OpenStoreInternals): Promise<Store> {
  const schema = o.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new RelaisError('RLS_CONFIG_INVALID', 'the store schema must be a lower-case SQL identifier', { key: 'schema' });
  }
  const poolSize = o.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new RelaisError('RLS_CONFIG_INVALID', 'the store pool size must be a positive integer', { key: 'poolSize' });
  }
  const driver: StoreDriver = o.databaseUrl !== undefined && internals.sharedPglite === undefined ? 'postgres' : 'pglite';
  const log = (o.log ?? silentLogger).child({ component: 'store', driver, schema });

  const dialect = driver === 'postgres'
    ? postgresDialect(o.databaseUrl ?? '', schema, poolSize, log)
    : await pgliteDialect(o.dataDir, schema, internals.sharedPglite);
  const db = new Kysely<Database>({ dialect: new ErrorMappingDialect(dialect) });
  try {
    const applied = internals.migrate === false ? [] : await migrateToLatest(db, { schema, driver, log });
    log.debug({ applied: applied.length }, 'store open');
  } catch (e) {
    await db.destroy().catch((destroyError: unknown) => {
      log.debug({ err: String(destroyError) }, 'could not close the store after a failed start');
    });
    throw toStoreError(e);
  }
  return new KyselyStore(driver, db);
}

function postgresDialect(databaseUrl: string, schema: string, poolSize: number, log: Logger): Dialect {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    application_name: 'relais',
    statement_timeout: STATEMENT_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    options: `-c search_path=${schema}`,
  });
  // An idle connection that dies (server restart, failover, pg_terminate_backend) is reported here
  // and dropped by the pool; without a listener the process would crash.
  pool.on('error', (err) => {
    log.warn(connectionErrorFields(err), 'idle PostgreSQL connection lost; the pool drops it');
  });
  // A checked-out connection that dies between two statements emits 'error' on the client, which the
  // pool does not listen to; the next statement fails with RLS_STORE_UNAVAILABLE anyway.
  pool.on('connect', (client) => {
    client.on('error', (err) => log.debug(connectionErrorFields(err), 'PostgreSQL connection lost'));
  });
  return new PostgresDialect({ pool: discardingPool(pool) });
}

/** Connection errors carry no query data; SQL errors are reduced to their SQLSTATE. */
function connectionErrorFields(err: unknown): Record<string, unknown> {
  const mapped = toStoreError(err);
  return { code: mapped.code, ...mapped.details, reason: mapped.message };
}

async function pgliteDialect(dataDir: string | undefined, schema: string, shared: PGlite | undefined): Promise<Dialect> {
  if (shared) return new PgliteDialect({ pglite: shared, searchPath: schema, closeOnDestroy: false });
  let pglite: PGlite;
  try {
    if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
    // Loaded on demand: a node running on a PostgreSQL server never pays for the WebAssembly build.
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(dataDir !== undefined ? { dataDir } : {});
  } catch (e) {
    throw new RelaisError('RLS_STORE_UNAVAILABLE', `the embedded database cannot be opened: ${e instanceof Error ? e.message : String(e)}`,
      { reason: 'pglite_open' }, { cause: e });
  }
  return new PgliteDialect({ pglite, searchPath: schema });
}

class KyselyStore implements Store {
  readonly driver: StoreDriver;
  readonly db: Kysely<Database>;
  #closing: Promise<void> | undefined;

  constructor(driver: StoreDriver, db: Kysely<Database>) {
    this.driver = driver;
    this.db = db;
  }

  async transaction<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.#closing) throw closedError();
    try {
      return await this.db.transaction().execute(fn);
    } catch (e) {
      // Database errors are already RelaisErrors (ErrorMappingDialect); this catches kysely's own
      // "destroyed" error when close() raced the transaction.
      throw classifyDatabaseError(e) ?? e;
    }
  }

  async ping(): Promise<void> {
    if (this.#closing) throw closedError();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RelaisError('RLS_STORE_UNAVAILABLE', 'the store did not answer in time', { reason: 'ping_timeout', timeoutMs: PING_TIMEOUT_MS })), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([sql`select 1`.execute(this.db), timeout]);
    } catch (e) {
      throw toStoreError(e);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.db.destroy();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function closedError(): RelaisError {
  return new RelaisError('RLS_STORE_UNAVAILABLE', 'the store is closed', { reason: 'closed' });
}
