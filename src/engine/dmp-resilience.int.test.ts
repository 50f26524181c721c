import { after, afterEach, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstanceId } from '../cda/index.js';
import { defaultVoletAConfig } from '../cisis/index.js';
import type { DmpClient } from '../dmp/index.js';
import { createTestChain, createTrustStore, credentialsFromPem } from '../pki/index.js';
import { DmpSandbox, type DmpFault } from '../sandbox/index.js';
import { listAttempts, listDeliveries, type DeliveryRow, type Store } from '../store/index.js';
import { forEachDriver } from '../store/testing.js';
import { XDS_STATUS } from '../xds/index.js';
import type { DeliveryWorker } from './delivery-worker.js';
import { createDmpSender } from './dmp-sender.js';
import { IntakeService } from './intake-service.js';
import { silentLogger } from './logger.js';
import { lettreForDmp, startDmpHarness, type DmpHarness } from './testing/dmp-harness.js';

/**
 * The faults of the issue's "bad input and faults": a node stopped in the middle of a drain, a DMP that closes the
 * connection mid-upload, loses its answer, answers garbage, or presents a certificate from another chain. Each
 * time: the right classification, an attempt row, no loss, no duplicate in the DMP.
 */

const peer = { label: 'dpi@127.0.0.1' };
const run = `${process.pid}${Date.now() % 100_000}`;
let harness: DmpHarness;
let serial = 0;
const cleanups: (() => Promise<void> | void)[] = [];

before(async () => { harness = await startDmpHarness('dmp-resilience'); });
after(async () => { await harness.close(); });

interface Node { intake: IntakeService; worker: DeliveryWorker; client: DmpClient; stop(timeoutMs: number): Promise<void> }

afterEach(async () => {
  harness.sandbox.setFault({ mode: 'none' });
  for (const c of cleanups.splice(0).reverse()) await c();
});

function newDocumentId(): InstanceId {
  serial += 1;
  return { root: `1.2.250.1.999.5.${run}.${serial}` };
}

function startNode(store: Store, o: { baseUrl?: string; leaseMs?: number } = {}): Node {
  const client = harness.client(o.baseUrl);
  const worker = harness.worker(store, client, o.leaseMs === undefined ? {} : { leaseMs: o.leaseMs });
  const intake = new IntakeService({
    store, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '990000000', log: silentLogger,
    onAccepted: () => worker.notify(),
  });
  let stopped = false;
  const node = {
    intake, worker, client,
    stop: async (timeoutMs: number) => {
      if (stopped) return;
      stopped = true;
      await worker.stop({ timeoutMs });
      client.close();
    },
  };
  cleanups.push(() => node.stop(2000));
  return node;
}

async function deliveryOf(store: Store, documentId: string): Promise<DeliveryRow | undefined> {
  return (await listDeliveries(store.db, { kind: 'dmp' })).find((d) => d.documentId === documentId);
}

/** Polls until `done(rows)` holds for the DMP deliveries of `ids`; fails after a bound rather than hang. */
async function waitForAll(store: Store, ids: readonly InstanceId[], done: (rows: DeliveryRow[]) => boolean, what: string): Promise<DeliveryRow[]> {
  let rows: DeliveryRow[] = [];
  for (let i = 0; i < 600; i += 1) {
    const all = await listDeliveries(store.db, { kind: 'dmp', limit: 1000 });
    rows = ids.flatMap((id) => all.filter((d) => d.documentId === id.root));
    if (rows.length === ids.length && done(rows)) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`${what}: ${rows.map((d) => `${d.state}/${d.reason ?? ''}`).join(', ')}`);
}

async function accept(node: Node, id: InstanceId): Promise<void> {
  const controlId = `Z${id.root.split('.').slice(-2).join('')}`;
  const r = await node.intake.handle(lettreForDmp({ controlId, id }), peer);
  assert.equal(r.ackCode, 'AA');
}

function requestCount(dataDir: string): number {
  return readdirSync(join(dataDir, 'requests')).length;
}

