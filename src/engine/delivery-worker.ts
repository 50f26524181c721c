/**
 * Sends the deliveries of one destination kind (DMP, MSSanté, DPI), whatever the protocol: the protocol
 * lives in `send`. Claim → send → done, retry later, or dead; the store is the truth, so a node that
 * stops or dies mid-drain resumes where it was (ARCHITECTURE.md "The store is the spine").
 *
 * When the peer fails transiently (network cut, certificate expired, maintenance), the worker stops
 * claiming and probes with back-off; the orders wait in the store. When the probe succeeds it drains
 * them with no user action (requirements §1.4, SC.DMP/ALI/PROG.06 and .07).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { RelaisError, isRelaisError } from '../domain/index.js';
import type { DestinationKind } from '../domain/index.js';
import {
  claimDue, expediteRetries, markDead, markDone, markRetry, reclaimExpiredLeases, recordAttempt, toStoreError,
} from '../store/index.js';
import type { AttemptOutcome, ClaimedDelivery, Store } from '../store/index.js';
import { backoffDelay, checkBackoff } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { PeerHealth } from './peer-health.js';
import type { PeerStatus } from './peer-health.js';

/**
 * What a sender reports. `transient`: try again later (network, TLS, 5xx, timeout, maintenance fault);
 * `permanent`: the peer refused this order for good (opposition, bad metadata). `code` is a RelaisError
 * code or the peer's code, never patient data. A transient failure takes the peer down unless `scope`
 * says it concerns this delivery only (e.g. one MSSanté mailbox over quota).
 */
export type SendOutcome =
  | { ok: true; peerAnswer?: string }
  | { ok: false; kind: 'transient' | 'permanent'; code: string; peerAnswer?: string; scope?: 'peer' | 'delivery' };

/** Must honour `signal`: it fires when the lease nears its end or when a stop gives up waiting. */
export type Sender = (delivery: ClaimedDelivery, o: { signal: AbortSignal }) => Promise<SendOutcome>;
/** Resolves true when the peer is reachable and usable (e.g. a cheap authenticated request). */
export type PeerProbe = (signal: AbortSignal) => Promise<boolean>;

export interface DeliveryWorkerOptions {
  store: Store;
  kind: DestinationKind;
  send: Sender;
  /** Without a probe, the worker retries one order at a time until one goes through. */
  probe?: PeerProbe;
  log?: Logger;
  /** Between two tries of one delivery. */
  backoff: BackoffPolicy;
  /** Between two probes of a peer that is down; default: `backoff`. */
  probeBackoff?: BackoffPolicy;
  /** Dead after this many tries that failed transiently; default: never (orders wait for the peer). */
  maxAttempts?: number;
  /** Dead when a transient failure happens this long after the order was created; default: never. */
  maxAgeMs?: number;
  /** Sends in progress at once. */
  concurrency: number;
  /** How often the store is asked for due orders when nothing wakes the worker. */
  pollMs: number;
  /** How long a claim holds; a node that dies leaves its orders to others after this. */
  leaseMs: number;
  /** A send still running then is aborted and counted as a transient failure; default 90 % of leaseMs. */
  sendTimeoutMs?: number;
  /** Names the claims in the store; default host:pid:random. */
  workerId?: string;
  now?: () => Date;
  random?: () => number;
  /**
   * Called when a delivery reaches done or dead, in the transaction that writes that state (after the
   * write), so what it records (e.g. a ZAM outbox row) exists exactly when the final state does. A throw
   * rolls the outcome back: the lease expires and the delivery is sent again (senders are idempotent).
   */
  onSettled?: (delivery: ClaimedDelivery, outcome: SendOutcome, db: Store['db']) => Promise<void>;
  /** Called after that transaction has committed (e.g. to wake the sender of what onSettled queued). */
  afterSettled?: (delivery: ClaimedDelivery, outcome: SendOutcome) => void;
}

/** The worker's own failure codes (a sender's codes are its own). */
export const workerFailureCodes = {
  /** The send outlived its time limit. */
  sendTimeout: 'send_timeout',
  /** The sender threw instead of answering an outcome. */
  sendThrew: 'send_threw',
  /** The probe threw. */
  probeThrew: 'probe_threw',
  /** The probe answered false. */
  probeFailed: 'probe_failed',
} as const;

export interface DeliveryWorkerStatus {
  readonly kind: DestinationKind;
  readonly workerId: string;
  readonly running: boolean;
  readonly inFlight: number;
  readonly peer: PeerStatus;
}

