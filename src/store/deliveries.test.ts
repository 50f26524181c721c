import { it } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryStates, isRelaisError } from '../domain/index.js';
import type { DeliveryState } from '../domain/index.js';
import { countByState, insertDeliveries, listDeliveries } from './deliveries.js';
import { insertDocument } from './documents.js';
import { insertMessage } from './messages.js';
import { sampleDocument, sampleMessage } from './test-fixtures.js';
import { forEachDriver } from './testing.js';
import type { DriverContext } from './testing.js';

async function aDocument(ctx: DriverContext): Promise<string> {
  const { id } = await insertMessage(ctx.store.db, sampleMessage({ ackCode: 'AE' }));
  return (await insertDocument(ctx.store.db, sampleDocument(id))).id;
}

forEachDriver('deliveries', (ctx) => {
  it('inserts one row per destination and lists them with every field', async () => {
    const documentRowId = await aDocument(ctx);
    const before = Date.now();
    await insertDeliveries(ctx.store.db, [
      { documentRowId, kind: 'dmp', state: 'pending' },
      { documentRowId, kind: 'mss_ps', recipient: 'dr.a@hopital.mssante.fr', recipientId: '810000000001', state: 'pending' },
      { documentRowId, kind: 'mss_patient', recipient: 'p@patient.mssante.fr', state: 'held', reason: 'ins_not_qualified' },
    ]);
    const rows = await listDeliveries(ctx.store.db, {});
    assert.deepEqual(rows.map((r) => r.kind), ['mss_patient', 'mss_ps', 'dmp']);
    const [patient, ps, dmp] = rows;
    assert.ok(patient && ps && dmp);
    assert.equal(dmp.documentRowId, documentRowId);
    assert.deepEqual([dmp.recipient, dmp.recipientId, dmp.reason, dmp.notBefore], [null, null, null, null]);
    assert.deepEqual([ps.recipient, ps.recipientId], ['dr.a@hopital.mssante.fr', '810000000001']);
    assert.deepEqual([patient.state, patient.reason], ['held', 'ins_not_qualified']);
    assert.equal(dmp.attemptCount, 0);
    assert.ok(dmp.nextAttemptAt.getTime() >= before - 60_000);
    assert.ok(dmp.createdAt instanceof Date && dmp.updatedAt instanceof Date);
  });

  it('makes a scheduled delivery due at its notBefore time', async () => {
    const documentRowId = await aDocument(ctx);
    const notBefore = new Date('2030-01-02T03:04:05.678Z');
    await insertDeliveries(ctx.store.db, [{ documentRowId, kind: 'dmp', state: 'held', reason: 'scheduled', notBefore }]);
    const [row] = await listDeliveries(ctx.store.db, {});
    assert.equal(row?.notBefore?.toISOString(), notBefore.toISOString());
    assert.equal(row?.nextAttemptAt.toISOString(), notBefore.toISOString());
  });

  it('does nothing for an empty list', async () => {
    await insertDeliveries(ctx.store.db, []);
    assert.deepEqual(await listDeliveries(ctx.store.db, {}), []);
  });

  it('filters by state, kind and document, and caps with limit', async () => {
    const d1 = await aDocument(ctx);
    const d2 = await aDocument(ctx);
    await insertDeliveries(ctx.store.db, [
      { documentRowId: d1, kind: 'dmp', state: 'pending' },
      { documentRowId: d1, kind: 'mss_ps', recipient: 'a@x.mssante.fr', state: 'done' },
      { documentRowId: d2, kind: 'dmp', state: 'dead', reason: 'registry error' },
    ]);
    const kinds = async (f: Parameters<typeof listDeliveries>[1]) => (await listDeliveries(ctx.store.db, f)).map((r) => `${r.documentRowId === d1 ? 'd1' : 'd2'}:${r.kind}:${r.state}`);
    assert.deepEqual(await kinds({ state: 'pending' }), ['d1:dmp:pending']);
    assert.deepEqual(await kinds({ kind: 'dmp' }), ['d2:dmp:dead', 'd1:dmp:pending']);
    assert.deepEqual(await kinds({ documentRowId: d1 }), ['d1:mss_ps:done', 'd1:dmp:pending']);
    assert.deepEqual(await kinds({ documentRowId: 'nope' }), []);
    assert.deepEqual(await kinds({ limit: 1 }), ['d2:dmp:dead']);
  });

  it('counts deliveries per state, with zero for the states nobody is in', async () => {
    const documentRowId = await aDocument(ctx);
    await insertDeliveries(ctx.store.db, [
      { documentRowId, kind: 'dmp', state: 'pending' },
      { documentRowId, kind: 'mss_ps', recipient: 'a@x.mssante.fr', state: 'pending' },
      { documentRowId, kind: 'mss_patient', recipient: 'p@x.mssante.fr', state: 'held' },
    ]);
    const counts = await countByState(ctx.store.db);
    const expected = Object.fromEntries(deliveryStates.map((s) => [s, 0])) as Record<DeliveryState, number>;
    expected.pending = 2;
    expected.held = 1;
    assert.deepEqual(counts, expected);
  });

  it('accepts every state of src/domain', async () => {
    const documentRowId = await aDocument(ctx);
    await insertDeliveries(ctx.store.db, deliveryStates.map((state) => ({ documentRowId, kind: 'dmp' as const, state })));
    assert.equal((await listDeliveries(ctx.store.db, {})).length, deliveryStates.length);
  });

  it('rejects an unknown state or kind (CHECK constraints) and inserts none of the batch', async () => {
    const documentRowId = await aDocument(ctx);
    for (const bad of [{ state: 'lost' }, { kind: 'fax' }]) {
      await assert.rejects(
        insertDeliveries(ctx.store.db, [
          { documentRowId, kind: 'dmp', state: 'pending' },
          { documentRowId, kind: 'dmp', state: 'pending', ...bad } as never,
        ]),
        (e: unknown) => isRelaisError(e) && e.code === 'RLS_BUG' && e.details.sqlState === '23514',
      );
    }
    assert.deepEqual(await listDeliveries(ctx.store.db, {}), []);
  });
});