/** How many ITI-41 requests the stand-in received for `uniqueId` (its verbatim request log), from the `from`th on. */
function submissionsOf(dataDir: string, uniqueId: string, from = 0): number {
  const dir = join(dataDir, 'requests');
  return readdirSync(dir).sort().slice(from).map((f) => readFileSync(join(dir, f), 'latin1'))
    .filter((r) => r.includes('ProvideAndRegisterDocumentSet-b') && r.includes(`value="${uniqueId}"`)).length;
}

/** The entries of `id` in the stand-in's registry: exactly one, Approved, is what every test wants in the end. */
function entriesOf(sandbox: DmpSandbox, id: InstanceId): string[] {
  return sandbox.list().filter((e) => e.uniqueId === id.root).map((e) => e.status);
}

forEachDriver('DMP publication under faults', (ctx) => {
  it('resumes a drain interrupted by a node stop: every document Approved exactly once', async () => {
    harness.sandbox.setFault({ mode: 'status', status: 503 });
    const first = startNode(ctx.store, { leaseMs: 4000 });
    const ids = Array.from({ length: 6 }, () => newDocumentId());
    for (const id of ids) await accept(first, id);
    await waitForAll(ctx.store, ids, (rows) => rows.some((d) => d.state === 'retry_wait') && rows.every((d) => d.state !== 'done'), 'orders waiting');
    assert.equal(ids.filter((id) => entriesOf(harness.sandbox, id).length > 0).length, 0);
    // The DMP comes back, slowly: the drain is under way when the node stops, some sends cut short.
    const outageRequests = requestCount(harness.dataDir);
    harness.sandbox.setFault({ mode: 'slow', delayMs: 300 });
    await waitForAll(ctx.store, ids, (rows) => rows.some((d) => d.state === 'done'), 'a first order drained');
    await first.stop(20);
    const afterStop = await Promise.all(ids.map((id) => deliveryOf(ctx.store, id.root)));
    assert.ok(afterStop.some((d) => d?.state !== 'done'), 'the stop came in the middle of the drain');
    harness.sandbox.setFault({ mode: 'none' });
    startNode(ctx.store, { leaseMs: 4000 });
    const rows = await waitForAll(ctx.store, ids, (r) => r.every((d) => d.state === 'done'), 'all drained by the second node');
    assert.equal(rows.length, ids.length);
    for (const id of ids) {
      assert.deepEqual(entriesOf(harness.sandbox, id), [XDS_STATUS.approved], `one Approved entry for ${id.root}`);
      // The 503 answers were refused before the registry; since the DMP came back, one ITI-41 per document.
      assert.equal(submissionsOf(harness.dataDir, id.root, outageRequests), 1, `one ITI-41 for ${id.root} since the outage`);
    }
  });

  it('takes a duplicate uniqueId answer for success when TD3.1b shows the same document Approved (a late earlier attempt)', async () => {
    const node = startNode(ctx.store);
    const id = newDocumentId();
    await accept(node, id);
    const [d] = await waitForAll(ctx.store, [id], (r) => r[0]?.state === 'done', 'published');
    // As if the attempt had been cut short before its answer and the next one had looked before the DMP applied it.
    const send = createDmpSender({ store: ctx.store, client: node.client, signer: harness.signer, validation: defaultVoletAConfig, sourceOid: '1.2.250.1.999.1.1' });
    const again = await send({
      id: d!.id, documentRowId: d!.documentRowId, kind: 'dmp', recipient: null, recipientId: null, attemptCount: 1,
      createdAt: d!.createdAt, leaseUntil: new Date(Date.now() + 60_000), claimedBy: 'test',
    }, { signal: new AbortController().signal });
    assert.equal(again.ok, true, JSON.stringify(again));
    assert.equal(submissionsOf(harness.dataDir, id.root), 2, 'the second ITI-41 went out and was refused as a duplicate');
    assert.deepEqual(entriesOf(harness.sandbox, id), [XDS_STATUS.approved]);
  });

  // `logged`: the ITI-41 requests the stand-in logs in the end (a cut upload never reaches its log).
  const faults: { name: string; fault: DmpFault; code: string; applied: boolean; logged: number }[] = [
    { name: 'closes the connection mid-upload', fault: { mode: 'cutUpload' }, code: 'RLS_DMP_UNAVAILABLE', applied: false, logged: 1 },
    { name: 'applies the request but the answer is lost', fault: { mode: 'dropAnswer' }, code: 'RLS_DMP_UNAVAILABLE', applied: true, logged: 1 },
    { name: 'answers garbage', fault: { mode: 'garbage' }, code: 'RLS_DMP_BAD_RESPONSE', applied: false, logged: 2 },
  ];
  for (const f of faults) {
    it(`retries without duplicate when the DMP ${f.name}`, async () => {
      harness.sandbox.setFault(f.fault);
      const node = startNode(ctx.store);
      const id = newDocumentId();
      await accept(node, id);
      const [waiting] = await waitForAll(ctx.store, [id], (r) => r[0]?.state === 'retry_wait', 'order waiting');
      assert.equal(waiting?.reason, f.code);
      const attempts = await listAttempts(ctx.store.db, waiting!.id);
      assert.equal(attempts[0]?.outcome, 'transient');
      assert.equal(attempts[0]?.errorCode, f.code);
      assert.equal(entriesOf(harness.sandbox, id).length, f.applied ? 1 : 0);
      harness.sandbox.setFault({ mode: 'none' });
      await waitForAll(ctx.store, [id], (r) => r[0]?.state === 'done', 'order drained');
      assert.deepEqual(entriesOf(harness.sandbox, id), [XDS_STATUS.approved]);
      // A lost answer is settled by TD3.1b, not by a second ITI-41.
      assert.equal(submissionsOf(harness.dataDir, id.root), f.logged);
    });
  }

  it('refuses a DMP whose certificate is from another chain, keeps the order with a trace, and drains it once the right server is back', async () => {
    const other = await createTestChain({ keySet: 'rogue' });
    const rogueDir = mkdtempSync(join(tmpdir(), 'relais-rogue-dmp-'));
    const rightDir = mkdtempSync(join(tmpdir(), 'relais-right-dmp-'));
    cleanups.push(() => { rmSync(rogueDir, { recursive: true, force: true }); rmSync(rightDir, { recursive: true, force: true }); });
    // The rogue server would accept Relais's client certificate: only Relais's check of the server can stop it.
    const rogue = await DmpSandbox.start({
      port: 0, dataDir: rogueDir, credentials: credentialsFromPem(other.server.keyPem, other.server.chainPem),
      trustStore: createTrustStore('both', `${harness.trustBundlePem}\n${other.trustBundlePem}`),
    });
    const port = rogue.port;
    let rogueOpen = true;
    cleanups.push(async () => { if (rogueOpen) await rogue.close(); });
    const node = startNode(ctx.store, { baseUrl: rogue.baseUrl });
    const id = newDocumentId();
    await accept(node, id);
    const [waiting] = await waitForAll(ctx.store, [id], (r) => r[0]?.state === 'retry_wait', 'order held');
    assert.equal(waiting?.reason, 'RLS_DMP_TLS');
    const attempts = await listAttempts(ctx.store.db, waiting!.id);
    assert.equal(attempts[0]?.outcome, 'transient');
    assert.equal(attempts[0]?.errorCode, 'RLS_DMP_TLS');
    assert.equal(node.worker.status().peer.healthy, false);
    assert.equal(readdirSync(join(rogueDir, 'requests')).length, 0, 'nothing was sent to the rogue server');
    await rogue.close();
    rogueOpen = false;
    const right = await DmpSandbox.start({ port, dataDir: rightDir, credentials: harness.serverCredentials, trustStore: harness.trust });
    cleanups.push(() => right.close());
    await waitForAll(ctx.store, [id], (r) => r[0]?.state === 'done', 'order drained to the right server');
    assert.deepEqual(entriesOf(right, id), [XDS_STATUS.approved]);
  });
});
