import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { createTestChain } from '../../pki/index.js';
import {
  clientTlsFor, fetchRaw, imapClient, mssSkip, sendTestMail, startTestMss, startTls, waitForMessages, type TestMss,
} from './testing.js';

const skip = mssSkip();
if (skip) process.stderr.write(`${skip}\n`);

/** A TLS 1.2 client limited to one suite, otherwise inside the profile (client certificate, test chain). */
const tls12 = (mss: TestMss, ciphers: string) => ({ ...mss.clientTls, maxVersion: 'TLSv1.2' as const, ciphers });

describe('MSSanté operator stand-in (Postfix + Dovecot)', { skip }, () => {
  let mss: TestMss;
  before(async () => {
    mss = await startTestMss();
    process.stderr.write(`MSSanté sandbox started in ${mss.sandbox.startupMs} ms\n`);
  });
  after(() => mss?.stop());

  it('delivers a mail sent with the client certificate and PLAIN to the PS mailbox, read back over IMAP', async () => {
    const { sandbox } = mss;
    const app = sandbox.mailbox('app');
    const ps = sandbox.mailbox('ps');
    const info = await sendTestMail(mss, { from: app, to: [ps.address], subject: 'Compte rendu', text: 'Bonjour docteur' });
    assert.match(info.response, /^250 /);
    const [raw] = await waitForMessages(mss, ps, 1);
    const mail = await simpleParser(raw!);
    assert.equal(mail.subject, 'Compte rendu');
    assert.equal(mail.text?.trim(), 'Bonjour docteur');
    assert.equal(mail.messageId, info.messageId);
    // Postfix records the verified client certificate in its Received header.
    assert.match(raw!.toString(), /Client CN "PFI RELAIS TEST", Issuer "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS" \(verified OK\)/);
    assert.equal(sandbox.deliveredTo(ps.address).length, 1);
  });

  it('lets an IMAP client create folders and move a mail into them', async () => {
    const org = mss.sandbox.mailbox('org');
    await sendTestMail(mss, { from: mss.sandbox.mailbox('app'), to: [org.address], subject: 'à classer' });
    await waitForMessages(mss, org, 1);
    const client = await imapClient(mss, org);
    try {
      await client.mailboxCreate('Traites');
      const lock = await client.getMailboxLock('INBOX');
      try {
        await client.messageMove('1:*', 'Traites');
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    assert.equal((await fetchRaw(mss, org, 'INBOX')).length, 0);
    assert.equal((await fetchRaw(mss, org, 'Traites')).length, 1);
  });

  it('returns a DSN (multipart/report; report-type=delivery-status) to the sender for an unknown recipient', async () => {
    const app = mss.sandbox.mailbox('app');
    const before = (await fetchRaw(mss, app)).length;
    const unknown = 'inconnu@pro.test.mssante.fr';
    const info = await sendTestMail(mss, { from: app, to: [unknown], dsn: { id: 'ENVID-42', notify: ['failure'], return: 'headers', recipient: unknown } });
    assert.match(info.response, /^250 /, 'accepted at RCPT: the failure comes back as a DSN');
    const all = await waitForMessages(mss, app, before + 1);
    const dsn = all[all.length - 1]!.toString();
    assert.match(dsn, /Content-Type: multipart\/report; report-type=delivery-status;/);
    assert.match(dsn, /Original-Envelope-Id: ENVID-42/);
    assert.match(dsn, /Final-Recipient: rfc822; inconnu@pro\.test\.mssante\.fr/);
    assert.match(dsn, /Action: failed\r?\nStatus: 5\.1\.1/);
  });

  it('refuses a mail for another domain (no relaying) and a sender address that is not the login', async () => {
    const app = mss.sandbox.mailbox('app');
    await assert.rejects(sendTestMail(mss, { from: app, to: ['quelquun@example.com'] }), /554 5\.7\.1 .*Relay access denied/);
    const spoofed = { ...app, address: mss.sandbox.mailbox('org').address };
    await assert.rejects(sendTestMail(mss, { from: spoofed, to: [mss.sandbox.mailbox('ps').address] }), /553 5\.7\.1 .*not owned by user/);
  });

  it('refuses SMTP without a client certificate', async () => {
    const noCert = clientTlsFor(mss.pkiDir, { withClientCertificate: false });
    await assert.rejects(sendTestMail(mss, { from: mss.sandbox.mailbox('app'), to: [mss.sandbox.mailbox('ps').address], tls: noCert }),
      /421 4\.7\.1 .*No client certificate presented/);
  });

  it('refuses an IMAP login without a client certificate', async () => {
    const noCert = clientTlsFor(mss.pkiDir, { withClientCertificate: false });
    await assert.rejects(imapClient(mss, mss.sandbox.mailbox('ps'), { tls: noCert }), (e: { authenticationFailed?: boolean }) => e.authenticationFailed === true);
    const logged = /auth failed, 1 attempts.*user=<dr\.martin@pro\.test\.mssante\.fr>, method=PLAIN/;
    for (let i = 0; i < 40 && !logged.test(mss.sandbox.logs().dovecot); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(mss.sandbox.logs().dovecot, logged);
  });

  it('refuses AUTH and MAIL before STARTTLS', async () => {
    await assert.rejects(sendTestMail(mss, { from: mss.sandbox.mailbox('app'), to: [mss.sandbox.mailbox('ps').address], ignoreTLS: true }),
      /530 5\.7\.0 Must issue a STARTTLS command first/);
  });

  it('refuses a wrong password over SMTP and IMAP', async () => {
    await assert.rejects(sendTestMail(mss, { from: mss.sandbox.mailbox('app'), to: [mss.sandbox.mailbox('ps').address], password: 'faux' }), /535 5\.7\.8/);
    await assert.rejects(imapClient(mss, mss.sandbox.mailbox('ps'), { password: 'faux' }), (e: { authenticationFailed?: boolean }) => e.authenticationFailed === true);
  });

  it('negotiates listed suites only: DHE with a 2048-bit group, ECDHE on P-256', async () => {
    for (const [port, protocol] of [[mss.sandbox.smtpPort, 'smtp'], [mss.sandbox.imapPort, 'imap']] as const) {
      const dhe = await startTls(port, protocol, tls12(mss, 'DHE-RSA-AES128-GCM-SHA256'));
      assert.deepEqual([dhe.getProtocol(), dhe.getCipher().name, dhe.getEphemeralKeyInfo()], ['TLSv1.2', 'DHE-RSA-AES128-GCM-SHA256', { type: 'DH', size: 2048 }]);
      dhe.destroy();
      const ecdhe = await startTls(port, protocol, tls12(mss, 'ECDHE-RSA-AES256-GCM-SHA384'));
      assert.equal(ecdhe.getCipher().name, 'ECDHE-RSA-AES256-GCM-SHA384');
      assert.ok((ecdhe.getEphemeralKeyInfo() as { size?: number }).size! >= 256);
      ecdhe.destroy();
    }
  });

  it('refuses TLS 1.1 and a TLS 1.2 suite outside the six', async () => {
    for (const [port, protocol] of [[mss.sandbox.smtpPort, 'smtp'], [mss.sandbox.imapPort, 'imap']] as const) {
      await assert.rejects(startTls(port, protocol, { ...mss.clientTls, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }), `${protocol} TLS 1.1`);
      for (const suite of ['ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-SHA', 'AES256-GCM-SHA384']) {
        await assert.rejects(startTls(port, protocol, tls12(mss, suite)), `${protocol} ${suite}`);
      }
    }
  });
});

describe('MSSanté operator stand-in, variants', { skip }, () => {
  it('limits the message size and can refuse unknown recipients at RCPT', async () => {
    const mss = await startTestMss({ messageSizeLimit: 20_000, rejectUnknownAtRcpt: true });
    try {
      const app = mss.sandbox.mailbox('app');
      const ps = mss.sandbox.mailbox('ps');
      await assert.rejects(sendTestMail(mss, { from: app, to: [ps.address], text: 'x'.repeat(30_000) }), /552 5\.3\.4 .*message file too big/);
      await assert.rejects(sendTestMail(mss, { from: app, to: ['inconnu@pro.test.mssante.fr'] }), /550 5\.1\.1 .*Recipient address rejected/);
      assert.match((await sendTestMail(mss, { from: app, to: [ps.address], text: 'petit' })).response, /^250 /);
    } finally {
      await mss.stop();
    }
  });

  it('weak: offers only a 1024-bit DH group, which a client inside the profile refuses', async () => {
    const mss = await startTestMss({ weak: true });
    try {
      for (const [port, protocol] of [[mss.sandbox.smtpPort, 'smtp'], [mss.sandbox.imapPort, 'imap']] as const) {
        await assert.rejects(startTls(port, protocol, mss.clientTls), /DH parameter size 1024 is less than 2048/, protocol);
        const lax = await startTls(port, protocol, { ...mss.clientTls, minDHSize: 1024, ciphers: 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0', maxVersion: 'TLSv1.2' });
        assert.deepEqual(lax.getEphemeralKeyInfo(), { type: 'DH', size: 1024 }, protocol);
        lax.destroy();
      }
    } finally {
      await mss.stop();
    }
  });

  it('serves a server certificate from another chain, which a client trusting the test chain refuses', async () => {
    const other = await createTestChain({ keySet: 'another-operator' });
    const mss = await startTestMss({ serverCredential: { certPem: other.server.chainPem, keyPem: other.server.keyPem } });
    try {
      for (const [port, protocol] of [[mss.sandbox.smtpPort, 'smtp'], [mss.sandbox.imapPort, 'imap']] as const) {
        await assert.rejects(startTls(port, protocol, mss.clientTls), /unable to get local issuer certificate|self.signed|unable to verify/i, protocol);
        const trusting = await startTls(port, protocol, { ...mss.clientTls, ca: other.trustBundlePem });
        assert.equal(trusting.authorized, true);
        trusting.destroy();
      }
    } finally {
      await mss.stop();
    }
  });
});
