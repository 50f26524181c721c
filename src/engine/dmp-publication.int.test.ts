import { after, afterEach, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceId } from '../cda/index.js';
import { defaultVoletAConfig } from '../cisis/index.js';
import type { DmpClient } from '../dmp/index.js';
import { listAttempts, listDocuments, listDeliveries, type DeliveryRow, type Store } from '../store/index.js';
import { forEachDriver } from '../store/testing.js';
import { XDS_STATUS } from '../xds/index.js';
import type { DeliveryWorker } from './delivery-worker.js';
import { createDmpSender } from './dmp-sender.js';
import { IntakeService } from './intake-service.js';
import { silentLogger } from './logger.js';
import { documentForDmp, lettreForDmp, startDmpHarness, type DmpHarness } from './testing/dmp-harness.js';

const peer = { label: 'dpi@127.0.0.1' };
const run = `${process.pid}${Date.now() % 100_000}`;
let harness: DmpHarness;
let serial = 0;

before(async () => { harness = await startDmpHarness('dmp-publication'); });
after(async () => { await harness.close(); });

function newDocumentId(): InstanceId {
  serial += 1;
  return { root: `1.2.250.1.999.4.${run}.${serial}` };
}

function message(controlId: string, id: InstanceId, replaces?: InstanceId, action?: 'delete'): Buffer {
  return lettreForDmp({ controlId, id, ...(replaces ? { replaces } : {}), ...(action ? { action } : {}) });
}

interface Node { intake: IntakeService; worker: DeliveryWorker; client: DmpClient }
const running: Node[] = [];

afterEach(async () => {
  harness.sandbox.setFault({ mode: 'none' });
  for (const n of running.splice(0)) {
    await n.worker.stop({ timeoutMs: 2000 });
    n.client.close();
  }
});

function startNode(store: Store): Node {
  const client = harness.client();
  const worker = harness.worker(store, client);
  const intake = new IntakeService({
    store, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '990000000', log: silentLogger,
    onAccepted: () => worker.notify(),
  });
  const node = { intake, worker, client };
  running.push(node);
  return node;
}

/** Polls the DMP delivery of `documentId` until `done` says so; fails after a bound rather than hang. */
async function waitFor(store: Store, documentId: string, done: (d: DeliveryRow) => boolean): Promise<DeliveryRow> {
  let last: DeliveryRow | undefined;
  for (let i = 0; i < 400; i += 1) {
    last = (await listDeliveries(store.db, { kind: 'dmp' })).find((d) => d.documentId === documentId);
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`the DMP delivery of ${documentId} stayed ${last?.state ?? 'absent'} (${last?.reason ?? ''})`);
}

/** The SOAP actions of the requests the stand-in received since `from` (its verbatim log), in order. */
function soapActionsSince(from: number): string[] {
  const dir = join(harness.dataDir, 'requests');
  return readdirSync(dir).sort().slice(from).map((f) => /action="([^"]+)"/.exec(readFileSync(join(dir, f), 'latin1'))?.[1] ?? '?');
}

function requestCount(): number {
  return readdirSync(join(harness.dataDir, 'requests')).length;
}

async function accept(node: Node, controlId: string, raw: Buffer): Promise<void> {
  const r = await node.intake.handle(raw, peer);
  assert.equal(r.ackCode, 'AA');
}

