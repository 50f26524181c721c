import type { Socket } from 'node:net';
import { isRelaisError } from '../domain/index.js';
import { MllpFramer, frameMllp, type FramerEvent } from './mllp-framer.js';
import type { Logger } from './logger.js';
import type { MllpConnectionInfo, MllpHandler, MllpOversizeHandler } from './mllp-types.js';

export interface ServerConnectionOptions {
  maxFrameBytes: number;
  idleTimeoutMs: number;
  onMessage: MllpHandler;
  onOversize?: MllpOversizeHandler;
  log: Logger;
}

/** What may be logged about a failure: its code and message, never a payload. */
export function describeError(e: unknown): Record<string, unknown> {
  if (isRelaisError(e)) return { code: e.code, kind: e.kind, error: e.message };
  if (e instanceof Error) return { code: (e as NodeJS.ErrnoException).code, error: `${e.name}: ${e.message}` };
  return { error: String(e) };
}

/**
 * One accepted socket. Original mode (volet A §4): frames are handled one at a time, in order; the
 * socket is paused while a handler runs, so frames that arrive meanwhile wait in the kernel buffer and
 * the queue never holds more than what one chunk carried. A reply waits for 'drain' when the peer reads
 * slowly.
 */
export class MllpServerConnection {
  readonly info: MllpConnectionInfo;
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  readonly #o: ServerConnectionOptions;
  readonly #framer: MllpFramer;
  readonly #queue: FramerEvent[] = [];
  #busy = false;
  #stopping = false;
  #peerEnded = false;

  constructor(socket: Socket, info: MllpConnectionInfo, options: ServerConnectionOptions) {
    this.#socket = socket;
    this.info = info;
    this.#o = options;
    this.#framer = new MllpFramer({ maxFrameBytes: options.maxFrameBytes });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => {
      this.#peerEnded = true;
      if (!this.#busy) this.#endGracefully();
    });
    socket.on('error', (e) => options.log.warn(describeError(e), 'connection error'));
    socket.on('close', () => options.log.info({}, 'connection closed'));
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('timeout', () => {
      if (this.#busy) return;
      options.log.info({ idleTimeoutMs: options.idleTimeoutMs }, 'idle connection closed');
      this.#endGracefully();
    });
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Server shutdown: finish the frame in hand (its reply is written), then close; queued frames are
   *  left unanswered so the peer sends them again. */
  stop(): void {
    this.#stopping = true;
    this.#queue.length = 0;
    if (!this.#busy) this.#endGracefully();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    for (const ev of this.#framer.push(chunk)) {
      if (ev.type === 'junk') this.#o.log.warn({ bytes: ev.bytes }, 'bytes outside an MLLP frame skipped');
      else this.#queue.push(ev);
    }
    if (this.#queue.length > 0 && !this.#busy && !this.#stopping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#busy = true;
    this.#socket.pause();
    try {
      while (this.#queue.length > 0 && !this.#stopping && !this.#socket.destroyed) {
        const ev = this.#queue.shift() as FramerEvent;
        if (ev.type === 'frame') {
          const reply = await this.#o.onMessage(ev.payload, this.info);
          await this.#write(frameMllp(reply));
        } else if (ev.type === 'oversize') {
          this.#o.log.warn({ size: ev.size, maxFrameBytes: this.#o.maxFrameBytes }, 'oversized frame dropped');
          const reply = this.#o.onOversize ? await this.#o.onOversize(ev.head, ev.size, this.info) : null;
          if (reply === null) {
            this.#stopping = true;
            break;
          }
          await this.#write(frameMllp(reply));
        }
      }
    } catch (e) {
      // The peer gets no reply for this frame and will resend it; other connections carry on.
      this.#o.log.error(describeError(e), 'frame handling failed; connection closed');
      this.#busy = false;
      this.#socket.destroy();
      return;
    }
    this.#busy = false;
    if (this.#stopping || this.#peerEnded) {
      this.#endGracefully();
    } else {
      this.#socket.resume();
    }
  }

  #write(buf: Buffer): Promise<void> {
    const socket = this.#socket;
    return new Promise((resolve, reject) => {
      if (socket.destroyed || !socket.writable) {
        reject(new Error('connection closed before the reply could be written'));
        return;
      }
      if (socket.write(buf)) {
        resolve();
        return;
      }
      const done = (err?: Error): void => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
        if (err) reject(err); else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(new Error('connection closed while the reply was being written'));
      socket.on('drain', onDrain);
      socket.on('close', onClose);
    });
  }

  /** Flush what was written, send FIN, then release the socket without waiting for the peer's FIN. */
  #endGracefully(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    socket.end(() => socket.destroy());
  }
}
