import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertDeliveries, insertDocument, insertMessage, listDeliveries, openStore, type Store } from '../store/index.js';
import { sampleDocument, sampleMessage } from '../store/testing.js';
import { startAdminApi } from '../console/index.js';
import type { DeliveryState } from '../domain/index.js';
import { runCancel, runHold, runReplay } from './command-orders.js';
import { takeLock } from './data-lock.js';

function capture(stream: NodeJS.WriteStream): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const original = stream.write.bind(stream);
  stream.write = ((c: string | Uint8Array) => { chunks.push(String(c)); return true; }) as typeof stream.write;
  return { text: () => chunks.join(''), restore: () => { stream.write = original; } };
}

async function quietly(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out = capture(process.stdout);
  const err = capture(process.stderr);
  try {
    const code = await fn();
    return { code, out: out.text(), err: err.text() };
  } finally {
    out.restore();
    err.restore();
  }
}

async function seed(store: Store, states: DeliveryState[]): Promise<string[]> {
  const { id } = await insertMessage(store.db, sampleMessage({ ackCode: 'AE' }));
  const doc = await insertDocument(store.db, sampleDocument(id));
  await insertDeliveries(store.db, states.map((state) => ({ documentRowId: doc.id, kind: 'dmp' as const, state })));
  return (await listDeliveries(store.db, { documentRowId: doc.id })).map((r) => r.id).reverse();
}

describe('relais hold | release | replay | cancel', () => {
  let base = '';
  before(() => { base = mkdtempSync(join(tmpdir(), 'relais-cli-orders-')); });
  after(() => { if (base) rmSync(base, { recursive: true, force: true }); });

  it('replays dead deliveries in a stopped node\'s embedded store and prints how many changed', async () => {
    const data = join(base, 'stopped');
    let store = await openStore({ dataDir: data });
    const [dead, done] = await seed(store, ['dead', 'done']);
    await store.close();
    const r = await quietly(() => runReplay({ data, ids: [dead!, done!] }));
    assert.deepEqual([r.code, r.out], [0, '1 delivery replayed\n']);
    const json = await quietly(() => runCancel({ data, state: 'pending', json: true }));
    assert.deepEqual(JSON.parse(json.out), { order: 'cancel', changed: 1 });
    store = await openStore({ dataDir: data });
    try {
      const rows = await listDeliveries(store.db, {});
      assert.deepEqual(rows.map((x) => [x.id, x.state]).sort(), [[dead, 'cancelled'], [done, 'done']].sort());
    } finally {
      await store.close();
    }
  });

  it('refuses an order that names no delivery', async () => {
    const r = await quietly(() => runHold({ data: join(base, 'none') }));
    assert.equal(r.code, 2);
    assert.match(r.err, /ids, --state or --kind/);
    const bad = await quietly(() => runHold({ data: join(base, 'none'), ids: ['12x'] }));
    assert.equal(bad.code, 2);
  });

  it('sends the order to the running node that holds the embedded store', async () => {
    const data = join(base, 'running');
    const store = await openStore({ dataDir: data });
    const admin = await startAdminApi(store);
    const unlock = takeLock(data, { pid: process.pid, adminPort: admin.port, token: admin.token });
    try {
      const [pending] = await seed(store, ['pending']);
      const r = await quietly(() => runHold({ data, state: 'pending', reason: 'maintenance' }));
      assert.deepEqual([r.code, r.out], [0, '1 delivery held\n']);
      const [row] = await listDeliveries(store.db, {});
      assert.deepEqual([row?.id, row?.state, row?.reason], [pending, 'held', 'maintenance']);
    } finally {
      unlock();
      await admin.close();
      await store.close();
    }
  });
});
