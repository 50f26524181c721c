/**
 * Wires the reading of the application mailboxes for a node (volet B): one MailboxReader per mailbox with an IMAP
 * endpoint, and the InboundAnswerer that tells each sender the outcome once the DPI has answered.
 */
import type { VoletBCareUnit, VoletBDirectoryEntry } from '../cisis/index.js';
import type { RelaisConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { InboundAnswerer, type AnswerMailbox } from './inbound-answers.js';
import type { Logger } from './logger.js';
import { MailboxReader } from './mailbox-reader.js';
import { createMailboxSubmitter, loadMssLink } from './mss-delivery.js';
import type { TraceWriter } from './trace-writer.js';
import type { ZamIdentity } from './zam-queue.js';

export interface MssInbound {
  readonly readers: readonly MailboxReader[];
  readonly answerer: InboundAnswerer;
  /** An MDM got its final answer: answer the mail now. */
  notifyAnswers(): void;
  close(): Promise<void>;
}

/** mss.directory as the volet B builder reads it: address → person / organisation. */
export function directoryOf(config: RelaisConfig): Record<string, VoletBDirectoryEntry> {
  const out: Record<string, VoletBDirectoryEntry> = {};
  for (const d of config.mss.directory) {
    out[d.address.toLowerCase()] = {
      ...(d.personId ? { person: { id: d.personId, idType: d.personIdType, ...(d.family ? { family: d.family } : {}), ...(d.given ? { given: d.given } : {}) } } : {}),
      ...(d.organizationId ? { organization: { id: d.organizationId, idType: d.organizationIdType, ...(d.organizationName ? { name: d.organizationName } : {}) } } : {}),
    };
  }
  return out;
}

/** mss.careUnits as the volet B builder reads it: receiving mailbox → care unit. */
export function careUnitsOf(config: RelaisConfig): Record<string, VoletBCareUnit> {
  const out: Record<string, VoletBCareUnit> = {};
  for (const u of config.mss.careUnits) {
    out[u.mailbox.toLowerCase()] = { name: u.name, id: u.id, type: u.type, ...(u.authority ? { authority: u.authority } : {}) };
  }
  return out;
}

export function startMssInbound(config: RelaisConfig, o: {
  store: Store; log: Logger; traces: TraceWriter; version: string; nextControlId: () => string; zam: ZamIdentity;
  /** Accept archives whose patient has a test INS OID (…4.10, …4.11): test platforms and the demo. */
  testOids: boolean;
  /** New MDMs are in the outbox. */
  onRecorded: () => void;
}): MssInbound | undefined {
  const c = config.mss;
  const reading = c.mailboxes.filter((m) => m.imap !== '');
  if (reading.length === 0) return undefined;
  const link = loadMssLink(config);
  const timeoutMs = c.timeoutSeconds * 1000;
  const answerMailboxes = new Map<string, AnswerMailbox>();
  const canSend = c.mailboxes.some((m) => m.smtp !== '');
  if (!canSend) o.log.warn({}, 'no MSSanté mailbox has an SMTP endpoint: inbound mails are handed to the DPI but their senders get no MDN or error mail');
  for (const m of reading) {
    answerMailboxes.set(m.address.toLowerCase(), {
      address: m.address, label: m.label, ...(canSend ? { submitter: createMailboxSubmitter(config, m, link, o.traces, o.log) } : {}),
    });
  }
  const backoff = { baseMs: 5_000, maxMs: 300_000, factor: 2, jitter: 'full' as const };
  const readers = reading.map((mailbox) => new MailboxReader({
    store: o.store, mailbox, link, allowTls13: c.tls13, onTrace: o.traces.sink,
    intake: {
      sendingApp: config.establishment.applicationName, sendingFacility: config.establishment.finessGeographique,
      // MSH-5/6 as the DPI's interface engine routes them (dpi.application / dpi.facility).
      receivingApp: config.dpi.application, receivingFacility: config.dpi.facility || config.establishment.finessGeographique,
      nextControlId: o.nextControlId, zam: o.zam,
      testOids: o.testOids,
      directory: directoryOf(config), careUnits: careUnitsOf(config),
      log: o.log,
    },
    folders: { processed: mailbox.processedFolder, error: mailbox.errorFolder, other: mailbox.otherFolder },
    onRecorded: o.onRecorded, timeoutMs, backoff, maxMessageBytes: c.maxInboundMailBytes, log: o.log,
  }));
  const answerer = new InboundAnswerer({
    store: o.store, mailboxes: answerMailboxes, errorMailbox: c.errorMailbox, mdnPolicy: c.mdnPolicy,
    reportingUa: `${config.establishment.name}; Relais ${o.version}`, maxMailBytes: c.maxMailBytes * 2,
    backoff, pollMs: 5_000, leaseMs: 3 * timeoutMs, log: o.log,
    // Once a mail is answered its reader moves it out of the INBOX: wake them rather than wait for the poll.
    afterAnswered: () => { for (const r of readers) r.notify(); },
  });
  for (const r of readers) r.start();
  answerer.start();
  return {
    readers, answerer,
    notifyAnswers: () => { answerer.notify(); },
    async close() {
      await Promise.all(readers.map((r) => r.stop()));
      await answerer.stop();
      for (const m of answerMailboxes.values()) m.submitter?.close();
    },
  };
}
