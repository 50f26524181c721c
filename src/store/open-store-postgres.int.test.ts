/**
 * PostgreSQL-only behaviour of the store: session settings, and what happens when the server or the
 * network goes away under an open store. Skipped without TEST_DATABASE_URL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { isRelaisError } from '../domain/index.js';
import type { Logger } from './logger.js';
import { STATEMENT_TIMEOUT_MS, openStore } from './open-store.js';
import type { Store } from './open-store.js';
import { ensureTestDatabase, testDatabaseUrl, testSchemaName } from './testing.js';

const url = testDatabaseUrl();
const isUnavailable = (e: unknown) => isRelaisError(e) && e.code === 'RLS_STORE_UNAVAILABLE';

interface LogEntry { level: string; obj: object; msg?: string }
function recordingLogger(entries: LogEntry[], onEntry?: (e: LogEntry) => void): Logger {
  const at = (level: string) => (obj: object, msg?: string) => {
    const e = { level, obj, msg };
    entries.push(e);
    onEntry?.(e);
  };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

/** A TCP relay to the PostgreSQL server that the test can cut, like a network failure. */
async function startRelay(target: URL): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => { client.destroy(); upstream.destroy(); };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

describe('store on PostgreSQL', { skip: url ? false : 'PostgreSQL variant skipped: TEST_DATABASE_URL is not set' }, () => {
  const schemas: string[] = [];
  let admin: pg.Client;

  before(async () => {
    await ensureTestDatabase(url ?? '');
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });

  after(async () => {
    for (const s of schemas) await admin.query(`drop schema if exists "${s}" cascade`);
    await admin.end();
  });

  async function open(testName: string, log?: Logger, databaseUrl = url ?? ''): Promise<Store> {
    const schema = testSchemaName('store on PostgreSQL', testName);
    schemas.push(schema);
    await admin.query(`drop schema if exists "${schema}" cascade`);
    return openStore({ databaseUrl, schema, poolSize: 2, log });
  }

  it('names its sessions relais, limits statements in time and searches its own schema', async () => {
    await using store = await open('session settings');
    const { rows } = await sql<{ app: string; timeout: string; path: string; schema: string }>`
      select current_setting('application_name') as app, current_setting('statement_timeout') as timeout,
             current_setting('search_path') as path, current_schema() as schema`.execute(store.db);
    assert.equal(rows[0]?.app, 'relais');
    assert.equal(rows[0]?.timeout, `${STATEMENT_TIMEOUT_MS / 1000}s`);
    assert.equal(rows[0]?.schema, testSchemaName('store on PostgreSQL', 'session settings'));
  });

  it('reports a statement cancelled by statement_timeout as RLS_STORE_UNAVAILABLE', async () => {
    await using store = await open('statement timeout');
    await assert.rejects(store.transaction(async (tx) => {
      await sql`set local statement_timeout = 20`.execute(tx);
      await sql`select pg_sleep(2)`.execute(tx);
    }), (e: unknown) => isUnavailable(e) && (e as { details: { sqlState?: string } }).details.sqlState === '57014');
  });

  it('reports a connection terminated by the server (57P01) as RLS_STORE_UNAVAILABLE and recovers', async () => {
    await using store = await open('terminated in use');
    await assert.rejects(store.db.connection().execute(async (conn) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
      await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
      await sql`select 1`.execute(conn);
    }), isUnavailable);
    await store.ping();
  });

  it('logs an idle connection killed by the server instead of crashing, then serves from a new one', async () => {
    const entries: LogEntry[] = [];
    let lost!: () => void;
    const loggedLoss = new Promise<void>((resolve) => { lost = resolve; });
    const log = recordingLogger(entries, (e) => { if (e.level === 'warn' && /idle PostgreSQL connection lost/.test(e.msg ?? '')) lost(); });
    await using store = await open('terminated idle', log);
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db);
    await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
    await loggedLoss;
    await store.ping();
    const entry = entries.find((e) => e.level === 'warn');
    assert.equal((entry?.obj as { code?: string }).code, 'RLS_STORE_UNAVAILABLE');
  });

  it('fails ping and transactions with RLS_STORE_UNAVAILABLE when the server becomes unreachable', async () => {
    const target = new URL(url ?? '');
    const relay = await startRelay(target);
    const viaRelay = new URL(target);
    viaRelay.port = String(relay.port);
    await using store = await open('network cut', undefined, viaRelay.toString());
    await store.ping();
    await relay.cut();
    await assert.rejects(store.ping(), isUnavailable);
    await assert.rejects(store.transaction(async (tx) => sql`select 1`.execute(tx)), isUnavailable);
  });
});
