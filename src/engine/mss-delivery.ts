/**
 * Wires MSSanté sending for a node: the ORG AUTH_CLI credentials and the operator's trust chain from the `mss`
 * section, one pooled SMTP submitter for the sending application mailbox, the trace writer, and a DeliveryWorker
 * for each kind of mail order (professionals, patient mailboxes). Without a mailbox that has an SMTP endpoint
 * nothing starts and the orders wait in the store.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VoletAConfig } from '../cisis/index.js';
import type { MailboxConfig, RelaisConfig } from '../config/index.js';
import { RelaisError, type DestinationKind } from '../domain/index.js';
import { createSmtpSubmitter, type SmtpSubmitter } from '../mss/index.js';
import { createPdfRenderPool } from '../pdfa/index.js';
import { createCrlCache, createTrustStore, loadCredentials, type Credentials, type CrlSource, type TrustStore } from '../pki/index.js';
import type { Store } from '../store/index.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker.js';
import type { Logger } from './logger.js';
import { createMssSender } from './mss-sender.js';
import { parseEndpoint } from './notification-sender.js';
import { TraceWriter } from './trace-writer.js';

export interface MssDelivery {
  readonly workers: readonly DeliveryWorker[];
  readonly submitter: SmtpSubmitter;
  readonly mailbox: MailboxConfig;
  /** Wakes the workers (a new order was accepted). */
  notify(): void;
  close(o?: { timeoutMs?: number }): Promise<void>;
}

export interface MssLink {
  credentials: Credentials;
  trust: TrustStore;
  /** Revocation lists of the operator chain, kept valid (CONF.22); absent when none is configured. */
  crl?: CrlSource;
  requireCrl: boolean;
}

/** ORG AUTH_CLI and the chain the operator's servers must present (CONF.27): nothing else is trusted. */
export function loadMssLink(config: RelaisConfig): MssLink {
  const c = config.mss;
  const pem = (name: string): string => join(c.pkiDir, name);
  const credentials = loadCredentials({ format: 'pem', certFile: pem('auth-cli.pem'), keyFile: pem('auth-cli.key') });
  const files = c.caFile !== '' ? [c.caFile] : [pem('root-ca.pem'), pem('org-ca.pem')].filter((f, i) => i === 0 || existsSync(f));
  let bundle: Buffer;
  try {
    bundle = Buffer.concat(files.map((f) => readFileSync(f)));
  } catch (e) {
    throw new RelaisError('RLS_CONFIG_INVALID', `cannot read the MSSanté trust chain: ${(e as Error).message}`, { key: 'mss.caFile' });
  }
  const trust = createTrustStore('mss', bundle);
  const crl = c.crlLocations.length === 0 ? undefined : createCrlCache({
    locations: c.crlLocations.map((l) => (/^https?:/.test(l) ? { url: l } : { file: l })), issuers: trust,
  });
  if (!crl && c.requireCrl) {
    throw new RelaisError('RLS_CONFIG_INVALID', 'mss.requireCrl is set but mss.crlLocations is empty', { key: 'mss.crlLocations' });
  }
  return { credentials, trust, ...(crl ? { crl } : {}), requireCrl: c.requireCrl };
}

/** host:port of a configured MSSanté endpoint (already checked by the configuration). */
export function hostPort(value: string, key: string): { host: string; port: number } {
  const endpoint = parseEndpoint(value, key);
  if (!endpoint) throw new RelaisError('RLS_CONFIG_INVALID', `${key} is empty`, { key });
  return endpoint;
}

const MAIL_KINDS: readonly DestinationKind[] = ['mss_ps', 'mss_patient'];

/**
 * The pooled SMTP submitter of one application mailbox: its own endpoint, or the first configured one when it has
 * none (the same operator), always authenticated as itself, so its answers leave From the mailbox that received.
 */
