/**
 * Turns nodemailer's transaction log (`transactionLog: true`: the command lines it writes and the replies it
 * reads, AUTH already masked by nodemailer and redacted again here; never the message) into MssTrace records,
 * one per exchange: EHLO, AUTH, the mail transaction (MAIL, RCPT…, DATA, final reply), RSET, QUIT.
 * It also keeps each message's RCPT replies so the submitter can report every recipient's code and text.
 */
import type { MssAction, MssTrace, TraceSink } from './mss-trace.js';
import { redactSmtpCommand } from './mss-trace.js';

export interface RecipientReply {
  address: string;
  reply: string;
}

export interface TransactionReplies {
  mailFrom?: string;
  recipients: RecipientReply[];
  data?: string;
  final?: string;
}

interface Exchange {
  action: MssAction;
  started: number;
  requests: string[];
  replies: string[];
  messageId?: string;
  /** A mail transaction: the reply after 354 ends it. */
  inData?: boolean;
  done?: boolean;
}

interface LogEntry {
  sid?: string;
  tnx?: string;
  messageId?: string;
}

const actionOf = (line: string): MssAction => {
  const verb = line.split(/\s/, 1)[0]!.toUpperCase();
  if (verb === 'EHLO' || verb === 'HELO' || verb === 'LHLO') return 'connect';
  if (verb === 'AUTH') return 'auth';
  if (verb === 'MAIL' || verb === 'RCPT' || verb === 'DATA' || verb === 'BDAT') return 'send';
  if (verb === 'RSET') return 'reset';
  if (verb === 'QUIT') return 'logout';
  if (verb === 'NOOP') return 'noop';
  return 'command';
};

const replyCode = (reply: string): number => Number(reply.slice(0, 3));

/** Pairs the RCPT lines of a transaction with their replies (RFC 2920: replies come in command order). */
export function repliesOf(requests: readonly string[], replies: readonly string[]): TransactionReplies {
  const out: TransactionReplies = { recipients: [] };
  let i = 0;
  for (const line of requests) {
    const verb = line.split(/\s/, 1)[0]!.toUpperCase();
    if (verb === 'MAIL') out.mailFrom = replies[i++];
    else if (verb === 'RCPT') {
      const address = /<([^>]*)>/.exec(line)?.[1] ?? line.slice(8);
      out.recipients.push({ address, reply: replies[i++] ?? '' });
    } else if (verb === 'DATA') {
      out.data = replies[i++];
      if (out.data?.startsWith('354')) out.final = replies[i++];
    }
  }
  return out;
}

export class SmtpTranscript {
  readonly #sink: TraceSink;
  readonly #actor: string;
  readonly #open = new Map<string, Exchange>();
  readonly #pendingMessageIds: string[] = [];
  readonly #finished = new Map<string, TransactionReplies>();

  constructor(actor: string, sink: TraceSink) {
    this.#actor = actor;
    this.#sink = sink;
  }

  /** A bunyan-shaped logger for nodemailer's `logger` option. */
  get logger(): Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', (entry: LogEntry, message?: string, ...args: unknown[]) => void> {
    const handle = (entry: LogEntry, message?: unknown): void => this.#onLog(entry, typeof message === 'string' ? message : '');
    return { trace: handle, debug: handle, info: handle, warn: handle, error: handle, fatal: handle };
  }

  /** The RCPT and DATA replies of a message once its transaction ended (taken once). */
  take(messageId: string): TransactionReplies | undefined {
    for (const [sid, ex] of this.#open) {
      if (ex.messageId === messageId) this.#emit(sid, ex, false);
    }
    const r = this.#finished.get(messageId);
    this.#finished.delete(messageId);
    return r;
  }

  #onLog(entry: LogEntry, message: string): void {
    if (entry.tnx === 'send' && entry.messageId) {
      // The pool logs "Sending message" then writes MAIL FROM in the same tick: the next MAIL is this message.
      this.#pendingMessageIds.push(entry.messageId);
      return;
    }
    const sid = entry.sid;
    if (!sid) return;
    if (entry.tnx === 'client') this.#onCommand(sid, message);
    else if (entry.tnx === 'server') this.#onReply(sid, message);
    else if (entry.tnx === 'network' && /closed/i.test(message)) this.#close(sid, `connection closed: ${message}`);
  }

  #onCommand(sid: string, line: string): void {
    const action = actionOf(line);
    let ex = this.#open.get(sid);
    if (ex && (ex.action !== 'send' || action !== 'send' || line.toUpperCase().startsWith('MAIL'))) {
      const last = ex.replies.at(-1) ?? '';
      this.#emit(sid, ex, ex.replies.length >= ex.requests.length && /^2/.test(last));
      ex = undefined;
    }
    if (!ex) {
      ex = { action, started: Date.now(), requests: [], replies: [] };
      if (action === 'send') {
        const id = this.#pendingMessageIds.shift();
        if (id !== undefined) ex.messageId = id;
      }
      this.#open.set(sid, ex);
    }
    ex.requests.push(redactSmtpCommand(line));
  }

  #onReply(sid: string, reply: string): void {
    const ex = this.#open.get(sid);
    if (!ex) return;
    ex.replies.push(reply);
    const code = replyCode(reply);
    if (ex.action === 'auth') {
      if (code !== 334) this.#emit(sid, ex, code >= 200 && code < 300);
      return;
    }
    if (ex.action === 'send') {
      if (ex.inData) {
        this.#emit(sid, ex, code >= 200 && code < 300);
        return;
      }
      if (code === 354) ex.inData = true;
      else if (ex.replies.length >= ex.requests.length && code >= 400 && ex.requests.at(-1)?.toUpperCase().startsWith('DATA')) this.#emit(sid, ex, false);
      return;
    }
    this.#emit(sid, ex, code >= 200 && code < 400);
  }

  #close(sid: string, why: string): void {
    const ex = this.#open.get(sid);
    if (ex) this.#emit(sid, ex, false, why);
  }

  #emit(sid: string, ex: Exchange, ok: boolean, note?: string): void {
    if (ex.done) return;
    ex.done = true;
    this.#open.delete(sid);
    if (ex.replies.length < ex.requests.length && !note) note = 'no reply';
    const requests = ex.action === 'send' && ex.inData ? [...ex.requests, '<message content not traced>'] : ex.requests;
    if (ex.action === 'send' && ex.messageId !== undefined) this.#finished.set(ex.messageId, repliesOf(ex.requests, ex.replies));
    const trace: MssTrace = {
      at: new Date(ex.started), actor: this.#actor, protocol: 'smtp', action: ex.action,
      request: requests.join('\n'), response: [...ex.replies, ...(note ? [note] : [])].join('\n'), ok,
      durationMs: Date.now() - ex.started,
      ...(ex.messageId === undefined ? {} : { messageId: ex.messageId }),
    };
    this.#sink(trace);
  }
}
