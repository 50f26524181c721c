/**
 * Reads one application mailbox over IMAP (digest §A8): STARTTLS with the ORG AUTH_CLI certificate, AUTHENTICATE
 * PLAIN, then by UID from the last one handled (the cursor is in the store with UIDVALIDITY, so a restart resumes
 * and a new UIDVALIDITY re-reads the folder, which the idempotent intake absorbs). Mails leave the INBOX only once
 * settled — answered after the DPI's ACK, or set aside — into the configured folders. IDLE when the server offers
 * it, polling otherwise; a lost connection is reopened with back-off. Whether the mailbox can be read is kept as a
 * PeerHealth for the dashboard and /metrics.
 */
import type { MailboxConfig } from '../config/index.js';
import { isRelaisError } from '../domain/index.js';
import { createImapSession, type ImapSession, type TraceSink } from '../mss/index.js';
import { advanceMailboxCursor, getMailboxCursor, listInboundToMove, markInboundMoved, recordInboundMail, type Store } from '../store/index.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { handleInboundMail, type InboundIntakeOptions } from './inbound-intake.js';
import { silentLogger, type Logger } from './logger.js';
import { hostPort, type MssLink } from './mss-delivery.js';
import { PeerHealth, type PeerStatus } from './peer-health.js';

export interface MailboxReaderOptions {
  store: Store;
  mailbox: MailboxConfig;
  link: MssLink;
  allowTls13: boolean;
  onTrace: TraceSink;
  intake: Omit<InboundIntakeOptions, 'store'>;
  /** Where a settled mail goes: processed, error, or set aside (not a document mail). */
  folders: { processed: string; error: string; other: string };
  /** Called after mails were recorded (to wake the MDM sender). */
  onRecorded?: () => void;
  timeoutMs: number;
  backoff: BackoffPolicy;
  maxMessageBytes: number;
  log?: Logger;
  now?: () => Date;
}

/** The mailbox as its reader last saw it; `contacted` is false until the first attempt has ended. */
export interface MailboxReaderStatus {
  readonly peer: PeerStatus;
  readonly contacted: boolean;
}

const INBOX = 'INBOX';

export class MailboxReader {
  readonly address: string;
  readonly #o: MailboxReaderOptions;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #health: PeerHealth;
  #session: ImapSession | undefined;
  #loop: Promise<void> | undefined;
  #stop = false;
  #sleep: (() => void) | undefined;
  /** Ends the running IMAP wait (IDLE): notify() and stop() do not wait for the poll period. */
  #wake: AbortController | undefined;
  /** notify() came during a read pass: read again before waiting, or the news waits a whole poll period. */
  #notified = false;
  #failures = 0;

  constructor(o: MailboxReaderOptions) {
    this.#o = o;
    this.address = o.mailbox.address;
    this.#log = (o.log ?? silentLogger).child({ component: 'mailbox-reader', mailbox: o.mailbox.address });
    this.#now = o.now ?? (() => new Date());
    this.#health = new PeerHealth(this.#now());
  }

