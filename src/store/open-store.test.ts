import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { isRelaisError } from '../domain/index.js';
import { insertDeliveries, listDeliveries } from './deliveries.js';
import { insertDocument, listDocuments } from './documents.js';
import { insertMessage, listMessages } from './messages.js';
import { openStore } from './open-store.js';
import { toStoreError } from './store-errors.js';
import { sampleDocument, sampleMessage } from './test-fixtures.js';
import { forEachDriver } from './testing.js';

/** A TCP port nobody listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  return port;
}

const isUnavailable = (e: unknown) => isRelaisError(e) && e.code === 'RLS_STORE_UNAVAILABLE' && e.kind === 'peer_transient';

forEachDriver('store', (ctx) => {
  it('reports its driver', () => {
    assert.equal(ctx.store.driver, ctx.driver);
  });

  it('starts each test on empty tables (first test writes)', async () => {
    await insertMessage(ctx.store.db, sampleMessage());
  });

  it('starts each test on empty tables (second test sees nothing)', async () => {
    assert.deepEqual(await listMessages(ctx.store.db, {}), []);
  });

  it('commits message, document and deliveries of one transaction together', async () => {
    const result = await ctx.store.transaction(async (tx) => {
      const { id: messageId } = await insertMessage(tx, sampleMessage());
      const { id: documentRowId } = await insertDocument(tx, sampleDocument(messageId));
      await insertDeliveries(tx, [{ documentRowId, kind: 'dmp', state: 'pending' }]);
      return documentRowId;
    });
    assert.match(result, /^\d+$/);
    assert.equal((await listDeliveries(ctx.store.db, { documentRowId: result })).length, 1);
  });

  it('leaves nothing behind when the transaction throws, and rethrows the application error unchanged', async () => {
    const failure = new Error('validation failed after the writes');
    await assert.rejects(ctx.store.transaction(async (tx) => {
      const { id: messageId } = await insertMessage(tx, sampleMessage());
      const { id: documentRowId } = await insertDocument(tx, sampleDocument(messageId));
      await insertDeliveries(tx, [{ documentRowId, kind: 'dmp', state: 'pending' }]);
      throw failure;
    }), (e: unknown) => e === failure);
    assert.deepEqual(await listMessages(ctx.store.db, {}), []);
    assert.deepEqual(await listDocuments(ctx.store.db, {}), []);
    assert.deepEqual(await listDeliveries(ctx.store.db, {}), []);
  });

  it('leaves nothing behind when a statement of the transaction fails, and reports it as a RelaisError', async () => {
    await assert.rejects(ctx.store.transaction(async (tx) => {
      const { id: messageId } = await insertMessage(tx, sampleMessage());
      await insertDocument(tx, sampleDocument(messageId, { action: 'archive' as never }));
    }), (e: unknown) => isRelaisError(e) && e.code === 'RLS_BUG' && e.details.constraint === 'document_action_check');
    assert.deepEqual(await listMessages(ctx.store.db, {}), []);
  });

  it('answers ping while open', async () => {
    await ctx.store.ping();
  });

  it('fails ping, transaction and queries with RLS_STORE_UNAVAILABLE once closed; close is idempotent', async () => {
    const s = await ctx.open();
    await s.close();
    await s.close();
    await s[Symbol.asyncDispose]();
    await assert.rejects(s.ping(), isUnavailable);
    await assert.rejects(s.transaction(async () => 1), isUnavailable);
    await assert.rejects(sql`select 1`.execute(s.db), (e: unknown) => isUnavailable(toStoreError(e)));
  });

  it('runs concurrent transactions without losing or mixing their rows', async () => {
    const n = 12;
    await Promise.all(Array.from({ length: n }, (_, i) => ctx.store.transaction(async (tx) => {
      const { id: messageId } = await insertMessage(tx, sampleMessage({ controlId: `C${i}` }));
      const { id: documentRowId } = await insertDocument(tx, sampleDocument(messageId, { documentId: `1.2.3^D${i}` }));
      await insertDeliveries(tx, [{ documentRowId, kind: 'dmp', state: 'pending' }]);
      if (i % 3 === 0) throw new Error(`abort ${i}`);
    }).catch((e: unknown) => {
      if (!(e instanceof Error) || !e.message.startsWith('abort')) throw e;
    })));
    const docs = await listDocuments(ctx.store.db, {});
    const kept = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0);
    assert.deepEqual(docs.map((d) => d.controlId).sort(), kept.map((i) => `C${i}`).sort());
    for (const d of docs) assert.equal(d.documentId, `1.2.3^D${d.controlId?.slice(1)}`);
    assert.equal((await listDeliveries(ctx.store.db, {})).length, kept.length);
  });
});

describe('openStore', () => {
  it('fails with RLS_STORE_UNAVAILABLE when nothing listens on the PostgreSQL port', async () => {
    const port = await closedPort();
    await assert.rejects(openStore({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/relais` }), isUnavailable);
  });

  it('fails with RLS_STORE_UNAVAILABLE when the PostgreSQL host does not resolve', async () => {
    await assert.rejects(openStore({ databaseUrl: 'postgres://postgres@relais-no-such-host.invalid:5432/relais' }), isUnavailable);
  });

  it('refuses a schema name that is not a plain identifier (RLS_CONFIG_INVALID)', async () => {
    await assert.rejects(openStore({ schema: 'public; drop table message' }), (e: unknown) =>
      isRelaisError(e) && e.code === 'RLS_CONFIG_INVALID' && e.details.key === 'schema');
  });

  it('refuses a pool size below one (RLS_CONFIG_INVALID)', async () => {
    await assert.rejects(openStore({ poolSize: 0 }), (e: unknown) =>
      isRelaisError(e) && e.code === 'RLS_CONFIG_INVALID' && e.details.key === 'poolSize');
  });
});
