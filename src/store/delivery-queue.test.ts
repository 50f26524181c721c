import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { isRelaisError } from '../domain/index.js';
import type { DeliveryState, DestinationKind, DocumentAction } from '../domain/index.js';
import { listAttempts, recordAttempt } from './attempts.js';
import { insertDeliveries, listDeliveries } from './deliveries.js';
import {
  cancelDeliveries, claimDue, expediteRetries, holdDeliveries, markDead, markDone, markRetry, reclaimExpiredLeases,
  releaseDeliveries, replayDeliveries,
} from './delivery-queue.js';
import { insertDocument } from './documents.js';
import { insertMessage } from './messages.js';
import type { Store } from './open-store.js';
import { sampleDocument, sampleMessage } from './test-fixtures.js';
import { forEachDriver } from './testing.js';
import type { DriverContext } from './testing.js';

interface DocSpec { action?: DocumentAction; documentId?: string; setId?: string | null; parentDocumentId?: string | null; patientIns?: string }

async function aDocument(store: Store, spec: DocSpec = {}): Promise<string> {
  const { id } = await insertMessage(store.db, sampleMessage({ ackCode: 'AE' }));
  return (await insertDocument(store.db, sampleDocument(id, {
    action: spec.action ?? 'publish',
    documentId: spec.documentId ?? `1.2.250.1.999.1.2.3^DOC-${Math.random().toString(36).slice(2)}`,
    setId: spec.setId === undefined ? `1.2.250.1.999.1.2.3^SET-${Math.random().toString(36).slice(2)}` : spec.setId,
    parentDocumentId: spec.parentDocumentId ?? null,
    ...(spec.patientIns ? { patientIns: spec.patientIns } : {}),
  }))).id;
}

/** One delivery on a new document; returns the delivery id. */
async function aDelivery(ctx: DriverContext, o: DocSpec & { kind?: DestinationKind; state?: DeliveryState; recipient?: string; notBefore?: Date } = {}): Promise<string> {
  const documentRowId = await aDocument(ctx.store, o);
  await insertDeliveries(ctx.store.db, [{
    documentRowId, kind: o.kind ?? 'dmp', state: o.state ?? 'pending', recipient: o.recipient ?? null, notBefore: o.notBefore ?? null,
  }]);
  const [row] = await listDeliveries(ctx.store.db, { documentRowId });
  assert.ok(row);
  return row.id;
}

async function stateOf(ctx: DriverContext, id: string): Promise<{ state: DeliveryState; reason: string | null; attempts: number; lease: Date | null; by: string | null; next: Date }> {
  const r = await ctx.store.db.selectFrom('delivery')
    .select(['state', 'reason', 'attempt_count', 'lease_until', 'claimed_by', 'next_attempt_at'])
    .where('id', '=', id).executeTakeFirstOrThrow();
  return { state: r.state, reason: r.reason, attempts: r.attempt_count, lease: r.lease_until, by: r.claimed_by, next: r.next_attempt_at };
}

const claim = (store: Store, o: { kind?: DestinationKind; limit?: number; workerId?: string; leaseMs?: number; now?: Date } = {}) =>
  claimDue(store.db, { kind: o.kind ?? 'dmp', limit: o.limit ?? 10, workerId: o.workerId ?? 'w1', leaseMs: o.leaseMs ?? 60_000, ...(o.now ? { now: o.now } : {}) });

