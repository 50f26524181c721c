/**
 * Test support (excluded from the build): a one-call MSSanté operator for integration tests, and small SMTP and
 * IMAP clients that speak to it the way the API LPS wants (STARTTLS, client certificate, SASL PLAIN).
 *
 *   const mss = await startTestMss();          // in before()
 *   after(() => mss.stop());
 *   await sendTestMail(mss, { from: mss.sandbox.mailbox('app'), to: [ps.address], subject: 'x', text: 'y' });
 *   const [raw] = await waitForMessages(mss, mss.sandbox.mailbox('ps'), 1);
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { credentialsFromPem, tlsClientOptions, writeTestChain, createTrustStore, type TestChainOptions } from '../../pki/index.js';
import type { MssMailbox } from './mailboxes.js';
import { mssSandboxUnavailable, startMssSandbox, type MssSandbox, type MssSandboxOptions } from './mss-sandbox.js';

export interface TestMss {
  sandbox: MssSandbox;
  /** The test chain (root-ca.pem, org-ca.pem, auth-cli.pem/.key, sign.*, server.*). */
  pkiDir: string;
  /** TLS options of a client inside the profile: auth-cli.pem as client certificate, the test chain as the only trust. */
  clientTls: ConnectionOptions;
  stop(): Promise<void>;
}

/** Why MSSanté integration tests must skip here (Postfix or Dovecot missing, not root), or false. Use as `{ skip: mssSkip() }`. */
export function mssSkip(): string | false {
  const why = mssSandboxUnavailable();
  return why === undefined ? false : `MSSanté sandbox unavailable: ${why}`;
}

