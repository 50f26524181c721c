import { afterEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { RelaisError, isRelaisError } from '../domain/index.js';
import type { DeliveryState, DocumentAction } from '../domain/index.js';
import { insertDeliveries, insertDocument, insertMessage, listAttempts, listDeliveries } from '../store/index.js';
import type { ClaimedDelivery } from '../store/index.js';
import { forEachDriver, sampleDocument, sampleMessage } from '../store/testing.js';
import type { DriverContext } from '../store/testing.js';
import { DeliveryWorker } from './delivery-worker.js';
import type { DeliveryWorkerOptions, SendOutcome } from './delivery-worker.js';

/** Polls the store until `check` holds; fails after `timeoutMs` (no fixed sleeps). */
async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function aDelivery(ctx: DriverContext, o: { setId?: string; documentId?: string; parentDocumentId?: string; action?: DocumentAction } = {}): Promise<string> {
  const { id: messageId } = await insertMessage(ctx.store.db, sampleMessage({ ackCode: 'AE' }));
  const { id: documentRowId } = await insertDocument(ctx.store.db, sampleDocument(messageId, {
    action: o.action ?? 'publish',
    documentId: o.documentId ?? `1.2.250.1.999^D-${Math.random().toString(36).slice(2)}`,
    setId: o.setId ?? `1.2.250.1.999^S-${Math.random().toString(36).slice(2)}`,
    parentDocumentId: o.parentDocumentId ?? null,
  }));
  await insertDeliveries(ctx.store.db, [{ documentRowId, kind: 'dmp', state: 'pending' }]);
  const [row] = await listDeliveries(ctx.store.db, { documentRowId });
  assert.ok(row);
  return row.id;
}

async function states(ctx: DriverContext): Promise<Record<string, { state: DeliveryState; attempts: number; reason: string | null }>> {
  const rows = await listDeliveries(ctx.store.db, { limit: 1000 });
  return Object.fromEntries(rows.map((r) => [r.id, { state: r.state, attempts: r.attemptCount, reason: r.reason }]));
}

async function allIn(ctx: DriverContext, ids: string[], state: DeliveryState): Promise<boolean> {
  const s = await states(ctx);
  return ids.every((id) => s[id]?.state === state);
}

const fast = { baseMs: 2, maxMs: 10, factor: 2, jitter: 'none' } as const;

forEachDriver('delivery worker', (ctx) => {
  const workers: DeliveryWorker[] = [];
  const aWorker = (o: Partial<DeliveryWorkerOptions> & Pick<DeliveryWorkerOptions, 'send'>): DeliveryWorker => {
    const w = new DeliveryWorker({ store: ctx.store, kind: 'dmp', backoff: fast, concurrency: 2, pollMs: 20, leaseMs: 60_000, ...o });
    workers.push(w);
    return w;
  };
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop({ timeoutMs: 100 })));
  });

  it('sends every pending order once, marks it done and records the attempt', async () => {
    const ids = [await aDelivery(ctx), await aDelivery(ctx), await aDelivery(ctx)];
    const sent: string[] = [];
    const w = aWorker({ send: async (d) => { sent.push(d.id); return { ok: true, peerAnswer: 'RegistryResponse Success' }; } });
    w.start();
    await waitFor('all done', () => allIn(ctx, ids, 'done'));
    assert.deepEqual([...sent].sort(), [...ids].sort());
    const attempts = await listAttempts(ctx.store.db, ids[0]!);
    assert.deepEqual(attempts.map((a) => [a.outcome, a.peerAnswer, a.errorCode]), [['success', 'RegistryResponse Success', null]]);
    assert.equal(w.status().inFlight, 0);
  });

  it('retries an order after a transient failure and delivers it on the next try', async () => {
    const id = await aDelivery(ctx);
    let calls = 0;
    const w = aWorker({
      send: async () => (++calls === 1 ? { ok: false, kind: 'transient', code: 'RLS_MLLP_CONNECTION', peerAnswer: 'ECONNREFUSED' } : { ok: true }),
    });
    w.start();
    await waitFor('done', () => allIn(ctx, [id], 'done'));
    assert.equal(calls, 2);
    assert.equal((await states(ctx))[id]?.attempts, 2);
    const attempts = await listAttempts(ctx.store.db, id);
    assert.deepEqual(attempts.map((a) => [a.outcome, a.errorCode]), [['transient', 'RLS_MLLP_CONNECTION'], ['success', null]]);
    assert.equal(w.status().peer.healthy, true);
  });

  it('waits the back-off delay before the next try of a delivery', async () => {
    const id = await aDelivery(ctx);
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    let clock = t0;
    const w = aWorker({
      now: () => new Date(clock),
      backoff: { baseMs: 60_000, maxMs: 60_000, factor: 2, jitter: 'none' },
      send: async () => ({ ok: false, kind: 'transient', code: 'RLS_MLLP_ACK_TIMEOUT', scope: 'delivery' }),
    });
    w.start();
    await waitFor('retry_wait', () => allIn(ctx, [id], 'retry_wait'));
    const [row] = await listDeliveries(ctx.store.db, {});
    assert.equal(row?.nextAttemptAt.toISOString(), new Date(t0 + 60_000).toISOString());
    assert.equal(row?.reason, 'RLS_MLLP_ACK_TIMEOUT');
    clock = t0 + 60_001;
    w.notify();
    await waitFor('second try', async () => (await states(ctx))[id]?.attempts === 2);
  });

  it('marks an order dead on a permanent refusal and never sends it again', async () => {
    const id = await aDelivery(ctx);
    let calls = 0;
    const w = aWorker({ send: async () => { calls++; return { ok: false, kind: 'permanent', code: 'XDSPatientIdDoesNotMatch' }; } });
    w.start();
    await waitFor('dead', () => allIn(ctx, [id], 'dead'));
    w.notify();
    await w.stop();
    assert.equal(calls, 1);
    assert.equal((await states(ctx))[id]?.reason, 'XDSPatientIdDoesNotMatch');
    assert.equal(w.status().peer.healthy, true, 'a refusal says nothing about the peer being down');
  });

  it('marks an order dead when its tries are exhausted', async () => {
    const id = await aDelivery(ctx);
    const w = aWorker({ maxAttempts: 3, send: async () => ({ ok: false, kind: 'transient', code: '421', scope: 'delivery' }) });
    w.start();
    await waitFor('dead', () => allIn(ctx, [id], 'dead'));
    assert.equal((await states(ctx))[id]?.attempts, 3);
  });

  it('treats a RelaisError thrown by the sender by its kind and anything else thrown as permanent', async () => {
    const expired = await aDelivery(ctx);
    const buggy = await aDelivery(ctx);
    let thrown = 0;
    const w = aWorker({
      concurrency: 1,
      send: async (d) => {
        if (d.id === buggy) throw new TypeError('oops');
        if (thrown++ === 0) throw new RelaisError('RLS_PKI_EXPIRED');
        return { ok: true };
      },
    });
    w.start();
    await waitFor('settled', async () => (await allIn(ctx, [expired], 'done')) && (await allIn(ctx, [buggy], 'dead')));
    const s = await states(ctx);
    assert.equal(s[buggy]?.reason, 'send_threw');
    assert.equal(s[expired]?.attempts, 2, 'an expired certificate is waited out, not a dead order');
  });

  it('stops sending while the peer is down, probes, and drains every waiting order by itself when it is back', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await aDelivery(ctx));
    let peerUp = false;
    let probes = 0;
    const sendsWhileDown: string[] = [];
    const w = aWorker({
      concurrency: 2,
      // Per-order retries are far away: only the recovery can make them due soon.
      backoff: { baseMs: 3_600_000, maxMs: 3_600_000, factor: 2, jitter: 'none' },
      probeBackoff: fast,
      send: async (d): Promise<SendOutcome> => {
        if (!peerUp) {
          sendsWhileDown.push(d.id);
          return { ok: false, kind: 'transient', code: 'RLS_PKI_UNTRUSTED' };
        }
        return { ok: true };
      },
      probe: async () => { probes++; return peerUp; },
    });
    w.start();
    await waitFor('the peer seen down and probed several times', () => probes >= 5);
    const down = w.status().peer;
    assert.equal(down.healthy, false);
    assert.equal(!down.healthy && down.lastError, 'probe_failed');
    assert.ok(sendsWhileDown.length <= 2, `at most one batch is tried against a down peer (got ${sendsWhileDown.length})`);
    const waiting = await states(ctx);
    assert.ok(ids.every((id) => ['pending', 'retry_wait'].includes(waiting[id]!.state)), 'the orders wait in the store');
    peerUp = true; // the DMP is back: nothing else is called
    await waitFor('all drained', () => allIn(ctx, ids, 'done'));
    assert.equal(w.status().peer.healthy, true);
  });

  it('without a probe, retries one order alone after the back-off and drains the rest once it goes through', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await aDelivery(ctx));
    let peerUp = false;
    let concurrent = 0;
    let maxConcurrentWhileRecovering = 0;
    let failures = 0;
    const w = aWorker({
      concurrency: 4,
      backoff: { baseMs: 3_600_000, maxMs: 3_600_000, factor: 2, jitter: 'none' },
      probeBackoff: fast,
      send: async (): Promise<SendOutcome> => {
        concurrent++;
        try {
          if (failures > 0 && !peerUp) maxConcurrentWhileRecovering = Math.max(maxConcurrentWhileRecovering, concurrent);
          await Promise.resolve();
          if (!peerUp) {
            failures++;
            return { ok: false, kind: 'transient', code: 'ETIMEDOUT' };
          }
          return { ok: true };
        } finally {
          concurrent--;
        }
      },
    });
    w.start();
    await waitFor('several recoveries tried', () => failures >= 8);
    assert.equal(maxConcurrentWhileRecovering, 1);
    peerUp = true;
    await waitFor('all drained', () => allIn(ctx, ids, 'done'));
  });

  it('wakes on notify() instead of waiting for the next poll', async () => {
    const w = aWorker({ pollMs: 3_600_000, send: async () => ({ ok: true }) });
    w.start();
    await waitFor('the worker idle', () => w.status().running);
    const id = await aDelivery(ctx);
    w.notify();
    await waitFor('done', () => allIn(ctx, [id], 'done'), 5_000);
  });

  it('resumes after a stop in the middle of a drain: done orders are not sent again, the abandoned one is', async () => {
    const [a, b, c] = [await aDelivery(ctx), await aDelivery(ctx), await aDelivery(ctx)];
    let started: () => void;
    const bStarted = new Promise<void>((r) => { started = r; });
    const first = aWorker({
      concurrency: 1,
      send: (d, { signal }) => {
        if (d.id !== b) return Promise.resolve({ ok: true });
        started();
        // Never answers: only the stop's abort ends it.
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    });
    first.start();
    await bStarted;
    await first.stop({ timeoutMs: 20 });
    const mid = await states(ctx);
    assert.deepEqual([mid[a]?.state, mid[b]?.state, mid[c]?.state], ['done', 'in_flight', 'pending']);

    const sent: string[] = [];
    // The restarted node's clock is past the abandoned lease.
    const second = aWorker({ now: () => new Date(Date.now() + 120_000), send: async (d) => { sent.push(d.id); return { ok: true }; } });
    second.start();
    await waitFor('all done', () => allIn(ctx, [a, b, c], 'done'));
    assert.deepEqual([...sent].sort(), [b, c].sort());
    assert.equal((await states(ctx))[b]?.attempts, 2);
  });

  it('lets the sends in progress finish when stopping within the time limit', async () => {
    const id = await aDelivery(ctx);
    let finish!: (o: SendOutcome) => void;
    let started!: () => void;
    const isStarted = new Promise<void>((r) => { started = r; });
    const w = aWorker({ send: () => new Promise<SendOutcome>((r) => { finish = r; started(); }) });
    w.start();
    await isStarted;
    const stopping = w.stop({ timeoutMs: 10_000 });
    assert.equal(w.stop(), stopping, 'stop() is idempotent');
    finish({ ok: true });
    await stopping;
    assert.equal((await states(ctx))[id]?.state, 'done');
    assert.throws(() => w.start(), (e: unknown) => isRelaisError(e) && e.code === 'RLS_BUG');
  });

  it('never sends a replacement before the publication it replaces is settled', async () => {
    const setId = '1.2.250.1.999^SET-ORDER';
    const publish = await aDelivery(ctx, { setId, documentId: '1.2.250.1.999^V1' });
    const replace = await aDelivery(ctx, { setId, documentId: '1.2.250.1.999^V2', parentDocumentId: '1.2.250.1.999^V1', action: 'replace' });
    let publishTries = 0;
    let publishStateWhenReplaceSent: DeliveryState | undefined;
    const w = aWorker({
      concurrency: 4,
      send: async (d: ClaimedDelivery): Promise<SendOutcome> => {
        if (d.id === publish) {
          return ++publishTries < 3 ? { ok: false, kind: 'transient', code: '503', scope: 'delivery' } : { ok: true };
        }
        publishStateWhenReplaceSent = (await states(ctx))[publish]?.state;
        return { ok: true };
      },
    });
    w.start();
    await waitFor('both done', () => allIn(ctx, [publish, replace], 'done'));
    assert.equal(publishTries, 3);
    assert.equal(publishStateWhenReplaceSent, 'done');
  });

  it('aborts a send that outlives its time limit and retries it', async () => {
    const id = await aDelivery(ctx);
    let calls = 0;
    const w = aWorker({
      leaseMs: 1_000,
      sendTimeoutMs: 20,
      send: (_d, { signal }) => (++calls === 1
        ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))
        : Promise.resolve({ ok: true })),
    });
    w.start();
    await waitFor('done', () => allIn(ctx, [id], 'done'));
    const attempts = await listAttempts(ctx.store.db, id);
    assert.deepEqual(attempts.map((a) => [a.outcome, a.errorCode]), [['transient', 'send_timeout'], ['success', null]]);
  });

  it('calls onSettled once per delivery on done and on dead, never on a retry', async () => {
    const ok = await aDelivery(ctx);
    const refused = await aDelivery(ctx);
    const settled: [string, boolean][] = [];
    let calls = 0;
    const w = aWorker({
      concurrency: 1,
      send: async (d) => {
        if (d.id === ok) return ++calls === 1 ? { ok: false, kind: 'transient', code: 'x', scope: 'delivery' } : { ok: true };
        return { ok: false, kind: 'permanent', code: 'DMPClosed' };
      },
      onSettled: async (d, outcome) => { settled.push([d.id, outcome.ok]); },
    });
    w.start();
    await waitFor('settled', () => allIn(ctx, [ok], 'done').then(async (a) => a && allIn(ctx, [refused], 'dead')));
    assert.deepEqual(settled.sort(), [[ok, true], [refused, false]].sort());
  });

  it('rolls the final state back when onSettled throws', async () => {
    const id = await aDelivery(ctx);
    let hooks = 0;
    const w = aWorker({
      leaseMs: 60_000,
      send: async () => ({ ok: true }),
      onSettled: async () => { hooks += 1; throw new Error('outbox unavailable'); },
    });
    w.start();
    await waitFor('hook called', () => hooks > 0);
    await w.stop({ timeoutMs: 1000 });
    assert.equal((await states(ctx))[id]?.state, 'in_flight');
  });

  it('refuses options that could send twice or never', () => {
    const send = async (): Promise<SendOutcome> => ({ ok: true });
    const bad = (o: Partial<DeliveryWorkerOptions>) => () => new DeliveryWorker({ store: ctx.store, kind: 'dmp', send, backoff: fast, concurrency: 1, pollMs: 10, leaseMs: 1_000, ...o });
    const config = (e: unknown) => isRelaisError(e) && e.code === 'RLS_CONFIG_INVALID';
    assert.throws(bad({ sendTimeoutMs: 1_000 }), config);
    assert.throws(bad({ concurrency: 0 }), config);
    assert.throws(bad({ maxAttempts: 0 }), config);
    assert.throws(bad({ backoff: { baseMs: 10, maxMs: 5, factor: 2, jitter: 'full' } }), config);
  });
});
