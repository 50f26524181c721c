/**
 * N3 renderings off the main thread: a few worker threads run `renderN3` (XML reading and pdfkit drawing, CPU
 * work that is synchronous in long stretches), so the node keeps answering MLLP frames, the console and its other
 * I/O while a long document is drawn.
 *
 * - Calls beyond the threads wait in a bounded queue, in order; a waiting call holds only references to the
 *   caller's data (the CDA is copied when its turn comes, and transferred, not cloned).
 * - A RelaisError thrown in the thread comes back as the same RelaisError (code, message, details).
 * - A thread that dies (uncaught error, out of memory, exit) fails only the render it was running; the next call
 *   starts a new thread.
 * - Threads start when needed and do not keep the process alive while idle; close() rejects what waits and
 *   stops them.
 */
import { availableParallelism } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { RelaisError, type ErrorCode } from '../domain/index.js';
import type { N3RenderInput } from './render-n3.js';

export interface PdfRenderPoolOptions {
  /** Render threads. Default: defaultRenderThreads() (1 on 2 vCPU, 2 from 3 vCPU). */
  size?: number;
  /** Calls waiting for a thread beyond which a call is refused (RLS_BUG: the callers bound their own concurrency). Default 64. */
  maxQueue?: number;
  /** Old-generation heap of each thread, in MiB: a runaway document kills its thread, not the node. Default 512. */
  maxHeapMb?: number;
  /** The thread's module. Default: render-worker beside this file (.ts under tsx, .js in dist/). Tests substitute one. */
  workerUrl?: URL;
}

export interface PdfRenderer {
  /** The PDF/A-1b of an N3 document, rendered on a thread. `signal` withdraws a waiting call, or stops awaiting a running one. */
  render(input: N3RenderInput, signal?: AbortSignal): Promise<Buffer>;
  /** Rejects the waiting calls and the running ones, stops the threads. Idempotent. */
  close(): Promise<void>;
}

/** What the main thread posts; the CDA bytes in a buffer of their own, transferred. */
export interface RenderRequest extends Omit<N3RenderInput, 'cda'> { id: number; cda: Uint8Array }

export interface RenderReply {
  id: number;
  pdf?: Uint8Array;
  error?: { relais: true; code: ErrorCode; message: string; details: Record<string, unknown> } | { relais: false; name: string; message: string };
}

/**
 * One thread per spare core, at most 2: on the usual 2-vCPU node that leaves a core to the main thread (MLLP,
 * store, SMTP), and more threads than cores would only take CPU back from it. Two MSSanté delivery workers send
 * at once, so a second thread helps only from 3 vCPU.
 */
export function defaultRenderThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

interface Job {
  id: number;
  input: N3RenderInput;
  resolve: (pdf: Buffer) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  settled: boolean;
}

interface Slot { worker: Worker; job: Job | undefined; error: unknown }

const defaultWorkerUrl = new URL(`./render-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export function createPdfRenderPool(o: PdfRenderPoolOptions = {}): PdfRenderer {
  const size = Math.max(1, o.size ?? defaultRenderThreads());
  const maxQueue = o.maxQueue ?? 64;
  const maxHeapMb = o.maxHeapMb ?? 512;
  const workerUrl = o.workerUrl ?? defaultWorkerUrl;
  const queue: Job[] = [];
  const slots = new Set<Slot>();
  let nextId = 1;
  let closing: Promise<void> | undefined;

  const closedError = () => new RelaisError('RLS_BUG', 'the PDF renderer is closed', { reason: 'closed' });

  function settle(job: Job, outcome: { pdf: Buffer } | { error: unknown }): void {
    if (job.settled) return;
    job.settled = true;
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if ('pdf' in outcome) job.resolve(outcome.pdf);
    else job.reject(outcome.error);
  }

  function spawn(): Slot {
    const worker = startThread(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    const slot: Slot = { worker, job: undefined, error: undefined };
    worker.on('message', (reply: RenderReply) => {
      const job = slot.job;
      if (job === undefined || job.id !== reply.id) return;
      slot.job = undefined;
      worker.unref();
      settle(job, reply.error === undefined
        ? { pdf: Buffer.from(reply.pdf!.buffer, reply.pdf!.byteOffset, reply.pdf!.byteLength) }
        : { error: replyError(reply.error) });
      dispatch();
    });
    // An uncaught error in the thread: 'exit' follows, which fails the running render.
    worker.on('error', (e) => { slot.error = e; });
    worker.on('exit', (exitCode) => {
      slots.delete(slot);
      const job = slot.job;
      slot.job = undefined;
      if (job) {
        const why = (slot.error as { code?: unknown } | undefined)?.code;
        settle(job, {
          error: closing ? closedError() : new RelaisError('RLS_BUG', 'the PDF render thread stopped during the rendering', {
            reason: 'render_thread_exit', exitCode, ...(typeof why === 'string' ? { error: why } : {}),
          }),
        });
      }
      dispatch();
    });
    slots.add(slot);
    return slot;
  }

  function dispatch(): void {
    while (!closing && queue.length > 0) {
      let slot = [...slots].find((s) => s.job === undefined);
      if (slot === undefined) {
        if (slots.size >= size) return;
        try {
          slot = spawn();
        } catch (e) {
          settle(queue.shift()!, { error: e });
          continue;
        }
      }
      const job = queue.shift()!;
      const { cda, ...rest } = job.input;
      // A copy of exactly the CDA (a Buffer may be a view on a larger pool), handed over without a second copy.
      const bytes = new Uint8Array(cda);
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ ...rest, id: job.id, cda: bytes } satisfies RenderRequest, [bytes.buffer as ArrayBuffer]);
    }
  }

  return {
    render(input, signal) {
      if (closing) return Promise.reject(closedError());
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (queue.length >= maxQueue) {
        return Promise.reject(new RelaisError('RLS_BUG', 'too many PDF renderings waiting', { reason: 'queue_full', maxQueue }));
      }
      return new Promise<Buffer>((resolve, reject) => {
        const job: Job = { id: nextId++, input, resolve, reject, signal, onAbort: undefined, settled: false };
        if (signal) {
          job.onAbort = () => {
            const i = queue.indexOf(job);
            if (i >= 0) queue.splice(i, 1);
            // A running render is left to finish (its thread stays busy until then): only the answer is dropped.
            settle(job, { error: signal.reason });
          };
          signal.addEventListener('abort', job.onAbort, { once: true });
        }
        queue.push(job);
        dispatch();
      });
    },
    close() {
      closing ??= (async () => {
        for (const job of queue.splice(0)) settle(job, { error: closedError() });
        await Promise.all([...slots].map((s) => s.worker.terminate()));
      })();
      return closing;
    },
  };
}

/**
 * From dist/ the thread runs render-worker.js. From the sources under tsx it must run the .ts, but Node 20 does
 * not apply the parent's `--import tsx` hooks to a worker's entry module (nodejs/node#47747, ERR_UNKNOWN_FILE_EXTENSION):
 * the thread registers tsx's hooks itself, then imports the module.
 */
function startThread(url: URL, options: WorkerOptions): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

function replyError(e: NonNullable<RenderReply['error']>): Error {
  if (e.relais) return new RelaisError(e.code, e.message, e.details);
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}
