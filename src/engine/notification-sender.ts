/**
 * Sends the notification outbox to the DPI over MLLP: ZAM business acks (volet A §2.8) and the MDMs of
 * inbound MSSanté documents (volet B). Claim → send → done when the DPI's answer is an acceptance (`judge`),
 * dead when it is a final refusal, else retry with back-off, dead after `maxAttempts`. The store is the truth: a node that stops mid-send leaves the row in_flight and its
 * lease expiry hands it back. Without an endpoint nothing is claimed and the notifications wait. Whether the DPI
 * answers is kept as a PeerHealth from the sends themselves: any ACK means up, a transport failure means down.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { RelaisError, isRelaisError } from '../domain/index.js';
import { MllpClient, parseEr7 } from '../hl7/index.js';
import {
  claimDueNotifications, markNotificationDead, markNotificationDone, markNotificationRetry, toStoreError,
  type ClaimedNotification, type Store,
} from '../store/index.js';
import { backoffDelay, checkBackoff, type BackoffPolicy } from './backoff.js';
import { silentLogger, type Logger } from './logger.js';
import { PeerHealth, type PeerStatus } from './peer-health.js';

export interface NotificationSenderOptions {
  store: Store;
  /** The DPI MLLP listener; undefined = notifications wait in the store. */
  endpoint: { host: string; port: number } | undefined;
  ackTimeoutMs: number;
  connectTimeoutMs?: number;
  backoff: BackoffPolicy;
  /** Dead after this many tries. */
  maxAttempts: number;
  pollMs: number;
  leaseMs: number;
  /** Claimed per round; sent one after the other on one connection (original mode). */
  batchSize?: number;
  workerId?: string;
  log?: Logger;
  now?: () => Date;
  random?: () => number;
  /**
   * How the DPI's answer settles a notification, by kind; default `judgeZamAck` (AA/CA → done, anything else →
   * retry). Volet B MDMs are judged by readVoletBAck: a refusal or a technical error is final.
   */
  judge?: (n: ClaimedNotification, ack: Buffer) => AckVerdict;
  /** Called after a notification reached done or dead (e.g. to wake what waits for it). */
  afterSettled?: (n: ClaimedNotification) => void;
}

/** The DPI as the sender last saw it; `contacted` is false until a first send has ended (nothing to send yet). */
export interface NotificationSenderStatus {
  readonly peer: PeerStatus;
  readonly contacted: boolean;
}

export type AckVerdict = { verdict: 'done' } | { verdict: 'final'; code: string } | { verdict: 'retry'; code: string };

/** ZAM business acks (volet A §2.7): only AA/CA with MSA-2 = the ZAM's MSH-10 is an acceptance. */
export function judgeZamAck(n: ClaimedNotification, ack: Buffer): AckVerdict {
  const refusal = ackRefusal(ack, n.controlId);
  return refusal === undefined ? { verdict: 'done' } : { verdict: 'retry', code: refusal };
}

/** host:port (IPv6 in brackets) as the configuration writes endpoints; undefined when empty. `key` names it in errors. */
export function parseEndpoint(s: string, key = 'dpi.endpoint'): { host: string; port: number } | undefined {
  if (s.trim() === '') return undefined;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:]+)):(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new RelaisError('RLS_CONFIG_INVALID', `${key} must be host:port`, { key });
  }
  return { host: m[1] ?? m[2] ?? '', port };
}

/** Why an answer is not an acceptance; undefined when it is one. Never quotes the message. */
export function ackRefusal(ack: Buffer, controlId: string): string | undefined {
  let code: string;
  let ref: string;
  try {
    const msa = parseEr7(ack).segment('MSA');
    if (!msa) return 'ack_without_msa';
    code = msa.get(1);
    ref = msa.get(2);
  } catch {
    return 'ack_unparsable';
  }
  // §2.7: AA = taken in charge; AE/AR (or CE/CR) = not, resend later.
  if (code !== 'AA' && code !== 'CA') return `ack_${code || 'empty'}`;
  if (ref !== controlId) return 'ack_msa2_mismatch';
  return undefined;
}

export class NotificationSender {
  readonly workerId: string;
  readonly #o: NotificationSenderOptions;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #client: MllpClient | undefined;
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #stopRequested = false;
  #wake: (() => void) | undefined;
  #notified = false;
  readonly #health: PeerHealth;

