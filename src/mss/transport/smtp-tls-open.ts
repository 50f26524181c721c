/**
 * Opens the TLS session of one SMTP submission connection ourselves, so that the negotiated session is checked
 * against the profile (dropIfOutsideProfile) before anything is authenticated or sent: TCP, greeting, EHLO,
 * STARTTLS (RFC 3207), handshake with the profile options, check. nodemailer then gets an already secured
 * socket and the greeting it was not there to read (it issues EHLO again over TLS, as RFC 3207 §4.2 requires).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { RelaisError, isRelaisError } from '../../domain/index.js';
import { dropIfOutsideProfile } from '../../pki/index.js';
import type { MssAction } from './mss-trace.js';
import type { TlsMode } from './secure-link.js';
import { tlsFailureOf } from './tls-failure.js';

export interface SmtpOpenStep {
  action: Extract<MssAction, 'connect' | 'starttls'>;
  request: string;
  response: string;
  ok: boolean;
  failure?: string;
  durationMs: number;
}

export interface SmtpOpenOptions {
  host: string;
  port: number;
  tlsMode: TlsMode;
  tls: ConnectionOptions;
  allowTls13?: boolean;
  ehloName: string;
  timeoutMs: number;
  onStep: (s: SmtpOpenStep) => void;
}

export interface OpenedSmtpSocket {
  socket: TLSSocket;
  /** STARTTLS only: the plaintext greeting, replayed to nodemailer on the secured socket. */
  greeting?: Buffer;
}

const maxReplyBytes = 64 * 1024;

/** Reads complete SMTP replies (RFC 5321 §4.2: `ddd-` continues, `ddd ` ends) from the plaintext socket. */
class ReplyReader {
  #buffer = '';
  #waiting: ((reply: string) => void) | undefined;
  #failed: ((e: Error) => void) | undefined;
  readonly #socket: Socket;
  readonly #onData = (chunk: Buffer): void => {
    this.#buffer += chunk.toString('latin1');
    if (this.#buffer.length > maxReplyBytes) {
      this.#failed?.(new RelaisError('RLS_MSS_UNAVAILABLE', 'the SMTP server sent an oversized reply', { reason: 'protocol' }));
      return;
    }
    this.#deliver();
  };

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', this.#onData);
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failed = reject;
      this.#deliver();
    });
  }

  /** Bytes received after the last complete reply. */
  get pending(): number {
    return this.#buffer.length;
  }

  detach(): void {
    this.#socket.removeListener('data', this.#onData);
  }

  fail(e: Error): void {
    this.#failed?.(e);
  }

  #deliver(): void {
    if (!this.#waiting) return;
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const end = this.#buffer.indexOf('\n', offset);
      if (end < 0) return;
      const line = this.#buffer.slice(offset, end).replace(/\r$/, '');
      offset = end + 1;
      lines.push(line);
      if (!/^\d{3}-/.test(line)) break;
    }
    this.#buffer = this.#buffer.slice(offset);
    const resolve = this.#waiting;
    this.#waiting = undefined;
    this.#failed = undefined;
    resolve(lines.join('\n'));
  }
}

function transportError(e: unknown, phase: string): RelaisError {
  if (isRelaisError(e) && e.code.startsWith('RLS_MSS_')) return e;
  const tls = tlsFailureOf(e);
  const message = (e as Error).message ?? String(e);
  if (tls) return new RelaisError('RLS_MSS_TLS', `TLS with the SMTP server failed (${tls}): ${message}`, { reason: tls, phase, code: (e as { code?: string }).code }, { cause: e });
  const code = (e as { code?: string }).code ?? '';
  return new RelaisError('RLS_MSS_UNAVAILABLE', `cannot reach the SMTP server during ${phase}: ${code || message}`, { reason: 'network', phase, code }, { cause: e });
}

function handshake(o: SmtpOpenOptions, socket: Socket | undefined, onSocket: (t: TLSSocket) => void): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({ ...o.tls, ...(socket ? { socket } : { host: o.host, port: o.port }) });
    onSocket(tls);
    const fail = (e: unknown): void => {
      tls.destroy();
      reject(e);
    };
    tls.once('error', fail);
    tls.once('secureConnect', () => {
      const outside = dropIfOutsideProfile(tls, o.allowTls13 === undefined ? {} : { allowTls13: o.allowTls13 });
      if (outside) {
        reject(outside);
        return;
      }
      tls.removeListener('error', fail);
      // Until nodemailer attaches its handlers (next tick), an error must not become an uncaught exception.
      tls.on('error', () => undefined);
      resolve(tls);
    });
  });
}

