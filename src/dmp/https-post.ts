import { request, type Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isRelaisError, RelaisError } from '../domain/index.js';
import { dropIfOutsideProfile, type TlsProfileOptions } from '../pki/index.js';

/**
 * One HTTPS POST with mutual TLS, a whole-exchange deadline and an AbortSignal. Transport failures come back as a
 * classified RelaisError whose details say whether the whole request had been written (`requestSent`): after a
 * timeout or a reset once the body was sent, the DMP may have stored the document.
 */

export interface PostInput {
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
  /** Carries the TLS options (AUTH_CLI credentials, the DMP trust store, the profile). */
  agent: Agent;
  tlsProfile?: TlsProfileOptions;
  timeoutMs: number;
  maxResponseBytes: number;
  signal?: AbortSignal;
}

export interface PostResponse {
  status: number;
  contentType?: string;
  body: Buffer;
}

export type PostResult =
  | { ok: true; response: PostResponse }
  | { ok: false; error: RelaisError; response?: PostResponse };

// OpenSSL/Node codes of a failed handshake or an untrusted or mismatched certificate.
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|CERT_|HOSTNAME_|EPROTO$)/;

function transportError(e: unknown, state: { secure: boolean; requestSent: boolean }, url: URL): RelaisError {
  if (isRelaisError(e)) return e;
  const code = (e as { code?: string }).code ?? '';
  const details = { code, host: url.host, requestSent: state.requestSent };
  // A reset before the handshake completed is the server refusing our certificate (TLS 1.3 alerts often surface so).
  if (TLS_CODE.test(code) || (!state.secure && (code === 'ECONNRESET' || code === 'EPIPE'))) {
    return new RelaisError('RLS_DMP_TLS', `TLS with the DMP failed: ${code}`, details, { cause: e });
  }
  return new RelaisError('RLS_DMP_UNAVAILABLE', `cannot reach the DMP: ${code || 'network error'}`, details, { cause: e });
}

export function httpsPost(input: PostInput): Promise<PostResult> {
  return new Promise((resolve) => {
    const state = { secure: false, requestSent: false };
    let settled = false;
    const timer: { id?: NodeJS.Timeout } = {};
    const finish = (result: PostResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer.id);
      input.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    if (input.signal?.aborted === true) {
      finish({ ok: false, error: new RelaisError('RLS_DMP_ABORTED', undefined, { requestSent: false }) });
      return;
    }
    const req = request(input.url, {
      method: 'POST', agent: input.agent,
      headers: { ...input.headers, 'Content-Length': String(input.body.length) },
    });
    const fail = (e: unknown): void => {
      finish({ ok: false, error: transportError(e, state, input.url) });
      req.destroy();
    };
    function onAbort(): void {
      fail(new RelaisError('RLS_DMP_ABORTED', undefined, { requestSent: state.requestSent }));
    }
    input.signal?.addEventListener('abort', onAbort, { once: true });
    timer.id = setTimeout(() => fail(new RelaisError('RLS_DMP_TIMEOUT', `no answer from the DMP within ${input.timeoutMs} ms`, {
      timeoutMs: input.timeoutMs, requestSent: state.requestSent,
    })), input.timeoutMs);

    req.on('socket', (socket) => {
      const tls = socket as TLSSocket;
      const check = (): void => {
        state.secure = true;
        const outside = dropIfOutsideProfile(tls, input.tlsProfile);
        if (outside !== undefined) {
          fail(new RelaisError('RLS_DMP_TLS', outside.message, { ...outside.details, requestSent: false }, { cause: outside }));
        }
      };
      // A kept-alive socket is already past its handshake.
      if (!tls.connecting && tls.encrypted) check();
      else tls.once('secureConnect', check);
    });
    req.on('finish', () => { state.requestSent = true; });
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > input.maxResponseBytes) {
          fail(new RelaisError('RLS_DMP_BAD_RESPONSE', undefined, {
            reason: `the answer exceeds ${input.maxResponseBytes} bytes`, httpStatus: res.statusCode, requestSent: true,
          }));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
      res.on('end', () => {
        const contentType = res.headers['content-type'];
        finish({
          ok: true,
          response: { status: res.statusCode ?? 0, body: Buffer.concat(chunks), ...(contentType === undefined ? {} : { contentType }) },
        });
      });
    });
    req.end(input.body);
  });
}