forEachDriver('DMP publication from intake', (ctx) => {
  it('publishes an accepted document to the DMP and marks its delivery done', async () => {
    const node = startNode(ctx.store);
    const id = newDocumentId();
    await accept(node, `P${run}${serial}`, message(`P${run}${serial}`, id));
    const d = await waitFor(ctx.store, id.root, (x) => x.state === 'done');
    assert.equal(d.attemptCount, 1);
    const entry = harness.sandbox.list().find((e) => e.uniqueId === id.root);
    assert.equal(entry?.status, XDS_STATUS.approved);
    const attempts = await listAttempts(ctx.store.db, d.id);
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]?.outcome, 'success');
  });

  it('does not publish again when a later attempt finds the document already in the DMP', async () => {
    const node = startNode(ctx.store);
    const id = newDocumentId();
    await accept(node, `I${run}${serial}`, message(`I${run}${serial}`, id));
    const d = await waitFor(ctx.store, id.root, (x) => x.state === 'done');
    const send = createDmpSender({ store: ctx.store, client: node.client, signer: harness.signer, validation: defaultVoletAConfig, sourceOid: '1.2.250.1.999.1.1' });
    const again = await send({
      id: d.id, documentRowId: d.documentRowId, kind: 'dmp', recipient: null, recipientId: null, attemptCount: 2,
      createdAt: d.createdAt, leaseUntil: new Date(Date.now() + 60_000), claimedBy: 'test',
    }, { signal: new AbortController().signal });
    assert.equal(again.ok, true);
    assert.equal(harness.sandbox.list().filter((e) => e.uniqueId === id.root).length, 1);
  });

  it('replaces a published document: the old entry becomes Deprecated, the new one Approved', async () => {
    const node = startNode(ctx.store);
    const first = newDocumentId();
    await accept(node, `R${run}${serial}a`, message(`R${run}${serial}a`, first));
    await waitFor(ctx.store, first.root, (x) => x.state === 'done');
    const second = newDocumentId();
    await accept(node, `R${run}${serial}b`, message(`R${run}${serial}b`, second, first));
    await waitFor(ctx.store, second.root, (x) => x.state === 'done');
    const list = harness.sandbox.list();
    const old = list.find((e) => e.uniqueId === first.root);
    assert.equal(old?.status, XDS_STATUS.deprecated);
    const current = list.find((e) => e.uniqueId === second.root);
    assert.equal(current?.status, XDS_STATUS.approved);
    assert.equal(current?.replaces, old?.entryUUID);
  });

  it('deletes a published document: its DMP entry becomes Deleted', async () => {
    const node = startNode(ctx.store);
    const id = newDocumentId();
    await accept(node, `D${run}${serial}a`, message(`D${run}${serial}a`, id));
    await waitFor(ctx.store, id.root, (x) => x.state === 'done');
    await accept(node, `D${run}${serial}b`, message(`D${run}${serial}b`, id, undefined, 'delete'));
    await waitFor(ctx.store, id.root, (x) => x.action === 'delete' && x.state === 'done');
    assert.equal(harness.sandbox.list().find((e) => e.uniqueId === id.root)?.status, XDS_STATUS.dmpDeleted);
  });

  it('keeps the order in retry_wait while the DMP answers 503 and drains it once the fault is cleared', async () => {
    harness.sandbox.setFault({ mode: 'status', status: 503 });
    const node = startNode(ctx.store);
    const id = newDocumentId();
    await accept(node, `F${run}${serial}`, message(`F${run}${serial}`, id));
    const waiting = await waitFor(ctx.store, id.root, (x) => x.state === 'retry_wait');
    assert.equal(waiting.reason, 'RLS_DMP_UNAVAILABLE');
    assert.equal(harness.sandbox.list().find((e) => e.uniqueId === id.root), undefined);
    harness.sandbox.setFault({ mode: 'none' });
    const d = await waitFor(ctx.store, id.root, (x) => x.state === 'done');
    assert.ok(d.attemptCount >= 2);
    assert.equal(harness.sandbox.list().find((e) => e.uniqueId === id.root)?.status, XDS_STATUS.approved);
  });

  it('sends a masking change (MODIF_CONF_CODE=Y) as a replacement: new entry Approved with the new codes, old Deprecated, no metadata update', async () => {
    const node = startNode(ctx.store);
    const first = newDocumentId();
    await accept(node, `M${run}${serial}a`, documentForDmp({ controlId: `M${run}${serial}a`, id: first, flags: { INVISIBLE_PATIENT: true } }));
    await waitFor(ctx.store, first.root, (x) => x.state === 'done');
    const before = requestCount();
    const second = newDocumentId();
    await accept(node, `M${run}${serial}b`, documentForDmp({
      controlId: `M${run}${serial}b`, id: second, replaces: first,
      flags: { MODIF_CONF_CODE: true, MASQUE_PS: true, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: true },
    }));
    const d = await waitFor(ctx.store, second.root, (x) => x.state === 'done');
    assert.equal(d.action, 'replace');
    const list = harness.sandbox.list();
    const old = list.find((e) => e.uniqueId === first.root);
    const current = list.find((e) => e.uniqueId === second.root);
    assert.equal(old?.status, XDS_STATUS.deprecated);
    assert.deepEqual(old?.confidentialityCodes, ['N', 'INVISIBLE_PATIENT']);
    assert.equal(current?.status, XDS_STATUS.approved);
    assert.equal(current?.replaces, old?.entryUUID);
    assert.deepEqual(current?.confidentialityCodes, ['N', 'MASQUE_PS', 'INVISIBLE_REPRESENTANTS_LEGAUX']);
    // TD3.1b for the current entry, then TD2.1 with RPLC; never ITI-57 (no metadata update in indirect authentication).
    assert.deepEqual(soapActionsSince(before), ['urn:ihe:iti:2007:RegistryStoredQuery', 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b']);
  });

  it('refuses at intake a masking change that reuses the published document id: the DMP needs a new version', async () => {
    const node = startNode(ctx.store);
    const first = newDocumentId();
    await accept(node, `U${run}${serial}a`, documentForDmp({ controlId: `U${run}${serial}a`, id: first }));
    await waitFor(ctx.store, first.root, (x) => x.state === 'done');
    const r = await node.intake.handle(documentForDmp({
      controlId: `U${run}${serial}b`, id: first, replaces: first, flags: { MODIF_CONF_CODE: true, MASQUE_PS: true },
    }), peer);
    assert.equal(r.ackCode, 'AE');
    const entries = harness.sandbox.list().filter((e) => e.uniqueId === first.root);
    assert.deepEqual(entries.map((e) => [e.status, e.confidentialityCodes]), [[XDS_STATUS.approved, ['N']]]);
  });

  it('publishes an imaging report with its order placer number, accession number, study instance UID and modality', async () => {
    const node = startNode(ctx.store);
    const id = newDocumentId();
    await accept(node, `X${run}${serial}`, documentForDmp({
      controlId: `X${run}${serial}`, id, level: 'N1', type: { code: '18748-4', label: 'CR d\'imagerie médicale' },
      imaging: {
        orderPlacerNumber: { root: '1.2.250.1.213.4.5.2.6', extension: `OPN${serial}` },
        accessionNumber: { root: '1.2.250.1.213.4.5.2.5', extension: `ACN${serial}` },
        studyInstanceUid: `1.2.250.1.213.4.5.2.1.${serial}`,
        exam: { code: '24802-1', displayName: 'RM genou' },
        modality: { code: 'RM', displayName: 'Résonance magnétique' },
        ccam: { code: 'NZQN001', displayName: 'Remnographie [IRM] de segment du membre inférieur' },
      },
    }));
    await waitFor(ctx.store, id.root, (x) => x.state === 'done');
    const entry = harness.sandbox.list().find((e) => e.uniqueId === id.root);
    assert.equal(entry?.status, XDS_STATUS.approved);
    assert.deepEqual(entry?.referenceIds, [
      `OPN${serial}^^^&1.2.250.1.213.4.5.2.6&ISO^urn:ihe:iti:xds:2013:order`,
      `ACN${serial}^^^&1.2.250.1.213.4.5.2.5&ISO^urn:ihe:iti:xds:2013:accession`,
      `1.2.250.1.213.4.5.2.1.${serial}^^^&1.2.840.10008&ISO^urn:ihe:iti:xds:2016:studyInstanceUID`,
    ]);
    assert.deepEqual(entry?.eventCodes.map((c) => `${c.code}@${c.codingScheme}`), ['NZQN001@1.2.250.1.213.2.5', 'RM@1.2.840.10008.2.16.4']);
  });

  it('lets the DMP refuse an imaging report without its imaging identifiers (SC.DB/RIS.09): the order is dead', async () => {
    const node = startNode(ctx.store);
    const id = newDocumentId();
    await accept(node, `Y${run}${serial}`, documentForDmp({
      controlId: `Y${run}${serial}`, id, level: 'N1', type: { code: '18748-4', label: 'CR d\'imagerie médicale' },
    }));
    const d = await waitFor(ctx.store, id.root, (x) => x.state === 'dead');
    assert.equal(d.reason, 'XDSRegistryMetadataError');
    assert.equal(harness.sandbox.list().find((e) => e.uniqueId === id.root), undefined);
  });

  it('publishes a historical document like the others and flags it for statistics', async () => {
    const node = startNode(ctx.store);
    const id = newDocumentId();
    const longAgo = new Date(Date.now() - 400 * 86_400_000);
    await accept(node, `H${run}${serial}`, documentForDmp({ controlId: `H${run}${serial}`, id, effectiveTime: longAgo }));
    const d = await waitFor(ctx.store, id.root, (x) => x.state === 'done');
    assert.equal((await listDocuments(ctx.store.db, { documentId: d.documentId }))[0]?.historical, true);
    assert.equal(harness.sandbox.list().find((e) => e.uniqueId === id.root)?.status, XDS_STATUS.approved);
    const recent = newDocumentId();
    await accept(node, `H${run}${serial}r`, documentForDmp({ controlId: `H${run}${serial}r`, id: recent }));
    const r = await waitFor(ctx.store, recent.root, (x) => x.state === 'done');
    assert.equal((await listDocuments(ctx.store.db, { documentId: r.documentId }))[0]?.historical, false);
  });
});