export class DeliveryWorker {
  readonly kind: DestinationKind;
  readonly workerId: string;
  readonly #o: DeliveryWorkerOptions;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #sendTimeoutMs: number;
  readonly #health: PeerHealth;
  readonly #tasks = new Set<Promise<void>>();
  readonly #sendAbort = new AbortController();
  readonly #probeAbort = new AbortController();
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #stopRequested = false;
  /** Set when a stop gave up on the sends in progress: their late answers are not written. */
  #abandoned = false;
  /** After a peer came back without a probe: one order at a time until one succeeds. */
  #canary = false;
  /** Failed probes and failed recoveries since the last successful send: drives the probe back-off. */
  #outageRounds = 0;
  #lastReclaim = Number.NEGATIVE_INFINITY;
  #wake: (() => void) | undefined;
  #wakeOnNotify = false;
  #notified = false;

  constructor(o: DeliveryWorkerOptions) {
    checkBackoff(o.backoff, 'backoff');
    if (o.probeBackoff) checkBackoff(o.probeBackoff, 'probeBackoff');
    for (const [key, v] of [['concurrency', o.concurrency], ['pollMs', o.pollMs], ['leaseMs', o.leaseMs]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new RelaisError('RLS_CONFIG_INVALID', `${key} must be a positive integer`, { key });
    }
    if (o.maxAttempts !== undefined && (!Number.isSafeInteger(o.maxAttempts) || o.maxAttempts < 1)) {
      throw new RelaisError('RLS_CONFIG_INVALID', 'maxAttempts must be a positive integer', { key: 'maxAttempts' });
    }
    if (o.maxAgeMs !== undefined && !(o.maxAgeMs > 0)) {
      throw new RelaisError('RLS_CONFIG_INVALID', 'maxAgeMs must be positive', { key: 'maxAgeMs' });
    }
    this.#sendTimeoutMs = o.sendTimeoutMs ?? Math.max(1, Math.floor(o.leaseMs * 0.9));
    if (!(this.#sendTimeoutMs > 0 && this.#sendTimeoutMs < o.leaseMs)) {
      // A send that outlives its lease could be claimed and sent a second time by another worker.
      throw new RelaisError('RLS_CONFIG_INVALID', 'sendTimeoutMs must be positive and shorter than leaseMs', { key: 'sendTimeoutMs' });
    }
    this.#o = o;
    this.kind = o.kind;
    this.workerId = o.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#now = o.now ?? (() => new Date());
    this.#random = o.random ?? Math.random;
    this.#log = (o.log ?? silentLogger).child({ component: 'delivery-worker', kind: o.kind, worker: this.workerId });
    this.#health = new PeerHealth(this.#now());
  }

  /** Starts the loop. Calling it again while running does nothing; a stopped worker cannot restart. */
  start(): void {
    if (this.#stopping) throw new RelaisError('RLS_BUG', 'a stopped delivery worker cannot be started again', { kind: this.kind });
    if (this.#loop) return;
    this.#log.info({ concurrency: this.#o.concurrency }, 'delivery worker started');
    this.#loop = this.#run();
  }

  /** New orders may be due: claim now rather than at the next poll. Polling stays the truth. */
  notify(): void {
    this.#notified = true;
    if (this.#wakeOnNotify) this.#wake?.();
  }

  status(): DeliveryWorkerStatus {
    return {
      kind: this.kind, workerId: this.workerId, running: this.#loop !== undefined && !this.#stopRequested,
      inFlight: this.#tasks.size, peer: this.#health.status(),
    };
  }

  /**
   * Stops claiming, lets the sends in progress finish within `timeoutMs`, then aborts them; their
   * leases expire and the next start sends them again. Every call returns the same promise.
   */
  stop(o: { timeoutMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#shutdown(o.timeoutMs ?? 10_000);
    return this.#stopping;
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#stopRequested = true;
    this.#probeAbort.abort();
    this.#wake?.();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
    try {
      const loopEnded = await Promise.race([(this.#loop ?? Promise.resolve()).then(() => 'done' as const), deadline]);
      const sendsEnded = loopEnded === 'done'
        ? await Promise.race([Promise.allSettled([...this.#tasks]).then(() => 'done' as const), deadline])
        : 'timeout';
      if (sendsEnded === 'timeout') {
        this.#abandoned = true;
        this.#sendAbort.abort();
        this.#log.warn({ inFlight: this.#tasks.size, timeoutMs }, 'stopped with sends in progress: they will be sent again after their lease expires');
      }
    } finally {
      clearTimeout(timer);
    }
    this.#log.info({}, 'delivery worker stopped');
  }

  async #run(): Promise<void> {
    let storeFailures = 0;
    while (!this.#stopRequested) {
      try {
        await this.#reclaimExpired();
        // Checked after the await above: a send may have found the peer down meanwhile.
        if (!this.#health.healthy) {
          await this.#recover();
          continue;
        }
        const limit = this.#canary
          ? (this.#tasks.size === 0 ? 1 : 0)
          : this.#o.concurrency - this.#tasks.size;
        let claimed = 0;
        if (limit > 0) {
          const batch = await claimDue(this.#o.store.db, {
            kind: this.kind, limit, workerId: this.workerId, leaseMs: this.#o.leaseMs, now: this.#now(),
          });
          for (const c of batch) this.#launch(c);
          claimed = batch.length;
        }
        storeFailures = 0;
        // A full batch means more may be due: claim again as soon as a slot is free.
        if (claimed > 0 && claimed === limit && this.#tasks.size < this.#o.concurrency && !this.#canary) continue;
        await this.#wait(this.#o.pollMs, true);
      } catch (e) {
        storeFailures += 1;
        const err = isRelaisError(e) ? e : toStoreError(e);
        this.#log.warn({ code: err.code, err: err.message, failures: storeFailures }, 'delivery queue unavailable: waiting');
        await this.#wait(Math.max(this.#o.pollMs, backoffDelay(this.#o.backoff, storeFailures, this.#random)), false);
      }
    }
  }

  /** The peer is down: wait, probe, and when it answers make the waiting orders due now. */
  async #recover(): Promise<void> {
    const policy = this.#o.probeBackoff ?? this.#o.backoff;
    await this.#wait(backoffDelay(policy, this.#outageRounds, this.#random), false);
    // Let the sends still in progress write their outcome first: a retry written after the recovery
    // would otherwise keep its far-off time and miss the drain.
    if (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
    if (this.#stopRequested) return;
    if (this.#o.probe) {
      let ok = false;
      let code: string = workerFailureCodes.probeFailed;
      try {
        ok = await this.#o.probe(this.#probeAbort.signal);
      } catch (e) {
        code = isRelaisError(e) ? e.code : workerFailureCodes.probeThrew;
      }
      if (this.#stopRequested) return;
      if (!ok) {
        this.#outageRounds += 1;
        this.#health.probeFailed(code);
        this.#log.debug({ code, failedProbes: this.#health.failedProbes }, 'peer still unreachable');
        return;
      }
    } else {
      // No probe: the next order is the probe, alone, until one goes through.
      this.#canary = true;
    }
    this.#health.markUp(this.#now());
    const due = await expediteRetries(this.#o.store.db, { kind: this.kind, now: this.#now() });
    this.#log.info({ retriesMadeDue: due, probed: this.#o.probe !== undefined }, 'peer reachable again: draining the waiting orders');
  }

  async #reclaimExpired(): Promise<void> {
    const now = this.#now();
    if (now.getTime() - this.#lastReclaim < this.#o.pollMs) return;
    this.#lastReclaim = now.getTime();
    const n = await reclaimExpiredLeases(this.#o.store.db, { kind: this.kind, now });
    if (n > 0) this.#log.warn({ deliveries: n }, 'took back deliveries whose lease expired (a node stopped or died mid-send)');
  }

  #launch(c: ClaimedDelivery): void {
    const task: Promise<void> = this.#deliver(c)
      .catch((e: unknown) => {
        const err = isRelaisError(e) ? e : toStoreError(e);
        // The delivery stays in_flight; its lease expires and it is sent again (senders are idempotent).
        this.#log.error({ delivery: c.id, code: err.code, err: err.message }, 'could not record the outcome of a send');
      })
      .finally(() => {
        this.#tasks.delete(task);
        if (this.#wakeOnNotify) this.#wake?.();
        else this.#notified = true;
      });
    this.#tasks.add(task);
  }

  async #deliver(c: ClaimedDelivery): Promise<void> {
    const startedAt = this.#now();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#sendTimeoutMs);
    const signal = AbortSignal.any([this.#sendAbort.signal, timeout.signal]);
    let outcome: SendOutcome;
    try {
      outcome = await this.#o.send(c, { signal });
    } catch (e) {
      if (this.#sendAbort.signal.aborted) return;
      if (timeout.signal.aborted) {
        outcome = { ok: false, kind: 'transient', code: workerFailureCodes.sendTimeout };
      } else {
        const thrown = thrownOutcome(e);
        outcome = thrown;
        this.#log.error({ delivery: c.id, code: thrown.code, err: e instanceof Error ? e.message : String(e) }, 'the sender threw');
      }
    } finally {
      clearTimeout(timer);
    }
    if (this.#abandoned) return;
    await this.#settle(c, outcome, startedAt);
  }

  async #settle(c: ClaimedDelivery, outcome: SendOutcome, startedAt: Date): Promise<void> {
    const now = this.#now();
    const lease = { claimedBy: c.claimedBy, attemptCount: c.attemptCount };
    const log = this.#log.child({ delivery: c.id, attempt: c.attemptCount });
    let attemptOutcome: AttemptOutcome;
    let write: (db: Store['db']) => Promise<number>;
    let final = true;
    if (outcome.ok) {
      this.#outageRounds = 0;
      if (this.#canary) {
        this.#canary = false;
        log.info({}, 'peer answers again');
      }
      attemptOutcome = 'success';
      write = (db) => markDone(db, c.id, { lease, now });
    } else {
      const tooOld = this.#o.maxAgeMs !== undefined && now.getTime() - c.createdAt.getTime() >= this.#o.maxAgeMs;
      const exhausted = this.#o.maxAttempts !== undefined && c.attemptCount >= this.#o.maxAttempts;
      const code = outcome.code;
      attemptOutcome = outcome.kind;
      if (outcome.kind === 'transient' && outcome.scope !== 'delivery') this.#peerDown(code, now);
      if (outcome.kind === 'permanent' || tooOld || exhausted) {
        const why = outcome.kind === 'permanent' ? 'refused' : exhausted ? 'max_attempts' : 'max_age';
        log.warn({ code, why }, 'delivery dead');
        write = (db) => markDead(db, c.id, code, { lease, now });
      } else {
        const next = new Date(now.getTime() + backoffDelay(this.#o.backoff, c.attemptCount, this.#random));
        final = false;
        log.info({ code, nextAttemptAt: next.toISOString() }, 'delivery will be retried');
        write = (db) => markRetry(db, c.id, next, code, { lease, now });
      }
    }
    const moved = await this.#o.store.transaction(async (tx) => {
      await recordAttempt(tx, {
        deliveryId: c.id, startedAt, finishedAt: now, outcome: attemptOutcome,
        peerAnswer: outcome.peerAnswer ?? null, errorCode: outcome.ok ? null : outcome.code,
      });
      const n = await write(tx);
      if (n > 0 && final && this.#o.onSettled) await this.#o.onSettled(c, outcome, tx);
      return n;
    });
    if (moved === 0) log.warn({}, 'the lease was lost before the outcome was written (another worker owns the delivery now)');
    else if (outcome.ok) log.info({}, 'delivered');
    if (moved > 0 && final) this.#o.afterSettled?.(c, outcome);
  }

  #peerDown(code: string, now: Date): void {
    this.#canary = false;
    if (this.#health.markDown(code, now)) {
      this.#outageRounds += 1;
      this.#log.warn({ code }, 'peer unreachable: orders wait in the store until it answers again');
    }
  }

  /** Waits `ms`, or less when stopping, or when `notifiable` and notify() or a finished send says so. */
  #wait(ms: number, notifiable: boolean): Promise<void> {
    if (this.#stopRequested) return Promise.resolve();
    if (notifiable && this.#notified) {
      this.#notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        this.#wakeOnNotify = false;
        if (notifiable) this.#notified = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
      this.#wakeOnNotify = notifiable;
    });
  }
}

function thrownOutcome(e: unknown): SendOutcome & { ok: false } {
  if (isRelaisError(e)) {
    // An expired certificate (config) or an unreachable peer: wait (SC.DMP/ALI/PROG.06). Bad input: dead.
    const permanent = e.kind === 'input' || e.kind === 'peer_permanent' || e.kind === 'bug';
    return { ok: false, kind: permanent ? 'permanent' : 'transient', code: e.code };
  }
  // A sender must answer an outcome; one that throws has a bug, and looping on it would not help.
  return { ok: false, kind: 'permanent', code: workerFailureCodes.sendThrew };
}
