import { after, afterEach, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultVoletAConfig } from '../cisis/index.js';
import type { DmpClient } from '../dmp/index.js';
import { listDeliveries, listNotifications, type Store } from '../store/index.js';
import { forEachDriver } from '../store/testing.js';
import type { DeliveryWorker } from './delivery-worker.js';
import { createDmpZamHook } from './dmp-zam.js';
import { IntakeService } from './intake-service.js';
import { silentLogger } from './logger.js';
import { NotificationSender } from './notification-sender.js';
import { lettreForDmp, startDmpHarness, type DmpHarness } from './testing/dmp-harness.js';
import { FakeDpi } from './testing/fake-dpi.js';

const peer = { label: 'dpi@127.0.0.1' };
const run = `${process.pid}${Date.now() % 100_000}`;
let harness: DmpHarness;
let serial = 0;

before(async () => { harness = await startDmpHarness('zam'); });
after(async () => { await harness.close(); });

function message(controlId: string, ackReception: boolean): { raw: Buffer; documentId: string } {
  serial += 1;
  const id = { root: `1.2.250.1.999.5.${run}.${serial}` };
  return { raw: lettreForDmp({ controlId, id, ackReception }), documentId: id.root };
}

interface Node { intake: IntakeService; worker: DeliveryWorker; client: DmpClient; sender: NotificationSender; dpi: FakeDpi }
const running: Node[] = [];

afterEach(async () => {
  harness.sandbox.setFault({ mode: 'none' });
  for (const n of running.splice(0)) {
    await n.worker.stop({ timeoutMs: 2000 });
    await n.sender.stop({ timeoutMs: 2000 });
    n.client.close();
    await n.dpi.server.close({ timeoutMs: 1000 });
  }
});

async function startNode(store: Store): Promise<Node> {
  const dpi = new FakeDpi();
  await dpi.listen();
  const client = harness.client();
  const sender = new NotificationSender({
    store, endpoint: { host: '127.0.0.1', port: dpi.port }, ackTimeoutMs: 2_000, connectTimeoutMs: 2_000,
    backoff: { baseMs: 20, maxMs: 50, factor: 1, jitter: 'none' }, maxAttempts: 5, pollMs: 50, leaseMs: 15_000, log: silentLogger,
  });
  let zamSerial = 0;
  const worker = harness.worker(store, client, {
    onSettled: createDmpZamHook({ applicationName: 'RELAIS', facility: '990000000', nextControlId: () => `ZAM${run}${++zamSerial}`, log: silentLogger }),
    afterSettled: () => sender.notify(),
  });
  const intake = new IntakeService({
    store, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '990000000', log: silentLogger,
    onAccepted: () => worker.notify(),
  });
  sender.start();
  const node = { intake, worker, client, sender, dpi };
  running.push(node);
  return node;
}

async function accept(node: Node, raw: Buffer): Promise<void> {
  const r = await node.intake.handle(raw, peer);
  assert.equal(r.ackCode, 'AA');
}

/** Polls until `check` holds; fails after a bound rather than hang. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

forEachDriver('ZAM^Z01 after DMP publication', (ctx) => {
  it('sends one ZAM^Z01 with OBX-4 = the request MSH-10 and OBX-5 Y when ACK_RECEPTION=Y and the DMP accepted', async () => {
    const node = await startNode(ctx.store);
    const controlId = `ZY${run}${serial}`;
    const m = message(controlId, true);
    await accept(node, m.raw);
    await node.dpi.waitFor(1);
    const zam = node.dpi.received[0]!;
    assert.equal(`${zam.messageType.code}^${zam.messageType.event}^${zam.messageType.structure}`, 'ZAM^Z01^ZAM_Z01');
    assert.equal(zam.segment('OBX')?.get(3), 'ACK_RECEPTION_DMP');
    assert.equal(zam.segment('OBX')?.get(4), controlId);
    assert.equal(zam.segment('OBX')?.get(5), 'Y');
    assert.equal(zam.segment('ERR'), undefined);
    await until('notification done', async () => (await listNotifications(ctx.store.db))[0]?.state === 'done');
    const [row] = await listNotifications(ctx.store.db);
    assert.equal(row?.controlId, zam.controlId);
    assert.equal(row?.attemptCount, 1);
    assert.equal(node.dpi.received.length, 1);
  });

  it('sends the ZAM again later when the DPI answers AE first', async () => {
    const node = await startNode(ctx.store);
    node.dpi.answers.push('AE');
    const controlId = `ZE${run}${serial}`;
    await accept(node, message(controlId, true).raw);
    await node.dpi.waitFor(2);
    const [first, second] = node.dpi.received;
    assert.equal(second?.controlId, first?.controlId);
    assert.equal(second?.segment('OBX')?.get(4), controlId);
    await until('notification done', async () => (await listNotifications(ctx.store.db))[0]?.state === 'done');
    assert.equal((await listNotifications(ctx.store.db))[0]?.attemptCount, 2);
  });

  it('gives the ZAM up as dead after maxAttempts refusals by the DPI', async () => {
    const node = await startNode(ctx.store);
    node.dpi.answers.push('AE', 'AE', 'AE', 'AE', 'AE');
    await accept(node, message(`ZX${run}${serial}`, true).raw);
    await until('notification dead', async () => (await listNotifications(ctx.store.db))[0]?.state === 'dead');
    const [row] = await listNotifications(ctx.store.db);
    assert.equal(row?.attemptCount, 5);
    assert.equal(row?.lastError, 'ack_AE');
    assert.equal(node.dpi.received.length, 5);
  });

  it('sends nothing to the DPI when ACK_RECEPTION=N', async () => {
    const node = await startNode(ctx.store);
    const m = message(`ZN${run}${serial}`, false);
    await accept(node, m.raw);
    await until('delivery done', async () =>
      (await listDeliveries(ctx.store.db, { kind: 'dmp' })).some((d) => d.documentId === m.documentId && d.state === 'done'));
    assert.deepEqual(await listNotifications(ctx.store.db), []);
    assert.equal(node.dpi.received.length, 0);
  });

  it('sends OBX-5 N with the DMP error code in ERR-5 when the DMP refuses the document', async () => {
    harness.sandbox.setFault({ mode: 'registryError', errorCode: 'XDSPatientIdDoesNotMatch' });
    const node = await startNode(ctx.store);
    const controlId = `ZD${run}${serial}`;
    const m = message(controlId, true);
    await accept(node, m.raw);
    await node.dpi.waitFor(1);
    const zam = node.dpi.received[0]!;
    assert.equal(zam.segment('OBX')?.get(4), controlId);
    assert.equal(zam.segment('OBX')?.get(5), 'N');
    assert.equal(zam.segment('ERR')?.get(3), '207');
    assert.equal(zam.segment('ERR')?.get(5, 1), 'XDSPatientIdDoesNotMatch');
    assert.equal(zam.segment('ERR')?.get(5, 3), 'DMP_ERROR_CODE');
    const [d] = (await listDeliveries(ctx.store.db, { kind: 'dmp' })).filter((x) => x.documentId === m.documentId);
    assert.equal(d?.state, 'dead');
  });
});