  status(): MailboxReaderStatus {
    return { peer: this.#health.status(), contacted: this.#health.contacted };
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Reads now instead of at the next poll (e.g. an answer was sent and its mail can move). */
  notify(): void {
    this.#notified = true;
    this.#sleep?.();
    this.#wake?.abort();
  }

  /** Ends at once even mid-IDLE: the session logs out politely, or is closed after a short bound. */
  async stop(): Promise<void> {
    this.#stop = true;
    this.#sleep?.();
    this.#wake?.abort();
    await this.#session?.logout().catch(() => undefined);
    await this.#loop;
  }

  async #connect(): Promise<ImapSession> {
    const { host, port } = hostPort(this.#o.mailbox.imap, 'mss.mailboxes[].imap');
    return createImapSession({
      host, port, tlsMode: this.#o.mailbox.tlsMode, bal: { address: this.#o.mailbox.address, password: this.#o.mailbox.password },
      credentials: this.#o.link.credentials, trust: this.#o.link.trust, allowTls13: this.#o.allowTls13, onTrace: this.#o.onTrace,
      requireCrl: this.#o.link.requireCrl, ...(this.#o.link.crl ? { crl: this.#o.link.crl } : {}),
      log: this.#log, timeouts: { connectMs: Math.min(this.#o.timeoutMs, 30_000), socketMs: this.#o.timeoutMs },
      maxMessageBytes: this.#o.maxMessageBytes,
    });
  }

  async #run(): Promise<void> {
    while (!this.#stop) {
      try {
        if (!this.#session?.usable) this.#session = await this.#connect();
        this.#notified = false;
        await this.cycle(this.#session);
        this.#failures = 0;
        if (this.#health.markUp(this.#now())) this.#log.info({}, 'mailbox readable again');
        if (this.#stop) break;
        if (this.#notified) continue;
        // IDLE returns at once when new mail comes; the poll bound also moves answered mails in time.
        const wake = new AbortController();
        this.#wake = wake;
        try {
          await this.#session.waitForNew(this.#o.mailbox.pollSeconds * 1000, wake.signal).catch(() => false);
        } finally {
          this.#wake = undefined;
        }
      } catch (e) {
        // A session closed by stop() is not a mailbox failure.
        if (this.#stop) break;
        this.#failures++;
        // Only the code goes to the dashboard: a message may quote a server line.
        const code = isRelaisError(e) ? e.code : 'imap_failed';
        this.#health.markFailure(code, this.#now());
        const delay = backoffDelay(this.#o.backoff, this.#failures);
        this.#log.warn({ code, err: e instanceof Error ? e.message : String(e), retryInMs: delay }, 'mailbox unavailable: will reconnect');
        await this.#session?.logout().catch(() => undefined);
        this.#session = undefined;
        await new Promise<void>((r) => { const t = setTimeout(r, delay); this.#sleep = () => { clearTimeout(t); r(); }; });
      }
    }
    // A session opened while stop() was already waiting would stay open otherwise (logout is idempotent).
    await this.#session?.logout().catch(() => undefined);
  }

  /** One pass: read what is new, then move what is settled. Public for tests and the demo. */
  async cycle(session: ImapSession): Promise<{ read: number; moved: number }> {
    const { store, mailbox } = this.#o;
    const folder = await session.open(INBOX);
    const uidValidity = folder.uidValidity.toString();
    const cursor = await getMailboxCursor(store.db, mailbox.address, INBOX);
    let next = cursor && cursor.uidValidity === uidValidity ? cursor.lastUid + 1 : 1;
    let read = 0;
    for (;;) {
      const batch = await session.fetchFrom(next, { limit: 20 });
      if (batch.length === 0) break;
      for (const msg of batch) {
        if (msg.source) {
          const r = await handleInboundMail({
            mailbox: mailbox.address, uidValidity, uid: msg.uid, raw: msg.source, receivedAt: msg.internalDate ?? new Date(),
          }, { ...this.#o.intake, store });
          this.#log.info({ uid: msg.uid, kind: r.kind }, 'mail read');
        } else {
          // Too large to read safely: not read, so its sender cannot be told; it goes to the error folder for a human.
          await recordInboundMail(store.db, {
            mailbox: mailbox.address, uidValidity, uid: msg.uid, raw: Buffer.alloc(0), peer: '',
            mailMessageId: msg.messageId ?? `<too-large.${uidValidity}.${msg.uid}@relais>`, kind: 'xdm', state: 'answered', outcome: 'failed',
            error: { code: '906', label: `Courriel trop volumineux pour être lu (${msg.size} octets, limite ${this.#o.maxMessageBytes})` },
          });
          this.#log.warn({ uid: msg.uid, size: msg.size, limit: this.#o.maxMessageBytes }, 'mail above the size limit: not read, filed in the error folder');
        }
        next = msg.uid + 1;
        await advanceMailboxCursor(store.db, mailbox.address, INBOX, { uidValidity, lastUid: msg.uid });
        read++;
      }
      this.#o.onRecorded?.();
    }
    let moved = 0;
    const settled = await listInboundToMove(store.db, mailbox.address, uidValidity);
    const byFolder = new Map<string, { ids: string[]; uids: number[] }>();
    for (const s of settled) {
      const target = s.kind === 'xdm' ? (s.outcome === 'integrated' ? this.#o.folders.processed : this.#o.folders.error)
        : s.kind === 'receipt' ? this.#o.folders.processed : this.#o.folders.other;
      const group = byFolder.get(target) ?? { ids: [], uids: [] };
      group.ids.push(s.id);
      group.uids.push(s.uid);
      byFolder.set(target, group);
    }
    for (const [target, g] of byFolder) {
      await session.move(g.uids, target);
      await markInboundMoved(store.db, g.ids, target);
      moved += g.uids.length;
    }
    return { read, moved };
  }
}
