/**
 * Writes the SMTP/IMAP functional traces (SC.MSS/CONF.17/18) to the store in batches: the transports call the
 * sink synchronously on their hot path, and one INSERT per batch keeps that cheap. A trace that cannot be written
 * is logged, never allowed to break a send; the retention purge runs from here too.
 */
import type { MssTrace } from '../mss/index.js';
import { insertMssTraces, purgeMssTraces, type MssTraceEntry, type Store } from '../store/index.js';
import { silentLogger, type Logger } from './logger.js';

export interface TraceWriterOptions {
  store: Store;
  /** Traces older than this are deleted (default 6 months, digest §A9). */
  retentionDays: number;
  flushMs?: number;
  maxBatch?: number;
  /** How often the purge runs. */
  purgeEveryMs?: number;
  log?: Logger;
}

/** Beyond this many unwritten traces (a store down for long), the oldest are dropped and counted. */
const MAX_PENDING = 50_000;

export class TraceWriter {
  readonly #o: TraceWriterOptions;
  readonly #log: Logger;
  #pending: MssTraceEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #purgeTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #dropped = 0;
  #closed = false;

  constructor(o: TraceWriterOptions) {
    this.#o = o;
    this.#log = (o.log ?? silentLogger).child({ component: 'mss-traces' });
    const every = o.purgeEveryMs ?? 6 * 3600_000;
    this.#purgeTimer = setInterval(() => void this.purge(), every);
    this.#purgeTimer.unref();
  }

  /** The sink the transports call. */
  readonly sink = (t: MssTrace): void => {
    if (this.#closed) return;
    this.#pending.push({
      at: t.at, actor: t.actor, protocol: t.protocol, action: t.action, request: t.request,
      response: t.failure ? `${t.response}\n[${t.failure}]` : t.response, ok: t.ok,
      mailMessageId: t.messageId ?? null, durationMs: t.durationMs,
    });
    if (this.#pending.length > MAX_PENDING) {
      this.#dropped += this.#pending.length - MAX_PENDING;
      this.#pending.splice(0, this.#pending.length - MAX_PENDING);
    }
    if (this.#pending.length >= (this.#o.maxBatch ?? 200)) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#o.flushMs ?? 250);
  };

  /** Writes what is pending; resolves when it is in the store (or has failed and been logged). */
  flush(): Promise<void> {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    this.#flushing = this.#flushing.then(async () => {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#o.maxBatch ?? 200);
        try {
          await insertMssTraces(this.#o.store.db, batch);
        } catch (e) {
          // Put them back for the next flush; the store may be restarting.
          this.#pending.unshift(...batch);
          this.#log.error({ error: String(e), pending: this.#pending.length }, 'cannot write MSSanté traces');
          if (!this.#closed) this.#timer ??= setTimeout(() => void this.flush(), 5_000);
          return;
        }
      }
      if (this.#dropped > 0) {
        this.#log.error({ dropped: this.#dropped }, 'MSSanté traces dropped: the store refused them for too long');
        this.#dropped = 0;
      }
    });
    return this.#flushing;
  }

  async purge(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.#o.retentionDays * 86_400_000);
    try {
      const n = await purgeMssTraces(this.#o.store.db, before);
      if (n > 0) this.#log.info({ deleted: n, before: before.toISOString() }, 'MSSanté traces past their retention deleted');
      return n;
    } catch (e) {
      this.#log.error({ error: String(e) }, 'cannot purge MSSanté traces');
      return 0;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#purgeTimer) clearInterval(this.#purgeTimer);
  }
}
