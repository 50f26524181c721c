import { RelaisError, isRelaisError } from '../domain/index.js';

/**
 * Maps what the database drivers throw (pg, PGlite, Node sockets) to RelaisError codes, so every edge
 * can decide between "retry later" and "give up" from the code alone (STYLE.md "Errors").
 *
 * Server errors are never attached as `cause`: pg and PGlite errors carry `detail` ("Failing row
 * contains (…)", "Key (…)=(…)") and PGlite adds the query parameters, i.e. patient data. Only the
 * SQLSTATE and the names of the constraint, table and column are kept.
 */

/** SQLSTATE classes and codes meaning "the database cannot serve us now; the same request may work later". */
const unavailableClasses = ['08', '53', '58'] as const; // connection exception, insufficient resources, system error
const unavailableCodes = new Set([
  '57P01', // admin_shutdown: "terminating connection due to administrator command"
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: "the database system is starting up / shutting down"
  '57P04', // database_dropped
  '57P05', // idle_session_timeout
  '57014', // query_canceled: statement_timeout hit, the server is overloaded or a lock is held
  '25006', // read_only_sql_transaction: we reached a standby (failover in progress)
]);
const conflictCodes = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout, NOWAIT)
]);
const uniqueViolation = '23505';

/** Node socket errors and client-side messages of pg, PGlite and kysely that mean "no usable connection". */
const unavailableNodeCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN',
  'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED', 'EADDRNOTAVAIL',
]);
const unavailableMessages = [
  /connection terminated/i, // pg: "Connection terminated unexpectedly", "… due to connection timeout"
  /timeout exceeded when trying to connect/i, // pg-pool connectionTimeoutMillis
  /not queryable/i, // pg: "Client has encountered a connection error and is not queryable"
  /cannot use a pool after calling end/i,
  /client was closed and is not queryable/i,
  /pglite is closed/i,
  /driver has already been destroyed/i, // kysely after destroy()
];

interface DbErrorFields {
  code?: unknown;
  message?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  errno?: unknown;
}

function fields(e: unknown): DbErrorFields {
  return typeof e === 'object' && e !== null ? (e as DbErrorFields) : {};
}

function sqlStateOf(e: unknown): string | undefined {
  const code = fields(e).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Names only (constraint, table, column): they come from our migrations, never from the data. */
function safeDetails(e: unknown, sqlState: string | undefined): Record<string, unknown> {
  const f = fields(e);
  const d: Record<string, unknown> = {};
  if (sqlState) d.sqlState = sqlState;
  const constraint = str(f.constraint);
  const table = str(f.table);
  const column = str(f.column);
  if (constraint) d.constraint = constraint;
  if (table) d.table = table;
  if (column) d.column = column;
  return d;
}

/**
 * The server's primary message, except for class 22 (data exception), whose messages quote the
 * offending value ("invalid input syntax for type bigint: "…"").
 */
function safeServerMessage(e: unknown, sqlState: string | undefined): string | undefined {
  if (!sqlState || sqlState.startsWith('22')) return undefined;
  return str(fields(e).message);
}

function isUnavailable(e: unknown, sqlState: string | undefined): boolean {
  if (sqlState) return unavailableClasses.some((c) => sqlState.startsWith(c)) || unavailableCodes.has(sqlState);
  const code = fields(e).code;
  if (typeof code === 'string' && unavailableNodeCodes.has(code)) return true;
  // pg wraps a connect timeout as Error('Connection terminated due to connection timeout', { cause }).
  if (e instanceof AggregateError && e.errors.some((x) => isUnavailable(x, sqlStateOf(x)))) return true;
  const message = str(fields(e).message);
  return message !== undefined && unavailableMessages.some((re) => re.test(message));
}

/**
 * Classifies a database error. Returns `undefined` for anything that is not a database or connection
 * error (an application error thrown inside a transaction must pass through untouched).
 */
export function classifyDatabaseError(e: unknown): RelaisError | undefined {
  if (isRelaisError(e)) return e;
  const sqlState = sqlStateOf(e);
  if (isUnavailable(e, sqlState)) {
    // Connection-level errors carry no query data: keep them as the cause for operators.
    const reason = safeServerMessage(e, sqlState) ?? str(fields(e).message);
    return new RelaisError(
      'RLS_STORE_UNAVAILABLE',
      reason ? `the store is unavailable: ${reason}` : undefined,
      { ...safeDetails(e, sqlState), ...(sqlState ? {} : { errno: str(fields(e).code) }) },
      sqlState ? undefined : { cause: e },
    );
  }
  if (!sqlState) return undefined;
  if (conflictCodes.has(sqlState)) {
    return new RelaisError('RLS_STORE_CONFLICT', undefined, safeDetails(e, sqlState));
  }
  if (sqlState === uniqueViolation) {
    const d = safeDetails(e, sqlState);
    return new RelaisError('RLS_STORE_DUPLICATE', `a row with the same unique key already exists (${String(d.constraint ?? 'unknown constraint')})`, d);
  }
  const text = safeServerMessage(e, sqlState);
  return new RelaisError('RLS_BUG', `database error ${sqlState}${text ? `: ${text}` : ''}`, safeDetails(e, sqlState));
}

/**
 * Any error to a RelaisError: connection failures → RLS_STORE_UNAVAILABLE (peer_transient),
 * serialization failures and deadlocks → RLS_STORE_CONFLICT, unique violations → RLS_STORE_DUPLICATE,
 * anything else → RLS_BUG.
 */
export function toStoreError(e: unknown): RelaisError {
  const classified = classifyDatabaseError(e);
  if (classified) return classified;
  const message = e instanceof Error ? e.message : String(e);
  return new RelaisError('RLS_BUG', `unexpected store error: ${message}`, {}, { cause: e });
}

/**
 * True for a unique-key violation, raw (SQLSTATE 23505) or mapped (RLS_STORE_DUPLICATE), optionally
 * only for the named constraint or unique index.
 */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  if (isRelaisError(e)) {
    return e.code === 'RLS_STORE_DUPLICATE' && (constraint === undefined || e.details.constraint === constraint);
  }
  return sqlStateOf(e) === uniqueViolation && (constraint === undefined || fields(e).constraint === constraint);
}

/**
 * True when the connection that raised `e` cannot be used again (socket error, connection exception,
 * server shutdown or termination), as opposed to a statement-level failure on a healthy connection.
 */
export function isConnectionLost(e: unknown): boolean {
  const sqlState = sqlStateOf(e);
  if (sqlState) return sqlState.startsWith('08') || /^57P0[1-3]$/.test(sqlState);
  return isUnavailable(e, undefined);
}