  constructor(o: NotificationSenderOptions) {
    checkBackoff(o.backoff, 'backoff');
    for (const [key, v] of [['maxAttempts', o.maxAttempts], ['pollMs', o.pollMs], ['leaseMs', o.leaseMs], ['ackTimeoutMs', o.ackTimeoutMs]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new RelaisError('RLS_CONFIG_INVALID', `${key} must be a positive integer`, { key });
    }
    if (o.ackTimeoutMs + (o.connectTimeoutMs ?? o.ackTimeoutMs) >= o.leaseMs) {
      // A send that outlives its lease could be claimed and sent a second time.
      throw new RelaisError('RLS_CONFIG_INVALID', 'leaseMs must outlast the connect and ACK time limits', { key: 'leaseMs' });
    }
    this.#o = o;
    this.workerId = o.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#log = (o.log ?? silentLogger).child({ component: 'notification-sender', worker: this.workerId });
    this.#now = o.now ?? (() => new Date());
    this.#random = o.random ?? Math.random;
    this.#health = new PeerHealth(this.#now());
    this.#client = o.endpoint && new MllpClient({
      host: o.endpoint.host, port: o.endpoint.port, ackTimeoutMs: o.ackTimeoutMs,
      connectTimeoutMs: o.connectTimeoutMs ?? o.ackTimeoutMs, log: this.#log,
    });
  }

  start(): void {
    if (this.#stopping) throw new RelaisError('RLS_BUG', 'a stopped notification sender cannot be started again', {});
    if (this.#loop) return;
    if (!this.#client) {
      this.#log.warn({}, 'dpi.endpoint is empty: ZAM notifications stay pending until it is set');
      return;
    }
    this.#loop = this.#run();
  }

  status(): NotificationSenderStatus {
    return { peer: this.#health.status(), contacted: this.#health.contacted };
  }

  /** New notifications may be due: claim now rather than at the next poll. */
  notify(): void {
    this.#notified = true;
    this.#wake?.();
  }

  /** Stops claiming; a send in progress gets `timeoutMs`, then is aborted (its lease hands it back later). */
  stop(o: { timeoutMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#shutdown(o.timeoutMs ?? 5000);
    return this.#stopping;
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#stopRequested = true;
    this.#wake?.();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
    try {
      const ended = await Promise.race([(this.#loop ?? Promise.resolve()).then(() => 'done' as const), deadline]);
      if (ended === 'timeout') {
        this.#abort.abort();
        await this.#loop?.catch(() => undefined);
      }
    } finally {
      clearTimeout(timer);
      await this.#client?.close();
    }
  }

  async #run(): Promise<void> {
    let storeFailures = 0;
    while (!this.#stopRequested) {
      try {
        this.#notified = false;
        const batch = await claimDueNotifications(this.#o.store.db, {
          limit: this.#o.batchSize ?? 10, workerId: this.workerId, leaseMs: this.#o.leaseMs, now: this.#now(),
        });
        storeFailures = 0;
        for (const n of batch) {
          if (this.#abort.signal.aborted) break;
          await this.#send(n);
        }
        if (batch.length > 0 && !this.#stopRequested) continue;
        await this.#wait(this.#o.pollMs);
      } catch (e) {
        storeFailures += 1;
        const err = isRelaisError(e) ? e : toStoreError(e);
        this.#log.warn({ code: err.code, err: err.message, failures: storeFailures }, 'notification outbox unavailable: waiting');
        await this.#wait(Math.max(this.#o.pollMs, backoffDelay(this.#o.backoff, storeFailures, this.#random)));
      }
    }
  }

  async #send(n: ClaimedNotification): Promise<void> {
    const client = this.#client;
    if (!client) return;
    const log = this.#log.child({ notification: n.id, kind: n.kind, attempt: n.attemptCount });
    let ack: Buffer | undefined;
    let failure: string | undefined;
    let final = false;
    try {
      ack = await client.send(n.payload, { signal: this.#abort.signal });
      // Any answer, AE/AR included, means the DPI is there.
      this.#peerUp();
      const v = (this.#o.judge ?? judgeZamAck)(n, ack);
      if (v.verdict !== 'done') failure = v.code;
      final = v.verdict === 'final';
    } catch (e) {
      // Aborted by a stop: the lease hands the notification back later.
      if (this.#abort.signal.aborted) return;
      failure = isRelaisError(e) ? e.code : 'send_failed';
      this.#peerDown(failure);
    }
    const lease = { claimedBy: n.claimedBy, attemptCount: n.attemptCount };
    const now = this.#now();
    const db = this.#o.store.db;
    let moved: number;
    if (failure === undefined && ack) {
      moved = await markNotificationDone(db, n.id, ack, { lease, now });
      log.info({}, 'notification acknowledged by the DPI');
    } else if (final) {
      moved = await markNotificationDead(db, n.id, failure ?? 'unknown', { lease, now, ...(ack ? { ack } : {}) });
      log.warn({ code: failure }, 'notification refused by the DPI for good');
    } else if (n.attemptCount >= this.#o.maxAttempts) {
      moved = await markNotificationDead(db, n.id, failure ?? 'unknown', { lease, now, ...(ack ? { ack } : {}) });
      log.warn({ code: failure }, 'notification dead: tries exhausted');
    } else {
      const next = new Date(now.getTime() + backoffDelay(this.#o.backoff, n.attemptCount, this.#random));
      moved = await markNotificationRetry(db, n.id, next, failure ?? 'unknown', { lease, now, ...(ack ? { ack } : {}) });
      log.info({ code: failure, nextAttemptAt: next.toISOString() }, 'notification will be sent again');
    }
    if (moved === 0) log.warn({}, 'the lease was lost before the outcome was written');
    else if (failure === undefined || final || n.attemptCount >= this.#o.maxAttempts) this.#o.afterSettled?.(n);
  }

  #peerUp(): void {
    if (this.#health.markUp(this.#now())) this.#log.info({}, 'the DPI answers again');
  }

  #peerDown(code: string): void {
    if (this.#health.markFailure(code, this.#now())) this.#log.warn({ code }, 'the DPI does not answer');
  }

  #wait(ms: number): Promise<void> {
    if (this.#stopRequested) return Promise.resolve();
    if (this.#notified) {
      this.#notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => { this.#wake = undefined; done(); };
    });
  }
}