/** Writes a fresh test chain in a temporary directory and starts the operator on it; `stop()` removes everything. */
export async function startTestMss(o: Partial<Omit<MssSandboxOptions, 'pkiDir' | 'dataDir'>> & { chain?: TestChainOptions } = {}): Promise<TestMss> {
  const root = mkdtempSync(join(tmpdir(), 'relais-mss-'));
  // The mail daemons' own users must be able to walk down to their sockets and mailboxes.
  chmodSync(root, 0o711);
  const pkiDir = join(root, 'pki');
  // The per-process keys of the test chain: generating five RSA keys for every sandbox would cost seconds.
  await writeTestChain(pkiDir, { freshKeys: false, ...o.chain });
  const { chain: _chain, ...options } = o;
  let sandbox: MssSandbox;
  try {
    sandbox = await startMssSandbox({ ...options, pkiDir, dataDir: join(root, 'data') });
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  return {
    sandbox, pkiDir, clientTls: clientTlsFor(pkiDir),
    async stop() {
      await sandbox.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Client TLS options from a test chain directory: the MSSanté profile, auth-cli as client certificate. */
export function clientTlsFor(pkiDir: string, o: { withClientCertificate?: boolean } = {}): ConnectionOptions {
  const read = (n: string) => readFileSync(join(pkiDir, n), 'utf8');
  const trustStore = createTrustStore('mss-sandbox', read('root-ca.pem') + read('org-ca.pem'));
  const credentials = o.withClientCertificate === false ? undefined : credentialsFromPem(read('auth-cli.key'), read('auth-cli.pem'));
  return tlsClientOptions({ trustStore, servername: 'localhost', ...(credentials ? { credentials } : {}) });
}

export interface TestMail {
  from: MssMailbox;
  to: readonly string[];
  subject?: string;
  text?: string;
  /** A whole RFC 5322 message instead of subject/text. */
  raw?: string | Buffer;
  /** DSN request (RFC 3461), passed as ESMTP parameters. */
  dsn?: { id?: string; return?: 'headers' | 'full'; notify?: ('success' | 'failure' | 'delay')[]; recipient?: string };
  /** Override TLS options (e.g. no client certificate, another protocol). */
  tls?: ConnectionOptions;
  /** Override the password sent with SASL PLAIN. */
  password?: string;
  /** Skip STARTTLS (to show that AUTH is refused in clear). */
  ignoreTLS?: boolean;
}

/** Sends one mail through the sandbox's submission service; resolves with nodemailer's info (accepted, rejected, response). */
export async function sendTestMail(mss: TestMss, m: TestMail): Promise<{ accepted: unknown[]; rejected: unknown[]; response: string; messageId: string }> {
  const transport = nodemailer.createTransport({
    host: mss.sandbox.smtpHost, port: mss.sandbox.smtpPort, secure: false,
    requireTLS: m.ignoreTLS !== true, ignoreTLS: m.ignoreTLS === true,
    tls: m.tls ?? mss.clientTls,
    auth: { user: m.from.login, pass: m.password ?? m.from.password, method: 'PLAIN' },
    connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000,
  });
  try {
    const envelope = { from: m.from.address, to: [...m.to] };
    const message = m.raw === undefined
      ? { from: m.from.address, to: [...m.to], subject: m.subject ?? 'test', text: m.text ?? 'test', envelope }
      : { raw: m.raw, envelope };
    return await transport.sendMail({ ...message, ...(m.dsn ? { dsn: m.dsn } : {}) });
  } finally {
    transport.close();
  }
}

/** A logged-in IMAP client: STARTTLS, client certificate, then AUTHENTICATE PLAIN with the mailbox address. */
export async function imapClient(mss: TestMss, mailbox: MssMailbox, o: { tls?: ConnectionOptions; password?: string } = {}): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: mss.sandbox.imapHost, port: mss.sandbox.imapPort, secure: false, doSTARTTLS: true,
    tls: o.tls ?? mss.clientTls,
    auth: { user: mailbox.login, pass: o.password ?? mailbox.password, loginMethod: 'AUTH=PLAIN' },
    logger: false, connectionTimeout: 10_000, greetingTimeout: 10_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The raw messages of a folder, in UID order. */
export async function fetchRaw(mss: TestMss, mailbox: MssMailbox, folder = 'INBOX'): Promise<Buffer[]> {
  const client = await imapClient(mss, mailbox);
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const exists = typeof client.mailbox === 'object' ? client.mailbox.exists : 0;
      if (exists === 0) return [];
      const out: Buffer[] = [];
      for await (const m of client.fetch('1:*', { source: true, uid: true })) if (m.source) out.push(m.source);
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Waits until a folder holds at least `count` messages (polling over IMAP), then returns them all. */
export async function waitForMessages(mss: TestMss, mailbox: MssMailbox, count: number, o: { folder?: string; timeoutMs?: number } = {}): Promise<Buffer[]> {
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  for (;;) {
    const messages = await fetchRaw(mss, mailbox, o.folder ?? 'INBOX');
    if (messages.length >= count) return messages;
    if (Date.now() > deadline) {
      throw new Error(`${mailbox.address}: ${messages.length} message(s) after ${o.timeoutMs ?? 15_000} ms, expected ${count}\n${mss.sandbox.logs().postfix.split('\n').slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Opens a TCP connection, asks for STARTTLS in the service's own words (SMTP or IMAP) and completes the TLS
 * handshake with `tls`; resolves with the TLS socket (negotiated protocol, cipher, ephemeral key) or rejects.
 */
export async function startTls(port: number, protocol: 'smtp' | 'imap', tls: ConnectionOptions, host = '127.0.0.1'): Promise<TLSSocket> {
  const socket = createConnection({ host, port });
  socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  let buffer = '';
  const waitFor = (pattern: RegExp) => new Promise<void>((done, fail) => {
    const check = () => {
      if (pattern.test(buffer)) {
        socket.off('data', onData);
        socket.off('error', fail);
        buffer = '';
        done();
      }
    };
    const onData = (d: Buffer) => { buffer += d.toString('latin1'); check(); };
    socket.on('data', onData);
    socket.once('error', fail);
    check();
  });
  if (protocol === 'smtp') {
    await waitFor(/^220 .*\r\n/m);
    socket.write('EHLO client.test\r\n');
    await waitFor(/^250 .*\r\n/m);
    socket.write('STARTTLS\r\n');
    await waitFor(/^220 .*\r\n/m);
  } else {
    await waitFor(/^\* OK.*\r\n/m);
    socket.write('a STARTTLS\r\n');
    await waitFor(/^a OK.*\r\n/m);
  }
  socket.setTimeout(0);
  return new Promise((done, fail) => {
    const secure = tlsConnect({ ...tls, socket, servername: tls.servername ?? 'localhost' }, () => done(secure));
    secure.once('error', fail);
  });
}
