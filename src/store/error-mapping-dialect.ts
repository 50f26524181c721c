import type {
  CompiledQuery,
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
import { classifyDatabaseError } from './store-errors.js';

/**
 * Wraps a dialect so that every database or connection error leaves kysely as a RelaisError
 * (RLS_STORE_UNAVAILABLE, RLS_STORE_CONFLICT, RLS_STORE_DUPLICATE, RLS_BUG), whichever driver runs
 * underneath and whether the query ran inside a transaction or not. Application errors thrown inside a
 * transaction callback never pass through here and stay untouched.
 */
export class ErrorMappingDialect implements Dialect {
  readonly #inner: Dialect;

  constructor(inner: Dialect) {
    this.#inner = inner;
  }

  createDriver(): Driver {
    return new ErrorMappingDriver(this.#inner.createDriver());
  }

  createQueryCompiler(): QueryCompiler {
    return this.#inner.createQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return this.#inner.createAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- kysely's Dialect signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.#inner.createIntrospector(db);
  }
}

function mapped(e: unknown): unknown {
  return classifyDatabaseError(e) ?? e;
}

async function guard<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw mapped(e);
  }
}

class MappedConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;

  constructor(inner: DatabaseConnection) {
    this.inner = inner;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return guard(() => this.inner.executeQuery<R>(compiledQuery));
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (e) {
      throw mapped(e);
    }
  }
}

function unwrap(c: DatabaseConnection): DatabaseConnection {
  return c instanceof MappedConnection ? c.inner : c;
}

class ErrorMappingDriver implements Driver {
  readonly #inner: Driver;
  // The inner drivers recognise their own connection objects (pg's release uses a private symbol).
  readonly #wrappers = new WeakMap<DatabaseConnection, MappedConnection>();

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return guard(() => this.#inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await guard(() => this.#inner.acquireConnection());
    let w = this.#wrappers.get(inner);
    if (!w) {
      w = new MappedConnection(inner);
      this.#wrappers.set(inner, w);
    }
    return w;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guard(() => this.#inner.beginTransaction(unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return guard(() => this.#inner.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return guard(() => this.#inner.rollbackTransaction(unwrap(connection)));
  }

  async savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    const op = this.#inner.savepoint?.bind(this.#inner);
    if (!op) throw new Error('the underlying driver does not support savepoints');
    await guard(() => op(unwrap(connection), name, compileQuery));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    const op = this.#inner.rollbackToSavepoint?.bind(this.#inner);
    if (!op) throw new Error('the underlying driver does not support savepoints');
    await guard(() => op(unwrap(connection), name, compileQuery));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    const op = this.#inner.releaseSavepoint?.bind(this.#inner);
    if (!op) throw new Error('the underlying driver does not support savepoints');
    await guard(() => op(unwrap(connection), name, compileQuery));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