forEachDriver('delivery queue', (ctx) => {
  it('claims due deliveries of its kind oldest first, sets them in_flight under a lease and counts the attempt', async () => {
    const a = await aDelivery(ctx);
    const b = await aDelivery(ctx);
    await aDelivery(ctx, { kind: 'mss_ps', recipient: 'dr@x.mssante.fr' });
    const now = new Date('2030-01-01T00:00:00Z');
    const claimed = await claim(ctx.store, { workerId: 'node-1', leaseMs: 30_000, now });
    assert.deepEqual(claimed.map((c) => c.id), [a, b]);
    const [first] = claimed;
    assert.ok(first);
    assert.equal(first.kind, 'dmp');
    assert.equal(first.recipient, null);
    assert.equal(first.attemptCount, 1);
    assert.equal(first.claimedBy, 'node-1');
    assert.equal(first.leaseUntil.toISOString(), '2030-01-01T00:00:30.000Z');
    assert.ok(first.documentRowId);
    const s = await stateOf(ctx, a);
    assert.deepEqual([s.state, s.attempts, s.by], ['in_flight', 1, 'node-1']);
    assert.deepEqual(await claim(ctx.store, { now }), []);
  });

  it('claims no more than the limit', async () => {
    for (let i = 0; i < 5; i++) await aDelivery(ctx);
    assert.equal((await claim(ctx.store, { limit: 3 })).length, 3);
    assert.equal((await claim(ctx.store, { limit: 3 })).length, 2);
  });

  it('skips held, done, dead and cancelled deliveries, retries not yet due and deliveries scheduled later', async () => {
    for (const state of ['held', 'done', 'dead', 'cancelled', 'in_flight'] as const) await aDelivery(ctx, { state });
    const now = new Date();
    const later = await aDelivery(ctx, { notBefore: new Date(now.getTime() + 3_600_000) });
    const retry = await aDelivery(ctx, { state: 'in_flight' });
    await markRetry(ctx.store.db, retry, new Date(now.getTime() + 60_000), 'RLS_MLLP_CONNECTION');
    assert.deepEqual(await claim(ctx.store, { now }), []);
    const inTwoHours = new Date(now.getTime() + 7_200_000);
    assert.deepEqual((await claim(ctx.store, { now: inTwoHours })).map((c) => c.id), [later, retry]);
  });

  it('never gives the same delivery to two stores claiming at the same time', async () => {
    const documentRowId = await aDocument(ctx.store);
    const total = 120;
    await insertDeliveries(ctx.store.db, Array.from({ length: total }, () => ({ documentRowId, kind: 'dmp' as const, state: 'pending' as const })));
    const one = await ctx.open({ poolSize: 4 });
    const two = await ctx.open({ poolSize: 4 });
    const drain = async (store: Store, workerId: string): Promise<string[]> => {
      const got: string[] = [];
      for (;;) {
        const batch = await claim(store, { workerId, limit: 7 });
        if (batch.length === 0) return got;
        got.push(...batch.map((c) => c.id));
      }
    };
    // Four claimers per store, so PostgreSQL sees overlapping claims on separate connections.
    const results = await Promise.all([one, two].flatMap((s, i) => [0, 1, 2, 3].map((j) => drain(s, `w${i}-${j}`))));
    const all = results.flat();
    assert.equal(all.length, total);
    assert.equal(new Set(all).size, total);
  });

  it('skips rows another transaction has locked instead of waiting for them', async () => {
    const a = await aDelivery(ctx);
    const b = await aDelivery(ctx);
    if (ctx.driver === 'pglite') {
      // One connection: nothing else can hold a lock; the PostgreSQL variant tests the skip.
      assert.equal((await claim(ctx.store)).length, 2);
      return;
    }
    const other = await ctx.open({ poolSize: 2 });
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    const tx = other.transaction(async (t) => {
      await t.selectFrom('delivery').select('id').where('id', '=', a).forUpdate().execute();
      locked();
      await held;
    });
    await isLocked;
    const claimed = await claim(ctx.store);
    release();
    await tx;
    assert.deepEqual(claimed.map((c) => c.id), [b]);
  });

  it('holds a replacement until the publication of the same document set is settled', async () => {
    const setId = '1.2.250.1.999^SET-A';
    const publish = await aDelivery(ctx, { setId, documentId: '1.2.250.1.999^V1' });
    const replace = await aDelivery(ctx, { setId, documentId: '1.2.250.1.999^V2', parentDocumentId: '1.2.250.1.999^V1', action: 'replace' });
    const other = await aDelivery(ctx, { action: 'replace', parentDocumentId: '1.2.250.1.999^ELSEWHERE' });
    assert.deepEqual((await claim(ctx.store)).map((c) => c.id), [publish, other]);
    assert.deepEqual(await claim(ctx.store), [], 'the replacement waits while its publication is in flight');
    await markRetry(ctx.store.db, publish, new Date(0), 'RLS_MLLP_CONNECTION');
    assert.deepEqual((await claim(ctx.store)).map((c) => c.id), [publish], 'a retry of the publication still comes first');
    await markDone(ctx.store.db, publish);
    assert.deepEqual((await claim(ctx.store)).map((c) => c.id), [replace]);
  });

  it('follows the replaced document id when the versions carry no set id, and orders a deletion after its publication', async () => {
    const publish = await aDelivery(ctx, { setId: null, documentId: '1.2.250.1.999^P1' });
    const replace = await aDelivery(ctx, { setId: null, documentId: '1.2.250.1.999^P2', parentDocumentId: '1.2.250.1.999^P1', action: 'replace' });
    const remove = await aDelivery(ctx, { setId: null, documentId: '1.2.250.1.999^P2', action: 'delete' });
    assert.deepEqual((await claim(ctx.store)).map((c) => c.id), [publish]);
    await markDead(ctx.store.db, publish, 'RLS_XDS_CODE');
    assert.deepEqual((await claim(ctx.store)).map((c) => c.id), [replace], 'a dead publication no longer blocks');
    assert.deepEqual(await claim(ctx.store), [], 'the deletion waits for the replacement it deletes');
    await markDone(ctx.store.db, replace);
    assert.deepEqual((await claim(ctx.store)).map((c) => c.id), [remove]);
  });

  it('orders per destination: a held publication blocks the replacement to the same recipient only', async () => {
    const setId = '1.2.250.1.999^SET-M';
    await aDelivery(ctx, { setId, kind: 'mss_ps', recipient: 'a@x.mssante.fr', state: 'held' });
    await aDelivery(ctx, { setId, kind: 'mss_ps', recipient: 'b@x.mssante.fr', state: 'done' });
    await aDelivery(ctx, { setId, kind: 'mss_ps', recipient: 'a@x.mssante.fr', action: 'replace' });
    const toB = await aDelivery(ctx, { setId, kind: 'mss_ps', recipient: 'b@x.mssante.fr', action: 'replace' });
    assert.deepEqual((await claim(ctx.store, { kind: 'mss_ps' })).map((c) => c.id), [toB]);
  });

  it('puts an in_flight delivery whose lease expired back to pending, and leaves live leases alone', async () => {
    const a = await aDelivery(ctx);
    const b = await aDelivery(ctx);
    const t0 = new Date('2030-01-01T00:00:00Z');
    await claim(ctx.store, { limit: 1, leaseMs: 1_000, now: t0 });
    await claim(ctx.store, { limit: 1, leaseMs: 10_000, now: t0 });
    assert.equal(await reclaimExpiredLeases(ctx.store.db, { now: new Date('2030-01-01T00:00:05Z') }), 1);
    const s = await stateOf(ctx, a);
    assert.deepEqual([s.state, s.reason, s.lease, s.by, s.attempts], ['pending', 'lease_expired', null, null, 1]);
    assert.equal((await stateOf(ctx, b)).state, 'in_flight');
    const again = await claim(ctx.store, { now: new Date('2030-01-01T00:00:05Z'), workerId: 'w2' });
    assert.deepEqual(again.map((c) => [c.id, c.attemptCount]), [[a, 2]]);
  });

  it('ignores the answer of a worker whose lease was taken over', async () => {
    const a = await aDelivery(ctx);
    const t0 = new Date('2030-01-01T00:00:00Z');
    const [first] = await claim(ctx.store, { workerId: 'w1', leaseMs: 1_000, now: t0 });
    assert.ok(first);
    await reclaimExpiredLeases(ctx.store.db, { now: new Date('2030-01-01T00:00:02Z') });
    const [second] = await claim(ctx.store, { workerId: 'w2', now: new Date('2030-01-01T00:00:02Z') });
    assert.ok(second);
    assert.equal(await markDead(ctx.store.db, a, 'late', { lease: { claimedBy: first.claimedBy, attemptCount: first.attemptCount } }), 0);
    assert.equal(await markDone(ctx.store.db, a, { lease: { claimedBy: second.claimedBy, attemptCount: second.attemptCount } }), 1);
    assert.equal((await stateOf(ctx, a)).state, 'done');
  });

  it('moves in_flight to done, retry_wait or dead and refuses those moves from any other state', async () => {
    const others: DeliveryState[] = ['held', 'pending', 'done', 'retry_wait', 'dead', 'cancelled'];
    for (const [mark, target] of [
      [(id: string) => markDone(ctx.store.db, id), 'done'],
      [(id: string) => markRetry(ctx.store.db, id, new Date('2030-01-01T00:00:00Z'), 'RLS_MLLP_ACK_TIMEOUT'), 'retry_wait'],
      [(id: string) => markDead(ctx.store.db, id, 'RLS_XDS_CODE'), 'dead'],
    ] as const) {
      const id = await aDelivery(ctx, { state: 'in_flight' });
      assert.equal(await mark(id), 1);
      assert.equal((await stateOf(ctx, id)).state, target);
      for (const from of others) {
        const refused = await aDelivery(ctx, { state: from });
        assert.equal(await mark(refused), 0, `${from} → ${target} must be refused`);
        assert.equal((await stateOf(ctx, refused)).state, from);
      }
    }
    const retried = await aDelivery(ctx, { state: 'in_flight' });
    await markRetry(ctx.store.db, retried, new Date('2030-01-01T00:00:00Z'), 'RLS_MLLP_ACK_TIMEOUT');
    const s = await stateOf(ctx, retried);
    assert.deepEqual([s.reason, s.next.toISOString()], ['RLS_MLLP_ACK_TIMEOUT', '2030-01-01T00:00:00.000Z']);
    assert.equal(await markDone(ctx.store.db, 'not-an-id'), 0);
  });

  it('holds pending and waiting deliveries only, with the reason, and releases held ones to pending', async () => {
    const ids: Partial<Record<DeliveryState, string>> = {};
    for (const s of ['held', 'pending', 'in_flight', 'done', 'retry_wait', 'dead', 'cancelled'] as const) ids[s] = await aDelivery(ctx, { state: s });
    const all = Object.values(ids);
    assert.equal(await holdDeliveries(ctx.store.db, { ids: all }, 'operator'), 2);
    assert.deepEqual([(await stateOf(ctx, ids.pending!)).state, (await stateOf(ctx, ids.pending!)).reason], ['held', 'operator']);
    assert.equal((await stateOf(ctx, ids.retry_wait!)).state, 'held');
    assert.equal((await stateOf(ctx, ids.in_flight!)).state, 'in_flight', 'a send in progress is not taken away');
    assert.equal(await releaseDeliveries(ctx.store.db, { ids: all }), 3);
    const released = await stateOf(ctx, ids.held!);
    assert.deepEqual([released.state, released.reason], ['pending', null]);
    assert.equal((await stateOf(ctx, ids.done!)).state, 'done');
  });

  it('replays dead deliveries to pending, keeping their attempt count', async () => {
    const dead = await aDelivery(ctx);
    await claim(ctx.store);
    await markDead(ctx.store.db, dead, 'RLS_XDS_CODE');
    const done = await aDelivery(ctx, { state: 'done' });
    assert.equal(await replayDeliveries(ctx.store.db, { ids: [dead, done] }), 1);
    const s = await stateOf(ctx, dead);
    assert.deepEqual([s.state, s.reason, s.attempts], ['pending', null, 1]);
    assert.equal((await stateOf(ctx, done)).state, 'done');
    assert.deepEqual((await claim(ctx.store)).map((c) => [c.id, c.attemptCount]), [[dead, 2]]);
  });

  it('cancels any unsettled delivery except one being sent, and nothing settled', async () => {
    const ids: Partial<Record<DeliveryState, string>> = {};
    for (const s of ['held', 'pending', 'in_flight', 'done', 'retry_wait', 'dead', 'cancelled'] as const) ids[s] = await aDelivery(ctx, { state: s });
    assert.equal(await cancelDeliveries(ctx.store.db, { ids: Object.values(ids) }, 'operator'), 4);
    for (const s of ['held', 'pending', 'retry_wait', 'dead'] as const) assert.equal((await stateOf(ctx, ids[s]!)).state, 'cancelled');
    for (const s of ['in_flight', 'done'] as const) assert.equal((await stateOf(ctx, ids[s]!)).state, s);
  });

  it('selects by state and kind together, ignores malformed ids and refuses an empty selector', async () => {
    const dmpDead = await aDelivery(ctx, { state: 'dead' });
    const mssDead = await aDelivery(ctx, { state: 'dead', kind: 'mss_ps', recipient: 'a@x.mssante.fr' });
    await aDelivery(ctx, { state: 'pending' });
    assert.equal(await replayDeliveries(ctx.store.db, { state: 'dead', kind: 'mss_ps' }), 1);
    assert.equal((await stateOf(ctx, mssDead)).state, 'pending');
    assert.equal((await stateOf(ctx, dmpDead)).state, 'dead');
    assert.equal(await replayDeliveries(ctx.store.db, { ids: ['x', '0', "1'; drop table delivery"] }), 0);
    assert.equal(await holdDeliveries(ctx.store.db, { kind: 'dmp', state: 'dead' }, 'operator'), 0, 'dead cannot be held');
    await assert.rejects(cancelDeliveries(ctx.store.db, {}, 'operator'), (e: unknown) => isRelaisError(e) && e.code === 'RLS_BUG');
    await assert.rejects(cancelDeliveries(ctx.store.db, { ids: undefined }, 'operator'), (e: unknown) => isRelaisError(e) && e.code === 'RLS_BUG');
  });

  it('makes every waiting retry of a kind due now when the peer is back', async () => {
    const a = await aDelivery(ctx, { state: 'in_flight' });
    const b = await aDelivery(ctx, { state: 'in_flight', kind: 'mss_ps', recipient: 'a@x.mssante.fr' });
    const far = new Date('2099-01-01T00:00:00Z');
    await markRetry(ctx.store.db, a, far, 'RLS_MLLP_CONNECTION');
    await markRetry(ctx.store.db, b, far, 'RLS_MLLP_CONNECTION');
    const now = new Date('2030-01-01T00:00:00Z');
    assert.equal(await expediteRetries(ctx.store.db, { kind: 'dmp', now }), 1);
    assert.deepEqual((await claim(ctx.store, { now })).map((c) => c.id), [a]);
    assert.equal((await stateOf(ctx, b)).next.toISOString(), far.toISOString());
  });

  it('records attempts with the peer answer and lists them oldest first', async () => {
    const id = await aDelivery(ctx);
    const t = new Date('2030-01-01T00:00:00Z');
    await recordAttempt(ctx.store.db, { deliveryId: id, startedAt: t, finishedAt: new Date(t.getTime() + 5), outcome: 'transient', peerAnswer: '421 try later', errorCode: 'RLS_MLLP_CONNECTION' });
    await recordAttempt(ctx.store.db, { deliveryId: id, startedAt: new Date(t.getTime() + 10), finishedAt: new Date(t.getTime() + 20), outcome: 'success' });
    const rows = await listAttempts(ctx.store.db, id);
    assert.deepEqual(rows.map((r) => [r.outcome, r.peerAnswer, r.errorCode]), [['transient', '421 try later', 'RLS_MLLP_CONNECTION'], ['success', null, null]]);
    assert.equal(rows[0]?.finishedAt?.toISOString(), '2030-01-01T00:00:00.005Z');
    assert.deepEqual(await listAttempts(ctx.store.db, 'nope'), []);
  });

  it('claims with the database clock when no time is given', async () => {
    const a = await aDelivery(ctx);
    const [c] = await claim(ctx.store, { leaseMs: 60_000 });
    assert.equal(c?.id, a);
    const { rows } = await sql<{ now: Date }>`select now() as now`.execute(ctx.store.db);
    const dbNow = rows[0]!.now.getTime();
    assert.ok(Math.abs(c!.leaseUntil.getTime() - (dbNow + 60_000)) < 5_000);
    assert.equal(await reclaimExpiredLeases(ctx.store.db), 0);
  });
});
