import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { RelaisError } from '../domain/index.js';
import { MllpFramer, frameMllp } from './mllp-framer.js';
import { silentLogger, type Logger } from './logger.js';
import type { MllpClientOptions } from './mllp-types.js';

const DEFAULT_CONNECT_MS = 10_000;
const DEFAULT_ACK_MS = 30_000;
const DEFAULT_MAX_REPLY = 4 * 1024 * 1024;
const CLOSE_GRACE_MS = 2_000;

interface Pending {
  /** The connection the message went out on: only its reply or its closing settles this send. */
  socket: Socket;
  resolve(reply: Buffer): void;
  reject(e: unknown): void;
}

function connectionError(message: string, details: Record<string, unknown>, cause?: unknown): RelaisError {
  return new RelaisError('RLS_MLLP_CONNECTION', message, details, cause === undefined ? undefined : { cause });
}

/**
 * One MLLP connection, one message in flight at a time (original mode): send() writes a frame and
 * resolves with the next frame received (framing removed). Calls to send() made while one is in flight
 * wait their turn. After an ACK timeout or an abort the connection is dropped, because a late reply
 * would otherwise be taken for the answer to the next message; the next send() reconnects.
 */
export class MllpClient {
  readonly #o: MllpClientOptions;
  readonly #log: Logger;
  #socket: Socket | undefined;
  #connecting: Promise<Socket> | undefined;
  #pending: Pending | undefined;
  #turn: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(options: MllpClientOptions) {
    this.#o = options;
    this.#log = (options.log ?? silentLogger).child({ component: 'mllp-client', peer: `${options.host}:${options.port}` });
  }

  /** Opens the connection (no-op when open). Fails with RLS_MLLP_CONNECTION. */
  async connect(): Promise<void> {
    await this.#ensureConnected();
  }

  #ensureConnected(): Promise<Socket> {
    if (this.#closing) return Promise.reject(connectionError('the MLLP client is closed', { reason: 'closed' }));
    if (this.#socket && !this.#socket.destroyed) return Promise.resolve(this.#socket);
    this.#connecting ??= this.#open().finally(() => { this.#connecting = undefined; });
    return this.#connecting;
  }

  #open(): Promise<Socket> {
    const o = this.#o;
    const where = { host: o.host, port: o.port };
    return new Promise<Socket>((resolve, reject) => {
      const t = o.tls;
      const socket: Socket = t
        ? tlsConnect({
          host: o.host, port: o.port,
          servername: t.servername ?? (isIP(o.host) === 0 ? o.host : undefined),
          ca: t.ca, key: t.key, cert: t.cert, ciphers: t.ciphers,
          minVersion: t.minVersion ?? 'TLSv1.2',
          rejectUnauthorized: t.rejectUnauthorized ?? true,
        })
        : netConnect({ host: o.host, port: o.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(connectionError(`no MLLP connection to ${o.host}:${o.port} within ${o.connectTimeoutMs ?? DEFAULT_CONNECT_MS} ms`,
          { ...where, reason: 'connect-timeout' }));
      }, o.connectTimeoutMs ?? DEFAULT_CONNECT_MS);
      const onError = (e: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(connectionError(`MLLP connection to ${o.host}:${o.port} failed: ${e.message}`,
          { ...where, reason: (e as NodeJS.ErrnoException).code ?? 'error' }, e));
      };
      socket.once('error', onError);
      socket.once(t ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        this.#attach(socket);
        resolve(socket);
      });
    });
  }

  #attach(socket: Socket): void {
    this.#socket = socket;
    const framer = new MllpFramer({ maxFrameBytes: this.#o.maxFrameBytes ?? DEFAULT_MAX_REPLY });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const ev of framer.push(chunk)) {
        if (ev.type === 'frame') {
          const p = this.#takePending(socket);
          if (p) p.resolve(ev.payload);
          else this.#log.warn({ bytes: ev.payload.length }, 'unsolicited frame ignored');
        } else if (ev.type === 'oversize') {
          const p = this.#takePending(socket);
          const e = new RelaisError('RLS_MLLP_FRAME_TOO_LARGE', undefined, { size: ev.size, maxFrameBytes: this.#o.maxFrameBytes ?? DEFAULT_MAX_REPLY });
          if (p) p.reject(e); else this.#log.warn({ size: ev.size }, 'unsolicited oversized frame ignored');
        } else {
          this.#log.warn({ bytes: ev.bytes }, 'bytes outside an MLLP frame skipped');
        }
      }
    });
    socket.on('error', (e) => this.#log.warn({ error: e.message, code: (e as NodeJS.ErrnoException).code }, 'connection error'));
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#takePending(socket)?.reject(connectionError('the MLLP connection closed before the acknowledgement arrived',
        { host: this.#o.host, port: this.#o.port, reason: 'closed' }));
    });
  }

  #takePending(socket: Socket): Pending | undefined {
    const p = this.#pending;
    if (p?.socket !== socket) return undefined;
    this.#pending = undefined;
    return p;
  }

  /** Sends one message and resolves with the reply payload. Rejects with RLS_MLLP_ACK_TIMEOUT,
   *  RLS_MLLP_CONNECTION, RLS_MLLP_FRAME_TOO_LARGE, or the signal's reason when aborted. */
  send(payload: Buffer | string, opts: { signal?: AbortSignal } = {}): Promise<Buffer> {
    const run = (): Promise<Buffer> => this.#sendOne(payload, opts.signal);
    const result = this.#turn.then(run, run);
    this.#turn = result.catch(() => undefined);
    return result;
  }

  async #sendOne(payload: Buffer | string, signal: AbortSignal | undefined): Promise<Buffer> {
    signal?.throwIfAborted();
    const socket = await this.#ensureConnected();
    signal?.throwIfAborted();
    const ackTimeoutMs = this.#o.ackTimeoutMs ?? DEFAULT_ACK_MS;
    return new Promise<Buffer>((resolve, reject) => {
      if (socket.destroyed) {
        reject(connectionError('the MLLP connection closed before the message was sent',
          { host: this.#o.host, port: this.#o.port, reason: 'closed' }));
        return;
      }
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        this.#pending = undefined;
        cleanup();
        socket.destroy();
        reject(signal?.reason);
      };
      this.#pending = {
        socket,
        resolve: (b) => { cleanup(); resolve(b); },
        reject: (e) => { cleanup(); reject(e); },
      };
      const timer = setTimeout(() => {
        this.#pending = undefined;
        cleanup();
        socket.destroy();
        reject(new RelaisError('RLS_MLLP_ACK_TIMEOUT', `no acknowledgement within ${ackTimeoutMs} ms`,
          { host: this.#o.host, port: this.#o.port, ackTimeoutMs }));
      }, ackTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.write(frameMllp(payload));
    });
  }

  /** Ends the connection (graceful, then destroyed after a short grace). Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const socket = this.#socket ?? (this.#connecting ? await this.#connecting.catch(() => undefined) : undefined);
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      socket.once('close', () => { clearTimeout(timer); resolve(); });
      socket.end();
    });
  }
}
