/**
 * Stopping a mailbox reader while it waits in IMAP IDLE, against the Postfix + Dovecot stand-in: stop() does not
 * wait for the poll period (600 s here), logs out politely, leaves no IMAP connection open and does not count the
 * end of the session as a mailbox failure.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/index.js';
import type { MssTrace } from '../mss/index.js';
import { mssSkip, startTestMss, type TestMss } from '../sandbox/mss/testing.js';
import { forEachDriver } from '../store/testing.js';
import { silentLogger } from './logger.js';
import { MailboxReader } from './mailbox-reader.js';
import { loadMssLink } from './mss-delivery.js';

/** Polls until `check` holds; fails after a bound rather than hang. */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

/** Established TCP connections from this machine to a local port, client side (IPv4: the stand-in listens on 127.0.0.1). */
function connectionsTo(port: number): number {
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[3] === '01' && Number.parseInt(f[2]!.split(':')[1]!, 16) === port).length;
}

describe('stopping a mailbox reader in IDLE', { skip: mssSkip() }, () => {
  let mss: TestMss;
  before(async () => { mss = await startTestMss(); });
  after(async () => { await mss?.stop(); });

  forEachDriver('mailbox reader stop (stand-in)', (ctx) => {
    it('returns without waiting for the poll period, after a polite LOGOUT, with the connection closed and the mailbox still up', async () => {
      const app = mss.sandbox.mailbox('app');
      const config = loadConfig({ env: {
        RELAIS_MSS_IMAP: `${mss.sandbox.imapHost}:${mss.sandbox.imapPort}`, RELAIS_MSS_BAL: app.address, RELAIS_MSS_PASSWORD: app.password,
        RELAIS_PKI_DIR: mss.pkiDir,
      } });
      // Far longer than the race below: a stop that waited for the IDLE to time out could not win it.
      const mailbox = { ...config.mss.mailboxes[0]!, pollSeconds: 600 };
      const traces: MssTrace[] = [];
      const nextControlId = (): string => `C${Date.now()}`;
      const reader = new MailboxReader({
        store: ctx.store, mailbox, link: loadMssLink(config), allowTls13: true, onTrace: (t) => traces.push(t),
        intake: {
          sendingApp: 'RELAIS', sendingFacility: '990000000', receivingApp: 'DPI', receivingFacility: '990000000', nextControlId,
          zam: { applicationName: 'RELAIS', facility: '990000000', nextControlId }, testOids: true, log: silentLogger,
        },
        folders: { processed: mailbox.processedFolder, error: mailbox.errorFolder, other: mailbox.otherFolder },
        timeoutMs: 30_000, backoff: { baseMs: 20, maxMs: 50, factor: 1, jitter: 'none' }, maxMessageBytes: 1024 * 1024, log: silentLogger,
      });
      reader.start();
      let stopped = false;
      try {
        await until('the mailbox read', () => reader.status().contacted);
        assert.equal(reader.status().peer.healthy, true);
        assert.equal(connectionsTo(mss.sandbox.imapPort), 1);
        // The reader goes into IDLE right after its first read; this leaves it time to be there.
        await new Promise((r) => setTimeout(r, 500));

        let timer: NodeJS.Timeout | undefined;
        const winner = await Promise.race([
          reader.stop().then(() => 'stop' as const),
          new Promise<'timer'>((r) => { timer = setTimeout(() => r('timer'), 20_000); }),
        ]);
        clearTimeout(timer);
        assert.equal(winner, 'stop', 'stop() waited for the IDLE to end');
        stopped = true;

        // The wait that stop() ended was a real IDLE, and the session ended with an answered LOGOUT.
        const idle = traces.find((t) => t.action === 'idle');
        assert.match(idle?.request ?? '', /\bIDLE\b/, JSON.stringify(traces.map((t) => [t.action, t.request])));
        const logout = traces.find((t) => t.action === 'logout');
        assert.equal(logout?.ok, true, JSON.stringify(logout));
        assert.match(logout.request, /\bLOGOUT\b/);
        assert.equal(connectionsTo(mss.sandbox.imapPort), 0);
        // Ending the session on purpose is not a mailbox failure.
        assert.equal(reader.status().peer.healthy, true);
      } finally {
        if (!stopped) await reader.stop();
      }
    });
  });
});
