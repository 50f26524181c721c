import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestChain, credentialsFromPem, type Credentials } from '../../pki/index.js';
import { mssSkip, startTestMss, waitForMessages, type TestMss } from '../../sandbox/mss/testing.js';
import { createSmtpSubmitter, type SmtpSubmitter } from './smtp-submitter.js';
import { createImapSession } from './imap-session.js';
import type { MssTrace } from './mss-trace.js';

const skip = mssSkip();
const body = 'Compte rendu: CONTENU-CONFIDENTIEL-42';

let mss: TestMss;
let credentials: Credentials;
let trust: string;
let submitter: SmtpSubmitter;
const traces: MssTrace[] = [];
let counter = 0;

function mail(from: string, to: string[], extra = ''): { raw: Buffer; messageId: string; envelope: { from: string; to: string[] } } {
  counter += 1;
  const messageId = `<t${counter}.${Date.now()}@relais.test>`;
  const raw = Buffer.from(`From: <${from}>\r\nTo: ${to.map((t) => `<${t}>`).join(', ')}\r\nSubject: test ${counter}\r\nMessage-ID: ${messageId}\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n${extra}`);
  return { raw, messageId, envelope: { from, to } };
}

function assertClean(ts: readonly MssTrace[], password: string): void {
  const all = JSON.stringify(ts);
  assert.ok(!all.includes(password), 'a trace carries a password');
  assert.ok(!all.includes('CONTENU-CONFIDENTIEL-42'), 'a trace carries a message body');
}

