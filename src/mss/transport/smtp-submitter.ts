/**
 * SMTP submission to the MSSanté operator (CONF.05, CONF.12; digest §A2, §A3): nodemailer's pooled transport
 * over sockets we open and check ourselves (smtp-tls-open.ts), AUTH PLAIN with the BAL address as login, per
 * recipient results with the SMTP code, and a classification the delivery worker can act on:
 * - a 5xx on the message (MAIL, every RCPT, DATA, size) → permanent, with the code;
 * - a 4xx, a network failure, a timeout → transient;
 * - TLS, certificate, CRL or authentication failures → transient with scope `peer` and a distinct code: the
 *   delivery waits (the worker holds it) until the link is fixed.
 */
import { hostname } from 'node:os';
import { createTransport } from 'nodemailer';
import { isRelaisError, RelaisError, silentLogger } from '../../domain/index.js';
import type { Logger } from '../../domain/index.js';
import { actorOf, safeSink, type MssTrace, type TraceSink } from './mss-trace.js';
import { assertClientCertificateValid, checkLinkOptions, linkTlsOptions, trustStoreOf, type MssLinkOptions } from './secure-link.js';
import { openSmtpTls } from './smtp-tls-open.js';
import { SmtpTranscript, type TransactionReplies } from './smtp-transcript.js';
import { tlsFailureOf, type TlsFailureCode } from './tls-failure.js';

export interface SmtpPoolOptions {
  /** Parallel connections (default 2). */
  maxConnections?: number;
  /** Messages per connection before it is renewed (default 100). */
  maxMessages?: number;
}

export interface SmtpTimeouts {
  /** TCP, greeting, EHLO, STARTTLS and handshake together (default 15 s). */
  connectMs?: number;
  /** Inactivity on an established connection (default 60 s). */
  socketMs?: number;
}

export interface SmtpSubmitterOptions extends MssLinkOptions {
  pool?: SmtpPoolOptions;
  timeouts?: SmtpTimeouts;
  /** EHLO name; default the machine's host name. */
  ehloName?: string;
  onTrace: TraceSink;
  log?: Logger;
}

/** ESMTP DSN parameters (RFC 3461): what makes the operator return delivery status notifications. */
export interface SmtpDsn {
  /** ENVID, echoed in the DSN: how a DSN finds its delivery. */
  envelopeId?: string;
  ret?: 'FULL' | 'HDRS';
  notify?: readonly ('SUCCESS' | 'FAILURE' | 'DELAY')[] | 'NEVER';
  /** ORCPT for every recipient (default: the recipient itself). */
  originalRecipient?: string;
}

export interface SmtpMail {
  /** The whole RFC 5322 message, headers included; sent as is. */
  raw: Buffer;
  envelope: { from: string; to: readonly string[] };
  dsn?: SmtpDsn;
  /** The Message-ID of `raw`, used to correlate results and traces. */
  messageId: string;
}

export interface SmtpRecipientResult {
  address: string;
  accepted: boolean;
  /** The RCPT reply code (or the final DATA reply for an accepted recipient when RCPT was not seen). */
  code?: number;
  /** RFC 3463 enhanced status, e.g. 5.1.1. */
  enhancedCode?: string;
  text?: string;
}

export type SmtpFailureCode = 'smtp_rejected' | 'smtp_deferred' | 'auth_failed' | 'network' | 'timeout' | 'aborted' | TlsFailureCode;

export type SmtpSendResult =
  | { ok: true; messageId: string; recipients: SmtpRecipientResult[]; response: string; durationMs: number }
  | {
    ok: false; messageId: string; kind: 'permanent' | 'transient'; scope: 'message' | 'peer'; code: SmtpFailureCode;
    smtpCode?: number; response?: string; recipients: SmtpRecipientResult[]; error: RelaisError; durationMs: number;
  };

export interface SmtpVerifyResult {
  ok: boolean;
  code?: SmtpFailureCode;
  error?: RelaisError;
}

export interface SmtpSubmitter {
  send(mail: SmtpMail, signal?: AbortSignal): Promise<SmtpSendResult>;
  /** Opens one connection (TLS, profile, AUTH) and closes it: a health check. */
  verify(): Promise<SmtpVerifyResult>;
  close(): void;
}

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejected?: string[];
  rejectedErrors?: NodemailerError[];
  recipient?: string;
}

const enhancedOf = (reply: string): string | undefined => /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1];
const codeOf = (reply: string | undefined): number | undefined => {
  const n = Number(reply?.slice(0, 3));
  return Number.isInteger(n) && n >= 200 && n < 600 ? n : undefined;
};

