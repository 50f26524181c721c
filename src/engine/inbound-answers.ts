/**
 * What the sender of a document mail is told once the DPI has answered every MDM (volet B §3.5; digest §A7): an MDN
 * when the mail asked for one (Disposition-Notification-To), success or error, carrying the original mail and its
 * attachments; otherwise, on failure, the standard error mail to the configured error mailbox (or the sender when
 * none is configured). Several documents in one mail get one answer that names each document's outcome
 * (docs/decisions.md).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { simpleParser, type ParsedMail } from 'mailparser';
import { readVoletBAck, voletBApplicationErrors } from '../cisis/index.js';
import { buildErrorMail, buildMdn, type ComposedReply, type InboundOutcomeError, type SmtpSubmitter } from '../mss/index.js';
import {
  claimInboundAnswers, getMessageRaw, listInboundMdms, markInboundAnswered, markInboundAnswerRetry,
  type ClaimedInboundMail, type InboundAnswer, type Store,
} from '../store/index.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { silentLogger, type Logger } from './logger.js';

export interface AnswerMailbox {
  address: string;
  label: string;
  /** Absent when no SMTP endpoint is configured: nothing can be answered. */
  submitter?: SmtpSubmitter;
}

export interface InboundAnswererOptions {
  store: Store;
  /** The application mailboxes by address (lower case): each answers from the mailbox that received the mail. */
  mailboxes: ReadonlyMap<string, AnswerMailbox>;
  /** Receives the error mails when no MDN was asked; empty = the sender. */
  errorMailbox: string;
  /**
   * RFC 8098 §2.1: an automatic MDN to an address other than Return-Path may be unwanted. 'always' (the volet's
   * default reading) or 'return-path' (only when they match; otherwise the error mail path is taken).
   */
  mdnPolicy: 'always' | 'return-path';
  reportingUa: string;
  maxMailBytes: number;
  backoff: BackoffPolicy;
  pollMs: number;
  leaseMs: number;
  /** Called after mails were answered (their mailbox may move them now). */
  afterAnswered?: () => void;
  log?: Logger;
}

interface DocumentOutcome { uniqueId: string; ok: boolean; refused: boolean; code?: string; label?: string }

/** Each MDM's outcome from its outbox row: done = integrated; dead = refused (90x) or failed (technical, tries exhausted). */
async function outcomes(store: Store, m: ClaimedInboundMail): Promise<DocumentOutcome[]> {
  const rows = await listInboundMdms(store.db, m.messageRowId);
  return m.documents.map((d) => {
    const row = rows.find((r) => r.controlId === d.controlId);
    if (row?.state === 'done') return { uniqueId: d.uniqueId, ok: true, refused: false };
    const verdict = row?.ack ? readVoletBAck(row.ack, d.controlId) : undefined;
    if (verdict?.outcome === 'refused') return { uniqueId: d.uniqueId, ok: false, refused: true, code: verdict.code, label: verdict.label };
    const why = verdict?.outcome === 'technical' ? `erreur technique du DPI${verdict.code ? ` (${verdict.code})` : ''}` : 'le DPI n\'a pas accusé réception à temps';
    return { uniqueId: d.uniqueId, ok: false, refused: false, code: '906', label: `${voletBApplicationErrors['906']} : ${why}` };
  });
}

/** One error for the whole mail: the first failing document's code; the label names every document when there are several. */
function mailError(docs: readonly DocumentOutcome[], m: ClaimedInboundMail): InboundOutcomeError | undefined {
  if (m.errorCode) return { code: m.errorCode, label: m.errorLabel ?? voletBApplicationErrors['906'] };
  const failing = docs.find((d) => !d.ok);
  if (!failing) return undefined;
  if (docs.length === 1) return { code: failing.code ?? '906', label: failing.label ?? voletBApplicationErrors['906'] };
  const lines = docs.map((d, i) => `document ${i + 1}/${docs.length} (${d.uniqueId}) : ${d.ok ? 'intégré' : `${d.code} ${d.label}`}`);
  return { code: failing.code ?? '906', label: lines.join(' ; ') };
}

function address(v: unknown): string | undefined {
  const text = typeof v === 'string' ? v : typeof v === 'object' && v !== null && 'value' in v
    ? ((v as { value: { address?: string }[] }).value[0]?.address ?? '') : '';
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(text) ?? /([^<>\s,;]+@[^<>\s,;]+)/.exec(text);
  return m?.[1]?.toLowerCase();
}

export class InboundAnswerer {
  readonly #o: InboundAnswererOptions;
  readonly #log: Logger;
  readonly #workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  #loop: Promise<void> | undefined;
  #stop = false;
  #wake: (() => void) | undefined;
  #notified = false;