describe('SMTP and IMAP against Postfix and Dovecot', { skip }, () => {
  before(async () => {
    mss = await startTestMss({ rejectUnknownAtRcpt: true, messageSizeLimit: 200_000 });
    const read = (n: string) => readFileSync(join(mss.pkiDir, n), 'utf8');
    credentials = credentialsFromPem(read('auth-cli.key'), read('auth-cli.pem'));
    trust = read('root-ca.pem') + read('org-ca.pem');
    const app = mss.sandbox.mailbox('app');
    submitter = createSmtpSubmitter({
      host: mss.sandbox.smtpHost, port: mss.sandbox.smtpPort, tlsMode: 'starttls', servername: 'localhost',
      bal: { address: app.address, password: app.password }, credentials, trust,
      pool: { maxConnections: 4, maxMessages: 100 }, onTrace: (t) => traces.push(t),
    });
  });
  after(async () => {
    submitter?.close();
    await mss?.stop();
  });

  const imap = (role: 'ps' | 'org' | 'app', sink: MssTrace[], maxMessageBytes?: number) => {
    const box = mss.sandbox.mailbox(role);
    return createImapSession({
      host: mss.sandbox.imapHost, port: mss.sandbox.imapPort, tlsMode: 'starttls', servername: 'localhost',
      bal: { address: box.address, password: box.password }, credentials, trust, onTrace: (t) => sink.push(t),
      ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
    });
  };

  it('lists a message over the size cap without fetching its source', async () => {
    const app = mss.sandbox.mailbox('app');
    await submitter.send(mail(app.address, [app.address], `${'y'.repeat(76)}\r\n`.repeat(50)));
    await waitForMessages(mss, app, 1);
    const s = await imap('app', [], 2500);
    try {
      await s.open();
      const [m] = await s.fetchFrom(1);
      assert.ok(m!.size > 2500);
      assert.equal(m!.tooLarge, true);
      assert.equal(m!.source, undefined);
      await submitter.send(mail(app.address, [app.address]));
      await submitter.send(mail(app.address, [app.address]));
      await waitForMessages(mss, app, 3);
      // A budget smaller than two sources: the first message comes, the rest waits for the next call.
      const [small] = (await s.fetchFrom(m!.uid + 1)).map((x) => x.size);
      const firstBatch = await s.fetchFrom(m!.uid + 1, { maxTotalBytes: small! + 10 });
      assert.equal(firstBatch.length, 1);
      assert.ok(firstBatch[0]!.source);
      const rest = await s.fetchFrom(firstBatch[0]!.uid + 1);
      assert.equal(rest.length, 1);
    } finally {
      await s.logout();
    }
  });

  it('sends a mail through Postfix and reads it back over IMAP: UIDVALIDITY, fetch by UID, flag, move to a created folder', async () => {
    const ps = mss.sandbox.mailbox('ps');
    const m = mail(mss.sandbox.mailbox('app').address, [ps.address]);
    const r = await submitter.send(m);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(r.recipients.map((x) => [x.accepted, x.code]), [[true, 250]]);
    await waitForMessages(mss, ps, 1);
    const imapTraces: MssTrace[] = [];
    const s = await imap('ps', imapTraces);
    try {
      const folder = await s.open('INBOX');
      assert.ok(folder.uidValidity > 0n);
      assert.equal(folder.exists, 1);
      const [got, ...rest] = await s.fetchFrom(1);
      assert.equal(rest.length, 0);
      assert.equal(got!.messageId, m.messageId);
      assert.match(got!.source!.toString('utf8'), /CONTENU-CONFIDENTIEL-42/);
      assert.equal(await s.fetchFrom(got!.uid + 1).then((x) => x.length), 0);
      await s.addFlags([got!.uid], ['\\Seen']);
      await s.move([got!.uid], 'Traites');
      assert.equal((await s.open('Traites')).exists, 1);
      const [moved] = await s.fetchFrom(1);
      assert.ok(moved!.flags.includes('\\Seen'));
    } finally {
      await s.logout();
    }
    await s.closed;
    assert.equal(s.usable, false);
    const actions = imapTraces.map((t) => `${t.action}:${t.ok}`);
    for (const a of ['starttls:true', 'auth:true', 'select:true', 'fetch:true', 'flag:true', 'move:true', 'logout:true']) assert.ok(actions.includes(a), `${a} missing in ${actions.join(' ')}`);
    const auth = imapTraces.find((t) => t.action === 'auth')!;
    assert.match(auth.request, /AUTHENTICATE PLAIN/);
    assert.match(imapTraces.find((t) => t.action === 'move')!.request, /UID MOVE \S+ Traites/);
    assert.ok(imapTraces.every((t) => t.protocol === 'imap' && t.actor === ps.address));
    assertClean(imapTraces, ps.password);
    assertClean(traces, mss.sandbox.mailbox('app').password);
  });

  it('classifies an unknown recipient refused at RCPT (5xx) as permanent, with the code', async () => {
    const app = mss.sandbox.mailbox('app');
    const unknown = `nobody@${mss.sandbox.domains.find((d) => d.includes('mssante')) ?? mss.sandbox.domains[0]}`;
    const r = await submitter.send(mail(app.address, [unknown]));
    assert.equal(r.ok, false, JSON.stringify(r));
    if (r.ok) return;
    assert.equal(r.kind, 'permanent');
    assert.equal(r.code, 'smtp_rejected');
    assert.ok(r.smtpCode !== undefined && r.smtpCode >= 500 && r.smtpCode < 600, String(r.smtpCode));
    assert.equal(r.recipients[0]!.accepted, false);
    assert.match(r.recipients[0]!.text ?? '', /^5\d\d/);
  });

  it('classifies a mail over the size limit (552) as permanent', async () => {
    const app = mss.sandbox.mailbox('app');
    const r = await submitter.send(mail(app.address, [mss.sandbox.mailbox('ps').address], `${'x'.repeat(76)}\r\n`.repeat(4000)));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.kind, 'permanent');
      assert.equal(r.smtpCode, 552);
    }
  });

  it('IDLE returns when new mail arrives, and after the timeout when none does', async () => {
    const s = await imap('org', []);
    try {
      await s.open('INBOX');
      const t0 = Date.now();
      assert.equal(await s.waitForNew(300), false);
      assert.ok(Date.now() - t0 >= 250);
      const waiting = s.waitForNew(15_000);
      await submitter.send(mail(mss.sandbox.mailbox('app').address, [mss.sandbox.mailbox('org').address]));
      assert.equal(await waiting, true);
    } finally {
      await s.logout();
    }
  });

  it('sends 50 mails through the pool and measures the rate', async () => {
    const app = mss.sandbox.mailbox('app');
    const org = mss.sandbox.mailbox('org');
    const before = (await waitForMessages(mss, org, 0)).length;
    const t0 = process.hrtime.bigint();
    const results = await Promise.all(Array.from({ length: 50 }, () => submitter.send(mail(app.address, [org.address]))));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    assert.equal(results.filter((r) => r.ok).length, 50);
    const latencies = results.map((r) => r.durationMs).sort((a, b) => a - b);
    const rate = 50 / seconds;
    console.log(`# pooled SMTP: 50 mails in ${seconds.toFixed(2)} s = ${rate.toFixed(1)} mails/s, p50 ${latencies[24]} ms, max ${latencies[49]} ms`);
    const sends = traces.filter((t) => t.action === 'send' && t.ok);
    const ids = new Set(results.map((r) => r.messageId));
    assert.ok([...ids].every((id) => sends.some((t) => t.messageId === id)), 'a send trace is missing or carries another Message-ID');
    await waitForMessages(mss, org, before + 50, { timeoutMs: 30_000 });
  });
});