function recipientResults(to: readonly string[], replies: TransactionReplies | undefined, finalOk: boolean, fallback?: NodemailerError): SmtpRecipientResult[] {
  return to.map((address) => {
    const seen = replies?.recipients.find((r) => r.address.toLowerCase() === address.toLowerCase());
    if (seen && seen.reply) {
      const code = codeOf(seen.reply);
      const enhancedCode = enhancedOf(seen.reply);
      return { address, accepted: finalOk && code !== undefined && code < 300, ...(code === undefined ? {} : { code }), ...(enhancedCode ? { enhancedCode } : {}), text: seen.reply };
    }
    const rejected = fallback?.rejectedErrors?.find((e) => e.recipient?.toLowerCase() === address.toLowerCase());
    if (rejected) {
      return { address, accepted: false, ...(rejected.responseCode ? { code: rejected.responseCode } : {}), ...(rejected.response ? { text: rejected.response } : {}) };
    }
    return { address, accepted: finalOk };
  });
}

/** The classification of a failed send (see the file comment). */
export function classifySmtpFailure(e: unknown): { kind: 'permanent' | 'transient'; scope: 'message' | 'peer'; code: SmtpFailureCode; smtpCode?: number; error: RelaisError } {
  const tls = tlsFailureOf(e);
  if (tls) {
    const error = isRelaisError(e) ? e : new RelaisError('RLS_MSS_TLS', `TLS with the SMTP server failed (${tls}): ${(e as Error).message}`, { reason: tls }, { cause: e });
    return { kind: 'transient', scope: 'peer', code: tls, error };
  }
  if (isRelaisError(e)) {
    if (e.code === 'RLS_MSS_TIMEOUT') return { kind: 'transient', scope: 'peer', code: 'timeout', error: e };
    if (e.code === 'RLS_MSS_AUTH') return { kind: 'transient', scope: 'peer', code: 'auth_failed', error: e };
    return { kind: 'transient', scope: 'peer', code: 'network', error: e };
  }
  const err = e as NodemailerError;
  const smtpCode = err.responseCode;
  const details = { nodemailerCode: err.code, command: err.command, smtpCode, response: err.response };
  if (err.code === 'EAUTH') {
    return { kind: 'transient', scope: 'peer', code: 'auth_failed', ...(smtpCode ? { smtpCode } : {}), error: new RelaisError('RLS_MSS_AUTH', `AUTH PLAIN refused: ${err.response ?? err.message}`, details, { cause: e }) };
  }
  if (err.code === 'ETIMEDOUT' || err.code === 'CONNECT_TIMEOUT' || err.code === 'GREETING_TIMEOUT') {
    return { kind: 'transient', scope: 'peer', code: 'timeout', error: new RelaisError('RLS_MSS_TIMEOUT', err.message, details, { cause: e }) };
  }
  if (err.code === 'ETLS') {
    return { kind: 'transient', scope: 'peer', code: 'tls_handshake_failed', error: new RelaisError('RLS_MSS_TLS', err.message, { ...details, reason: 'tls_handshake_failed' }, { cause: e }) };
  }
  if (smtpCode && smtpCode >= 500 && smtpCode < 600) {
    return { kind: 'permanent', scope: 'message', code: 'smtp_rejected', smtpCode, error: new RelaisError('RLS_MSS_REFUSED', `the operator refused the mail: ${err.response ?? err.message}`, details, { cause: e }) };
  }
  if (smtpCode && smtpCode >= 400 && smtpCode < 500) {
    // 421: the server is closing the channel; the peer, not the message.
    return { kind: 'transient', scope: smtpCode === 421 ? 'peer' : 'message', code: 'smtp_deferred', smtpCode, error: new RelaisError('RLS_MSS_DEFERRED', `temporary failure: ${err.response ?? err.message}`, details, { cause: e }) };
  }
  if (err.name === 'AbortError' || err.code === 'EABORT' || err.code === 'ABORT_ERR') {
    return { kind: 'transient', scope: 'message', code: 'aborted', error: new RelaisError('RLS_MSS_UNAVAILABLE', 'sending aborted', { ...details, reason: 'aborted' }, { cause: e }) };
  }
  return { kind: 'transient', scope: 'peer', code: 'network', error: new RelaisError('RLS_MSS_UNAVAILABLE', `SMTP connection failed: ${err.message}`, { ...details, reason: 'network' }, { cause: e }) };
}

const bracketed = (id: string): string => (id.startsWith('<') ? id : `<${id}>`);