export function createMailboxSubmitter(config: RelaisConfig, mailbox: MailboxConfig, link: MssLink, traces: TraceWriter, log: Logger): SmtpSubmitter {
  const c = config.mss;
  const endpoint = mailbox.smtp || c.mailboxes.find((m) => m.smtp !== '')?.smtp;
  if (!endpoint) throw new RelaisError('RLS_CONFIG_INVALID', `no SMTP endpoint to send from ${mailbox.address}`, { key: 'mss.mailboxes[].smtp' });
  const { host, port } = hostPort(endpoint, 'mss.mailboxes[].smtp');
  const timeoutMs = c.timeoutSeconds * 1000;
  return createSmtpSubmitter({
    host, port, tlsMode: mailbox.tlsMode, bal: { address: mailbox.address, password: mailbox.password },
    credentials: link.credentials, trust: link.trust, allowTls13: c.tls13, requireCrl: link.requireCrl, ...(link.crl ? { crl: link.crl } : {}),
    pool: { maxConnections: c.connections }, timeouts: { connectMs: Math.min(timeoutMs, 30_000), socketMs: timeoutMs },
    onTrace: traces.sink, log,
  });
}

export function startMssDelivery(
  config: RelaisConfig,
  o: {
    store: Store; validation: VoletAConfig; log: Logger; version: string; traces: TraceWriter;
    onSettled?: DeliveryWorkerOptions['onSettled']; afterSettled?: DeliveryWorkerOptions['afterSettled'];
  },
): MssDelivery | undefined {
  const c = config.mss;
  const mailbox = c.mailboxes.find((m) => m.smtp !== '');
  if (!mailbox) {
    o.log.warn({}, 'no MSSanté mailbox with an SMTP endpoint (mss.mailboxes[].smtp): mail orders stay pending until one is set');
    return undefined;
  }
  const link = loadMssLink(config);
  const traces = o.traces;
  const timeoutMs = c.timeoutSeconds * 1000;
  const submitter = createMailboxSubmitter(config, mailbox, link, traces, o.log);
  // N3 PDF copies are drawn off the main thread, which keeps answering MLLP frames and the console meanwhile.
  const pdfRenderer = createPdfRenderPool(c.pdfRenderThreads === 0 ? {} : { size: c.pdfRenderThreads });
  const send = createMssSender({
    store: o.store, submitter, from: { address: mailbox.address, label: mailbox.label },
    ...(c.replyTo ? { replyTo: c.replyTo } : {}),
    productReference: c.productReference, maxMailBytes: c.maxMailBytes, sourceOid: config.dmp.sourceOid,
    sender: {
      organisation: config.establishment.name,
      contact: [c.replyTo || mailbox.address],
      software: { name: 'Relais', version: o.version },
    },
    validation: o.validation, pdfRenderer, log: o.log,
  });
  const workers = MAIL_KINDS.map((kind) => new DeliveryWorker({
    store: o.store, kind, log: o.log, send,
    probe: async () => (await submitter.verify()).ok,
    backoff: { baseMs: 5_000, maxMs: 300_000, factor: 2, jitter: 'full' },
    probeBackoff: { baseMs: 10_000, maxMs: 300_000, factor: 2, jitter: 'full' },
    concurrency: c.connections, pollMs: 5_000,
    // Building the archive and the PDF, then one SMTP transaction.
    leaseMs: 3 * timeoutMs,
    ...(o.onSettled ? { onSettled: o.onSettled } : {}),
    ...(o.afterSettled ? { afterSettled: o.afterSettled } : {}),
  }));
  for (const w of workers) w.start();
  let closing: Promise<void> | undefined;
  return {
    workers, submitter, mailbox,
    notify() { for (const w of workers) w.notify(); },
    close(x = {}) {
      closing ??= Promise.all(workers.map((w) => w.stop(x.timeoutMs === undefined ? {} : { timeoutMs: x.timeoutMs })))
        .then(() => Promise.all([submitter.close(), pdfRenderer.close()]))
        .then(() => undefined);
      return closing;
    },
  };
}
