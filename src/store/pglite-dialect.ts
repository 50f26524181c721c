import type { PGlite } from '@electric-sql/pglite';
import {
  AbortedTransactionError,
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  createQueryId,
  sql,
} from 'kysely';
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { AsyncMutex } from './async-mutex.js';

/**
 * kysely over the embedded PGlite (PostgreSQL compiled to WebAssembly): the PostgreSQL adapter,
 * compiler and introspector of kysely, with a driver of our own. PGlite is one backend in this
 * process, i.e. one connection: the driver hands it out under a FIFO mutex, so a transaction owns
 * it from BEGIN to COMMIT/ROLLBACK and no other caller's statement can land inside it.
 */
export interface PgliteDialectConfig {
  /** The database, or a function that opens it when kysely initialises the driver. */
  readonly pglite: PGlite | (() => Promise<PGlite>);
  /** `SET search_path` to this schema whenever the connection is taken (only if another user of the same PGlite changed it). */
  readonly searchPath?: string;
  /** Close the PGlite when kysely is destroyed (default true). */
  readonly closeOnDestroy?: boolean;
}

export class PgliteDialect implements Dialect {
  readonly #config: PgliteDialectConfig;

  constructor(config: PgliteDialectConfig) {
    this.#config = config;
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#config);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- kysely's Dialect signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/** What every user of one PGlite instance shares: the mutex, and the search_path last set on it. */
interface Backend {
  readonly mutex: AsyncMutex;
  searchPath: string | undefined;
}
const backends = new WeakMap<PGlite, Backend>();

function backendOf(pglite: PGlite): Backend {
  let b = backends.get(pglite);
  if (!b) {
    b = { mutex: new AsyncMutex(), searchPath: undefined };
    backends.set(pglite, b);
  }
  return b;
}

const OID_BYTEA = 17;
const OID_INT8 = 20;

/**
 * Result parsing aligned on node-postgres, so the repositories see the same values on both drivers:
 * int8 (our ids, count(*)) as a string, bytea as a Buffer. PGlite's own bytea parser builds the array
 * one parseInt per byte, which is slow on 300 KB messages.
 */
const pgCompatibleParsers = {
  [OID_INT8]: (x: string) => x,
  [OID_BYTEA]: (x: string) => Buffer.from(x.startsWith('\\x') ? x.slice(2) : x, 'hex'),
};

/**
 * bytea parameters go in binary format (PGlite sends an ArrayBuffer view as a binary parameter):
 * PGlite's default turns each byte into a hex string through Array.map, ~150 ms for a 330 KB message
 * against ~8 ms in binary.
 */
const binaryByteaSerializers = {
  [OID_BYTEA]: (x: unknown) => x as string,
};

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

class PgliteDriver implements Driver {
  readonly #config: PgliteDialectConfig;
  #pglite: PGlite | undefined;
  #connection: PgliteConnection | undefined;
  #release: (() => void) | undefined;
  #destroyed = false;

  constructor(config: PgliteDialectConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    const p = this.#config.pglite;
    this.#pglite = typeof p === 'function' ? await p() : p;
    this.#connection = new PgliteConnection(this.#pglite);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const pglite = this.#pglite;
    const connection = this.#connection;
    if (!pglite || !connection || this.#destroyed) throw new Error('PGlite is closed');
    const backend = backendOf(pglite);
    const release = await backend.mutex.acquire();
    try {
      if (this.#destroyed || pglite.closed) throw new Error('PGlite is closed');
      const wanted = this.#config.searchPath;
      if (wanted !== undefined && backend.searchPath !== wanted) {
        await pglite.query(`set search_path to ${quoteIdent(wanted)}`);
        backend.searchPath = wanted;
      }
    } catch (e) {
      release();
      throw e;
    }
    this.#release = release;
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let text = 'begin';
    if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) text += ` ${settings.accessMode}`;
    await connection.executeQuery(CompiledQuery.raw(text));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const { rows } = await connection.executeQuery<{ command?: string }>(CompiledQuery.raw('commit'));
    // PostgreSQL completes COMMIT with a ROLLBACK tag when an earlier error aborted the transaction.
    if (rows[0]?.command === 'ROLLBACK') throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(sql`savepoint ${sql.id(name)}`.toOperationNode(), createQueryId()));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(sql`rollback to ${sql.id(name)}`.toOperationNode(), createQueryId()));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(sql`release ${sql.id(name)}`.toOperationNode(), createQueryId()));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    const pglite = this.#pglite;
    if (this.#destroyed || !pglite) return;
    this.#destroyed = true;
    if (this.#config.closeOnDestroy === false) return;
    // Let the statement or transaction in progress finish; the callers queued behind it then find
    // the database closed.
    const release = await backendOf(pglite).mutex.acquire();
    try {
      if (!pglite.closed) await pglite.close();
    } finally {
      release();
    }
  }
}

class PgliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const r = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters], {
      parsers: pgCompatibleParsers,
      serializers: binaryByteaSerializers,
    });
    const command = r.command?.toUpperCase();
    if (command === 'COMMIT' || command === 'ROLLBACK') {
      return { rows: [{ command } as R] };
    }
    const dml = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
    return {
      rows: r.rows,
      ...(dml ? { numAffectedRows: BigInt(r.affectedRows ?? 0) } : {}),
    };
  }

  // eslint-disable-next-line require-yield -- the interface wants a generator; streaming is not offered
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}