  constructor(o: InboundAnswererOptions) {
    this.#o = o;
    this.#log = (o.log ?? silentLogger).child({ component: 'inbound-answers' });
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  notify(): void {
    this.#notified = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stop = true;
    this.#wake?.();
    await this.#loop;
  }

  /** One round: answers every mail that is due; returns how many. */
  async drain(): Promise<number> {
    let n = 0;
    for (;;) {
      const batch = await claimInboundAnswers(this.#o.store.db, { limit: 10, workerId: this.#workerId, leaseMs: this.#o.leaseMs });
      for (const m of batch) {
        await this.#answer(m);
        n++;
      }
      if (batch.length > 0) this.#o.afterAnswered?.();
      if (batch.length === 0 || this.#stop) return n;
    }
  }

  async #run(): Promise<void> {
    while (!this.#stop) {
      try {
        this.#notified = false;
        await this.drain();
      } catch (e) {
        this.#log.warn({ err: String(e) }, 'inbound answers: store unavailable, waiting');
      }
      if (this.#stop) break;
      if (this.#notified) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.#o.pollMs);
        this.#wake = () => { clearTimeout(t); this.#wake = undefined; resolve(); };
      });
    }
  }

  async #answer(m: ClaimedInboundMail): Promise<void> {
    const log = this.#log.child({ inbound: m.id });
    const raw = await getMessageRaw(this.#o.store.db, m.messageRowId);
    const docs = await outcomes(this.#o.store, m);
    const error = mailError(docs, m);
    const outcome: InboundAnswer['outcome'] = error === undefined ? 'integrated' : docs.some((d) => d.refused) ? 'refused' : 'failed';
    const mailbox = this.#o.mailboxes.get(m.mailbox.toLowerCase());
    const settle = (a: Omit<InboundAnswer, 'outcome' | 'errorCode' | 'errorLabel'>) => markInboundAnswered(this.#o.store.db, m.id, {
      outcome, ...a, errorCode: error?.code ?? null, errorLabel: error?.label ?? null,
    }, m.claimedBy);
    if (!raw || !mailbox) {
      log.error({ mailbox: m.mailbox }, 'cannot answer: the mail or its mailbox is gone');
      await settle({ answerKind: 'none' });
      return;
    }
    let original: ParsedMail;
    try {
      original = await simpleParser(raw);
    } catch {
      await settle({ answerKind: 'none' });
      return;
    }
    const notificationTo = address(original.headers.get('disposition-notification-to'));
    const returnPath = address(original.headers.get('return-path'));
    const wantsMdn = notificationTo !== undefined && (this.#o.mdnPolicy === 'always' || notificationTo === returnPath);
    if (!wantsMdn && error === undefined) {
      await settle({ answerKind: 'none' });
      log.info({}, 'integrated; no MDN asked');
      return;
    }
    const domain = mailbox.address.slice(mailbox.address.indexOf('@') + 1);
    const messageId = `<relais.answer.${m.id}.${randomUUID()}@${domain}>`;
    const originalRecipient = address(original.headers.get('original-recipient')) ?? address(original.to);
    const base = {
      from: { address: mailbox.address, label: mailbox.label },
      original: { raw, messageId: original.messageId ?? m.mailMessageId, subject: original.subject ?? '', ...(originalRecipient ? { originalRecipient } : {}) },
      error,
      // Volet B §3.5: the original attachments (IHE_XDM.zip, the PDF) travel back beside the report.
      reattach: original.attachments
        .filter((a) => /^ihe_xdm\.zip$/i.test(a.filename ?? '') || a.contentType === 'application/pdf')
        .map((a) => ({ fileName: a.filename ?? 'piece-jointe', contentType: a.contentType, content: a.content })),
      messageId, date: new Date(), maxBytes: this.#o.maxMailBytes,
    };
    let reply: ComposedReply;
    let kind: 'mdn' | 'error_mail';
    try {
      if (wantsMdn) {
        reply = await buildMdn({ ...base, to: notificationTo!, finalRecipient: mailbox.address, reportingUa: this.#o.reportingUa });
        kind = 'mdn';
      } else {
        const to = this.#o.errorMailbox || address(original.from);
        if (!to) { await settle({ answerKind: 'none' }); return; }
        reply = await buildErrorMail({ ...base, error: error!, to });
        kind = 'error_mail';
      }
    } catch (e) {
      log.error({ err: String(e) }, 'cannot build the answer');
      await settle({ answerKind: 'none' });
      return;
    }
    if (!mailbox.submitter) {
      await settle({ answerKind: 'none' });
      log.warn({ answer: kind }, 'an answer was owed but no SMTP endpoint is configured');
      return;
    }
    const sent = await mailbox.submitter.send({ raw: reply.raw, envelope: reply.envelope, messageId: reply.messageId });
    if (sent.ok) {
      await settle({ answerKind: kind, answerMessageId: reply.messageId });
      log.info({ answer: kind, outcome }, 'sender answered');
    } else if (sent.kind === 'permanent') {
      await settle({ answerKind: 'none' });
      log.warn({ code: sent.code }, 'the answer was refused by the operator');
    } else {
      const next = new Date(Date.now() + backoffDelay(this.#o.backoff, m.answerAttempts));
      await markInboundAnswerRetry(this.#o.store.db, m.id, next, sent.code, m.claimedBy);
      log.warn({ code: sent.code, next: next.toISOString() }, 'answer not sent: will try again');
    }
  }
}