export function createSmtpSubmitter(o: SmtpSubmitterOptions): SmtpSubmitter {
  checkLinkOptions(o);
  const log = (o.log ?? silentLogger).child({ component: 'mss-smtp', host: o.host, bal: o.bal.address });
  if (!o.crl) log.warn({}, 'no CRL source configured: revocation of the operator certificate is not checked');
  const trust = trustStoreOf(o);
  const actor = actorOf(o.bal.address, o.person);
  const trace = safeSink(o.onTrace, (e) => log.error({ err: (e as Error).message }, 'trace sink failed'));
  const transcript = new SmtpTranscript(actor, trace);
  const connectMs = o.timeouts?.connectMs ?? 15_000;
  const ehloName = o.ehloName ?? hostname();
  const step = (s: Omit<MssTrace, 'at' | 'actor' | 'protocol'>): void => trace({ at: new Date(Date.now() - s.durationMs), actor, protocol: 'smtp', ...s });

  const getSocket = (_options: unknown, callback: (err: Error | null, socketOptions?: { connection: unknown; secured: boolean }) => void): void => {
    const started = Date.now();
    linkTlsOptions(o, trust).then(
      (tls) => openSmtpTls({
        host: o.host, port: o.port, tlsMode: o.tlsMode, tls, ehloName, timeoutMs: connectMs,
        ...(o.allowTls13 === undefined ? {} : { allowTls13: o.allowTls13 }),
        onStep: (s) => step(s),
      }),
      (e: unknown) => {
        // CRL or client certificate: refused before any connection.
        const c = classifySmtpFailure(e);
        step({ action: 'connect', request: `connect ${o.host}:${o.port}`, response: `not attempted: ${c.error.message}`, ok: false, failure: c.code, durationMs: Date.now() - started });
        throw c.error;
      },
    ).then(({ socket, greeting }) => {
      if (greeting) socket.unshift(greeting);
      callback(null, { connection: socket, secured: true });
    }, (e: unknown) => callback(e as Error));
  };

  const transporter = createTransport({
    pool: true,
    host: o.host,
    port: o.port,
    // The socket handed over is already TLS (checked against the profile); nodemailer must not downgrade or redo it.
    secure: true,
    maxConnections: o.pool?.maxConnections ?? 2,
    maxMessages: o.pool?.maxMessages ?? 100,
    maxRequeues: 1,
    name: ehloName,
    auth: { type: 'login', user: o.bal.address, pass: o.bal.password, method: 'PLAIN' },
    authMethod: 'PLAIN',
    connectionTimeout: connectMs,
    greetingTimeout: connectMs,
    socketTimeout: o.timeouts?.socketMs ?? 60_000,
    logger: transcript.logger as never,
    transactionLog: true,
    debug: false,
    getSocket: getSocket as never,
  });

  const send = async (mail: SmtpMail, signal?: AbortSignal): Promise<SmtpSendResult> => {
    const started = Date.now();
    const messageId = bracketed(mail.messageId);
    const to = [...mail.envelope.to];
    try {
      assertClientCertificateValid(o.credentials);
    } catch (e) {
      const c = classifySmtpFailure(e);
      step({ action: 'send', request: `MAIL FROM:<${mail.envelope.from}> (${to.length} recipients)`, response: `not attempted: ${c.error.message}`, ok: false, failure: c.code, messageId, durationMs: 0 });
      return { ok: false, messageId, ...c, recipients: to.map((address) => ({ address, accepted: false })), durationMs: 0 };
    }
    const dsn = mail.dsn ? {
      ...(mail.dsn.envelopeId ? { id: mail.dsn.envelopeId } : {}),
      ...(mail.dsn.ret ? { return: mail.dsn.ret === 'FULL' ? 'full' as const : 'headers' as const } : {}),
      ...(mail.dsn.notify ? { notify: mail.dsn.notify === 'NEVER' ? 'never' as const : mail.dsn.notify.map((n) => n.toLowerCase() as 'success' | 'failure' | 'delay') } : {}),
      ...(mail.dsn.originalRecipient ? { recipient: mail.dsn.originalRecipient } : {}),
    } : undefined;
    try {
      const info = await transporter.sendMail({
        envelope: { from: mail.envelope.from, to },
        raw: mail.raw,
        messageId,
        ...(dsn ? { dsn } : {}),
        ...(signal ? { signal } : {}),
      });
      const replies = transcript.take(info.messageId);
      const rejected = new Set(info.rejected.map((x) => x.toLowerCase()));
      // Without the RCPT replies (not expected), nodemailer's own accepted/rejected lists decide.
      const recipients = recipientResults(to, replies, true).map((r) => (r.code === undefined && rejected.has(r.address.toLowerCase()) ? { ...r, accepted: false } : r));
      return { ok: true, messageId, recipients, response: info.response, durationMs: Date.now() - started };
    } catch (e) {
      const c = classifySmtpFailure(e);
      const replies = transcript.take(messageId);
      if (!replies) {
        // Refused before MAIL FROM (TLS, CRL, AUTH, network): the connection traces say why; this one ties it to the message.
        step({ action: 'send', request: `MAIL FROM:<${mail.envelope.from}> (${to.length} recipients)`, response: `not sent: ${c.error.message}`, ok: false, failure: c.code, messageId, durationMs: Date.now() - started });
      }
      log.warn({ messageId, failure: c.code, smtpCode: c.smtpCode, err: c.error.message }, 'SMTP send failed');
      const response = (e as NodemailerError).response;
      return {
        ok: false, messageId, ...c, ...(response ? { response } : {}),
        recipients: recipientResults(to, replies, false, e as NodemailerError), durationMs: Date.now() - started,
      };
    }
  };

  return {
    send,
    async verify() {
      try {
        assertClientCertificateValid(o.credentials);
        await transporter.verify();
        return { ok: true };
      } catch (e) {
        const c = classifySmtpFailure(e);
        return { ok: false, code: c.code, error: c.error };
      }
    },
    close() {
      transporter.close();
    },
  };
}