describe('refusals against Postfix and Dovecot outside the profile', { skip }, () => {
  async function bothRefuse(o: Parameters<typeof startTestMss>[0], expected: string): Promise<void> {
    const bad = await startTestMss(o);
    try {
      const read = (n: string) => readFileSync(join(bad.pkiDir, n), 'utf8');
      const creds = credentialsFromPem(read('auth-cli.key'), read('auth-cli.pem'));
      const chainPem = read('root-ca.pem') + read('org-ca.pem');
      const app = bad.sandbox.mailbox('app');
      const ts: MssTrace[] = [];
      const sub = createSmtpSubmitter({
        host: bad.sandbox.smtpHost, port: bad.sandbox.smtpPort, tlsMode: 'starttls', servername: 'localhost',
        bal: { address: app.address, password: app.password }, credentials: creds, trust: chainPem, onTrace: (t) => ts.push(t),
      });
      try {
        const r = await sub.send(mail(app.address, [bad.sandbox.mailbox('ps').address]));
        assert.equal(r.ok, false);
        if (!r.ok) assert.deepEqual([r.kind, r.scope, r.code], ['transient', 'peer', expected]);
      } finally {
        sub.close();
      }
      const imapError = await createImapSession({
        host: bad.sandbox.imapHost, port: bad.sandbox.imapPort, tlsMode: 'starttls', servername: 'localhost',
        bal: { address: app.address, password: app.password }, credentials: creds, trust: chainPem, onTrace: (t) => ts.push(t),
      }).then(async (s) => { await s.logout(); return undefined; }, (e: { details: Record<string, unknown> }) => e);
      assert.equal(imapError?.details['reason'], expected);
      assert.deepEqual(ts.filter((t) => !t.ok && t.action === 'starttls').map((t) => [t.protocol, t.failure]), [['smtp', expected], ['imap', expected]]);
      assert.equal(bad.sandbox.deliveredTo(bad.sandbox.mailbox('ps').address).length, 0);
    } finally {
      await bad.stop();
    }
  }

  it('refuses Postfix and Dovecot offering a 1024-bit DH group', async () => {
    await bothRefuse({ weak: true }, 'tls_weak_dh');
  });

  it('refuses Postfix and Dovecot serving a certificate from another chain', async () => {
    const other = await createTestChain({ keySet: 'sandbox-other' });
    await bothRefuse({ serverCredential: { certPem: other.server.chainPem, keyPem: other.server.keyPem } }, 'tls_peer_untrusted');
  });
});