const sessionText = (s: TLSSocket): string => `${s.getProtocol() ?? '?'} ${s.getCipher()?.name ?? '?'}`;

export async function openSmtpTls(o: SmtpOpenOptions): Promise<OpenedSmtpSocket> {
  let phase: 'connect' | 'starttls' = 'connect';
  let phaseStart = Date.now();
  const request: string[] = [`connect ${o.host}:${o.port}${o.tlsMode === 'implicit' ? ' (implicit TLS)' : ''}`];
  const response: string[] = [];
  const step = (ok: boolean, failure?: string): void => {
    o.onStep({ action: phase, request: request.join('\n'), response: response.join('\n'), ok, durationMs: Date.now() - phaseStart, ...(failure ? { failure } : {}) });
  };
  let plain: Socket | undefined;
  let secured: TLSSocket | undefined;
  let reader: ReplyReader | undefined;
  const timer = setTimeout(() => {
    const e = new RelaisError('RLS_MSS_TIMEOUT', `no answer from the SMTP server within ${o.timeoutMs} ms (${phase})`, { reason: 'timeout', phase });
    reader?.fail(e);
    plain?.destroy(e);
    secured?.destroy(e);
  }, o.timeoutMs);
  try {
    if (o.tlsMode === 'implicit') {
      secured = await handshake(o, undefined, (t) => { secured = t; });
      response.push(sessionText(secured));
      step(true);
      return { socket: secured };
    }
    plain = netConnect({ host: o.host, port: o.port });
    const opened = plain;
    const r = new ReplyReader(opened);
    reader = r;
    const closed = new Promise<never>((_, reject) => {
      opened.once('error', (e) => reject(e));
      opened.once('close', () => reject(Object.assign(new Error('connection closed by the server'), { code: 'ECONNRESET' })));
    });
    closed.catch(() => undefined);
    const reply = async (): Promise<string> => {
      const text = await Promise.race([r.next(), closed]);
      response.push(text);
      return text;
    };
    const greeting = await reply();
    if (!greeting.startsWith('220')) {
      throw new RelaisError('RLS_MSS_UNAVAILABLE', `the SMTP server greeting is not 220: ${greeting}`, { reason: 'greeting', smtpCode: Number(greeting.slice(0, 3)) });
    }
    step(true);
    phase = 'starttls';
    phaseStart = Date.now();
    request.length = 0;
    response.length = 0;
    const send = (line: string): void => {
      request.push(line);
      opened.write(`${line}\r\n`);
    };
    send(`EHLO ${o.ehloName}`);
    const ehlo = await reply();
    if (!ehlo.startsWith('250') || !/^250[ -]STARTTLS\b/im.test(ehlo)) {
      throw new RelaisError('RLS_MSS_TLS', 'the SMTP server does not offer STARTTLS', { reason: 'starttls_unavailable', phase });
    }
    send('STARTTLS');
    const ready = await reply();
    if (!ready.startsWith('220')) {
      throw new RelaisError('RLS_MSS_TLS', `STARTTLS refused: ${ready}`, { reason: 'starttls_unavailable', phase, smtpCode: Number(ready.slice(0, 3)) });
    }
    // RFC 3207 §6: nothing received in plaintext after the 220 may be used; a server does not send any.
    if (r.pending > 0) {
      throw new RelaisError('RLS_MSS_TLS', 'plaintext bytes after the STARTTLS reply (injection attempt?)', { reason: 'starttls_injection', phase });
    }
    r.detach();
    secured = await handshake(o, opened, (t) => { secured = t; });
    response.push(sessionText(secured));
    step(true);
    return { socket: secured, greeting: Buffer.from(`${greeting.split('\n').join('\r\n')}\r\n`, 'latin1') };
  } catch (e) {
    const err = transportError(e, phase);
    response.push(err.message);
    step(false, String(err.details['reason'] ?? 'network'));
    plain?.destroy();
    secured?.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
