import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { RelaisError } from '../domain/index.js';
import { silentLogger, type Logger } from './logger.js';
import { PeerFilter } from './peer-filter.js';
import { MllpServerConnection, describeError } from './mllp-server-connection.js';
import type { MllpConnectionInfo, MllpServerOptions } from './mllp-types.js';

const DEFAULT_IDLE_MS = 10 * 60_000;
const DEFAULT_CLOSE_MS = 5_000;

/** Subject of a client certificate that verified against `ca`; an unverified one names nobody. */
function subjectText(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const subject = socket.getPeerCertificate()?.subject as Record<string, string | string[]> | undefined;
  if (!subject || Object.keys(subject).length === 0) return undefined;
  return Object.entries(subject).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ');
}

/**
 * MLLP listener, plain TCP or TLS (≥ 1.2). Peers outside allowedPeers and connections beyond
 * maxConnections are closed as soon as TCP connects, before any TLS work. Each connection is handled
 * by an MllpServerConnection; a failing handler closes its own connection only.
 */
export class MllpServer {
  readonly #o: MllpServerOptions;
  readonly #log: Logger;
  readonly #server: Server;
  readonly #peers: PeerFilter | undefined;
  /** Every accepted TCP socket, including those still in the TLS handshake. */
  readonly #sockets = new Set<Socket>();
  readonly #conns = new Set<MllpServerConnection>();
  #seq = 0;
  #closing: Promise<void> | undefined;

  constructor(options: MllpServerOptions) {
    if (!(options.maxFrameBytes > 0)) {
      throw new RelaisError('RLS_CONFIG_INVALID', 'maxFrameBytes must be a positive number', { key: 'maxFrameBytes' });
    }
    this.#o = options;
    this.#log = (options.log ?? silentLogger).child({ component: 'mllp-server' });
    this.#peers = options.allowedPeers ? new PeerFilter(options.allowedPeers) : undefined;
    const t = options.tls;
    if (t) {
      const requestCert = t.requestCert ?? false;
      const server = createTlsServer({
        key: t.key, cert: t.cert, ca: t.ca, ciphers: t.ciphers,
        minVersion: t.minVersion ?? 'TLSv1.2',
        requestCert,
        rejectUnauthorized: requestCert ? (t.rejectUnauthorized ?? true) : false,
        allowHalfOpen: true,
      });
      server.on('secureConnection', (s: TLSSocket) => this.#accept(s, s));
      server.on('tlsClientError', (e, s) => {
        this.#log.warn({ ...describeError(e), remoteAddress: s.remoteAddress }, 'TLS handshake refused');
      });
      this.#server = server;
    } else {
      this.#server = createServer({ allowHalfOpen: true }, (s) => this.#accept(s, undefined));
    }
    // Runs before the TLS layer sees the socket, so refused peers cost no handshake.
    this.#server.prependListener('connection', (s: Socket) => this.#admit(s));
    this.#server.on('error', (e) => this.#log.error(describeError(e), 'listener error'));
  }

  get connections(): number {
    return this.#sockets.size;
  }

  listen(): Promise<{ port: number; host: string }> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(new RelaisError('RLS_CONFIG_INVALID',
        `cannot listen on ${this.#o.host ?? '*'}:${this.#o.port}: ${e.message}`, { key: 'port', port: this.#o.port }, { cause: e }));
      this.#server.once('error', onError);
      this.#server.listen(this.#o.port, this.#o.host, () => {
        this.#server.off('error', onError);
        const a = this.#server.address();
        const where = typeof a === 'object' && a !== null ? { port: a.port, host: a.address } : { port: this.#o.port, host: this.#o.host ?? '' };
        this.#log.info({ ...where, tls: this.#o.tls !== undefined }, 'MLLP listener started');
        resolve(where);
      });
    });
  }

  #admit(socket: Socket): void {
    const remote = socket.remoteAddress;
    if (this.#closing) {
      socket.destroy();
      return;
    }
    if (this.#peers && !this.#peers.allows(remote)) {
      this.#log.warn({ remoteAddress: remote, remotePort: socket.remotePort }, 'peer not in allowedPeers; connection closed');
      socket.destroy();
      return;
    }
    if (this.#o.maxConnections !== undefined && this.#sockets.size >= this.#o.maxConnections) {
      this.#log.warn({ remoteAddress: remote, maxConnections: this.#o.maxConnections }, 'too many connections; connection closed');
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    // Until the TLS layer or the connection handler takes over, an error must not go unhandled.
    socket.on('error', (e) => this.#log.debug({ ...describeError(e), remoteAddress: remote }, 'socket error'));
  }

  #accept(socket: Socket, tlsSocket: TLSSocket | undefined): void {
    if (socket.destroyed) return;
    const info: MllpConnectionInfo = {
      id: String(++this.#seq),
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      tls: tlsSocket !== undefined,
    };
    const subject = tlsSocket ? subjectText(tlsSocket) : undefined;
    if (subject !== undefined) info.peerCertificateSubject = subject;
    const log = this.#log.child({ conn: info.id });
    log.info({ remoteAddress: info.remoteAddress, remotePort: info.remotePort, tls: info.tls, peer: subject }, 'connection accepted');
    const conn = new MllpServerConnection(socket, info, {
      maxFrameBytes: this.#o.maxFrameBytes,
      idleTimeoutMs: this.#o.idleTimeoutMs ?? DEFAULT_IDLE_MS,
      onMessage: this.#o.onMessage,
      ...(this.#o.onOversize ? { onOversize: this.#o.onOversize } : {}),
      log,
    });
    this.#conns.add(conn);
    void conn.closed.then(() => this.#conns.delete(conn));
    if (this.#closing) conn.stop();
  }

  /** Stops accepting, lets in-flight handlers finish and write their reply within timeoutMs (default
   *  5 s), then destroys what is left. Safe to call more than once (same promise). */
  close(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(opts.timeoutMs ?? DEFAULT_CLOSE_MS);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const conn of this.#conns) conn.stop();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    const drained = Promise.all([...this.#conns].map((c) => c.closed)).then(() => 'drained' as const);
    const outcome = await Promise.race([drained, deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.#log.warn({ left: this.#conns.size, timeoutMs }, 'connections still busy at shutdown; destroyed');
    }
    // What is left carries no finished work: busy past the limit, or still in the TLS handshake.
    for (const c of this.#conns) c.destroy();
    for (const s of this.#sockets) s.destroy();
    await stopped;
    this.#log.info({}, 'MLLP listener stopped');
  }
}
