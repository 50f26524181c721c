/**
 * The live state of the DPI and of a reading mailbox, as real connections make it: down with the failure's code
 * when nothing listens, up once a real peer answers (an MLLP listener that ACKs, the Postfix + Dovecot stand-in).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type MailboxConfig } from '../config/index.js';
import { MllpServer, buildAck, parseEr7 } from '../hl7/index.js';
import { writeTestChain } from '../pki/index.js';
import { mssSkip, startTestMss, type TestMss } from '../sandbox/mss/testing.js';
import { insertMessage, insertNotification, listNotifications, type Store } from '../store/index.js';
import { forEachDriver, sampleMessage } from '../store/testing.js';
import { silentLogger } from './logger.js';
import { MailboxReader } from './mailbox-reader.js';
import { loadMssLink, type MssLink } from './mss-delivery.js';
import { NotificationSender } from './notification-sender.js';

/** A port nothing listens on (taken then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Polls until `check` holds; fails after a bound rather than hang. */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

const zam = (controlId: string): Buffer =>
  Buffer.from(`MSH|^~\\&|RELAIS|990000000|DPI|990000000|20261126101500||ZAM^Z01^ZAM|${controlId}|P|2.6\r`);

forEachDriver('DPI state seen by the notification sender', (ctx) => {
  it('is "not contacted" before a send, down with the transport error on a closed port, up once a listener ACKs (even AE)', async () => {
    const port = await closedPort();
    const messageId = (await insertMessage(ctx.store.db, sampleMessage({ controlId: `MSG-${port}` }))).id;
    await insertNotification(ctx.store.db, { messageId, kind: 'zam_z01', payload: zam('Z1'), controlId: 'Z1' });
    const sender = new NotificationSender({
      store: ctx.store, endpoint: { host: '127.0.0.1', port }, ackTimeoutMs: 2_000, connectTimeoutMs: 2_000,
      backoff: { baseMs: 20, maxMs: 50, factor: 1, jitter: 'none' }, maxAttempts: 1000, pollMs: 20, leaseMs: 15_000, log: silentLogger,
    });
    assert.equal(sender.status().contacted, false);
    let dpi: MllpServer | undefined;
    try {
      sender.start();
      await until('the DPI marked down', () => sender.status().contacted && !sender.status().peer.healthy);
      const down = sender.status().peer;
      assert.ok(!down.healthy);
      assert.equal(down.lastError, 'RLS_MLLP_CONNECTION');
      await until('later failures counted as failed probes', () => { const p = sender.status().peer; return !p.healthy && p.failedProbes >= 2; });

      // The DPI appears on that port and refuses: it answered, so it is up; the notification still waits.
      let received = 0;
      dpi = new MllpServer({
        port, host: '127.0.0.1', maxFrameBytes: 1024 * 1024,
        onMessage: async (payload) => {
          received += 1;
          return buildAck(parseEr7(payload), { code: 'AE', controlId: `DPI${received}`, timestamp: new Date() });
        },
      });
      await dpi.listen();
      await until('the DPI marked up', () => sender.status().peer.healthy);
      assert.ok(received >= 1);
      assert.equal(sender.status().contacted, true);
      const [n] = await listNotifications(ctx.store.db, {});
      assert.notEqual(n?.state, 'done');
    } finally {
      await sender.stop({ timeoutMs: 2000 });
      await dpi?.close({ timeoutMs: 1000 });
    }
  });
});

const bal = { address: 'relais@app.test.mssante.fr', password: 'imap-secret-Qz9' };

function reader(store: Store, mailbox: MailboxConfig, link: MssLink): MailboxReader {
  const nextControlId = (): string => `C${Date.now()}`;
  return new MailboxReader({
    store, mailbox, link, allowTls13: true, onTrace: () => undefined,
    intake: {
      sendingApp: 'RELAIS', sendingFacility: '990000000', receivingApp: 'DPI', receivingFacility: '990000000', nextControlId,
      zam: { applicationName: 'RELAIS', facility: '990000000', nextControlId }, testOids: true, log: silentLogger,
    },
    folders: { processed: mailbox.processedFolder, error: mailbox.errorFolder, other: mailbox.otherFolder },
    timeoutMs: 5_000, backoff: { baseMs: 20, maxMs: 50, factor: 1, jitter: 'none' }, maxMessageBytes: 1024 * 1024, log: silentLogger,
  });
}

function mailboxConfig(env: Record<string, string>): { mailbox: MailboxConfig; link: MssLink } {
  const config = loadConfig({ env });
  return { mailbox: config.mss.mailboxes[0]!, link: loadMssLink(config) };
}

forEachDriver('reading mailbox state', (ctx) => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relais-peer-state-'));
    await writeTestChain(join(dir, 'pki'), { freshKeys: false });
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('goes down with the failure code when nothing listens on the IMAP port, and counts the retries', async () => {
    const { mailbox, link } = mailboxConfig({
      RELAIS_MSS_IMAP: `127.0.0.1:${await closedPort()}`, RELAIS_MSS_BAL: bal.address, RELAIS_MSS_PASSWORD: bal.password,
      RELAIS_PKI_DIR: join(dir, 'pki'),
    });
    const r = reader(ctx.store, mailbox, link);
    assert.equal(r.address, bal.address);
    assert.equal(r.status().contacted, false);
    r.start();
    try {
      await until('the mailbox marked down', () => r.status().contacted && !r.status().peer.healthy);
      const peer = r.status().peer;
      assert.ok(!peer.healthy);
      assert.equal(peer.lastError, 'RLS_MSS_UNAVAILABLE');
      await until('later failures counted as failed probes', () => { const p = r.status().peer; return !p.healthy && p.failedProbes >= 2; });
      assert.ok(!JSON.stringify(r.status()).includes(bal.password));
    } finally {
      await r.stop();
    }
  });
});

describe('reading mailbox state against the MSSanté stand-in', { skip: mssSkip() }, () => {
  let mss: TestMss;
  before(async () => { mss = await startTestMss(); });
  after(async () => { await mss?.stop(); });

  forEachDriver('reading mailbox state (stand-in)', (ctx) => {
    const env = (password: string): Record<string, string> => {
      const app = mss.sandbox.mailbox('app');
      return {
        RELAIS_MSS_IMAP: `${mss.sandbox.imapHost}:${mss.sandbox.imapPort}`, RELAIS_MSS_BAL: app.address, RELAIS_MSS_PASSWORD: password,
        RELAIS_PKI_DIR: mss.pkiDir,
      };
    };

    it('is up once the mailbox has been read', async () => {
      const { mailbox, link } = mailboxConfig(env(mss.sandbox.mailbox('app').password));
      const r = reader(ctx.store, mailbox, link);
      r.start();
      try {
        await until('the mailbox read', () => r.status().contacted);
        assert.equal(r.status().peer.healthy, true);
      } finally {
        await r.stop();
      }
    });

    it('is down with the authentication failure, never quoting the password', async () => {
      const wrong = 'not-the-password-Kx4';
      const { mailbox, link } = mailboxConfig(env(wrong));
      const r = reader(ctx.store, mailbox, link);
      r.start();
      try {
        await until('the mailbox marked down', () => r.status().contacted);
        const peer = r.status().peer;
        assert.ok(!peer.healthy);
        assert.equal(peer.lastError, 'RLS_MSS_AUTH');
        assert.ok(!JSON.stringify(r.status()).includes(wrong));
      } finally {
        await r.stop();
      }
    });
  });
});
