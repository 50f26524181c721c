/**
 * Composed mails through a real Postfix + Dovecot (the MSSanté operator stand-in): what reaches the mailbox is
 * what composeDocumentMail wrote, and the DSNs Postfix returns are read by parseReport.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { fetchRaw, mssSkip, sendTestMail, startTestMss, waitForMessages, type TestMss } from '../../sandbox/mss/testing.js';
import { composeDocumentMail, type DocumentMailInput } from '../compose/document-mail.js';
import { buildMdn } from '../compose/inbound-reply.js';
import { parseReport, type DsnReceipt } from './parse-report.js';

const skip = mssSkip();
if (skip) process.stderr.write(`${skip}\n`);

const xdm = Buffer.from('PK\u0003\u0004 archive');
const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n');

function mailInput(mss: TestMss, to: string, overrides: Partial<DocumentMailInput> = {}): DocumentMailInput {
  const app = mss.sandbox.mailbox('app');
  return {
    from: { address: app.address, label: 'Relais — CH de test' },
    replyTo: mss.sandbox.mailbox('org').address,
    recipients: [{ address: to, kind: 'ps' }],
    patient: { family: 'Martineau', given: 'Claire', birthDate: '19850514', ins: '285057511223391', insQualified: true },
    documents: [{ typeCode: '11490-0', typeLabel: 'Lettre de liaison', title: 'Lettre de liaison', effectiveTime: '20261126' }],
    xdm, pdfs: [{ fileName: '20261126_Lettre_MARTINEAU_Claire.pdf', content: pdf }],
    action: 'publish', productReference: 'DEV935997', requestDsn: true, requestMdn: true,
    messageId: `<${Date.now()}.${Math.random().toString(36).slice(2)}@relais.test>`,
    date: new Date(), maxBytes: 5_000_000,
    ...overrides,
  };
}

/** Waits for the DSN about one Message-ID in the application mailbox. */
async function dsnFor(mss: TestMss, messageId: string): Promise<DsnReceipt> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    for (const raw of await fetchRaw(mss, mss.sandbox.mailbox('app'))) {
      const receipt = await parseReport(raw);
      if (receipt?.kind === 'dsn' && receipt.originalMessageId === messageId) return receipt;
    }
    if (Date.now() > deadline) throw new Error(`no DSN for ${messageId}\n${mss.sandbox.logs().postfix.split('\n').slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('composed mails through Postfix and Dovecot, DSNs back', { skip }, () => {
  let mss: TestMss;
  before(async () => { mss = await startTestMss(); });
  after(() => mss?.stop());

  it('delivers the composed mail unchanged in its headers, MIME tree and attachments', async () => {
    const ps = mss.sandbox.mailbox('ps');
    const mail = await composeDocumentMail(mailInput(mss, ps.address));
    const info = await sendTestMail(mss, { from: mss.sandbox.mailbox('app'), to: mail.envelope.to, raw: mail.raw, ...(mail.dsn ? { dsn: mail.dsn } : {}) });
    assert.match(info.response, /^250 /);
    const [raw] = await waitForMessages(mss, ps, 1);
    const got = await simpleParser(raw!);
    assert.equal(got.messageId, mail.messageId);
    assert.equal(got.subject, 'XDM/1.0/DDM+Lettre de liaison MARTINEAU Claire 14/05/1985');
    assert.equal(got.headers.get('x-mss-ins'), 'O');
    assert.equal(got.headers.get('x-mss-codecda'), '11490-0');
    assert.equal(got.headers.get('x-mss-nil'), 'DEV935997');
    assert.deepEqual(got.attachments.map((a) => [a.filename, a.contentType]), [['IHE_XDM.zip', 'application/zip'], ['20261126_Lettre_MARTINEAU_Claire.pdf', 'application/pdf']]);
    assert.deepEqual(got.attachments[0]?.content, xdm);
    assert.deepEqual(got.attachments[1]?.content, pdf);
    // Everything Relais wrote is in the delivered copy, byte for byte (the operator only prepends trace headers).
    assert.ok(raw!.includes(mail.raw), 'the composed bytes are a suffix of the delivered message');

    const dsn = await dsnFor(mss, mail.messageId);
    assert.equal(dsn.originalEnvelopeId, mail.dsn?.id);
    // Postfix says "relayed" when the last hop (here Dovecot LMTP) does not itself offer DSN: a success all the same.
    assert.deepEqual(dsn.recipients.map((r) => [r.finalRecipient, r.originalRecipient, r.status.charAt(0)]), [[ps.address, ps.address, '2']]);
    assert.ok(['delivered', 'relayed'].includes(dsn.recipients[0]?.action ?? ''), dsn.recipients[0]?.action);
  });

  it('turns the bounce for an unknown recipient into a failed DSN entry with status 5.1.1', async () => {
    const unknown = 'inconnu@pro.test.mssante.fr';
    const mail = await composeDocumentMail(mailInput(mss, unknown));
    await sendTestMail(mss, { from: mss.sandbox.mailbox('app'), to: mail.envelope.to, raw: mail.raw, ...(mail.dsn ? { dsn: mail.dsn } : {}) });
    const dsn = await dsnFor(mss, mail.messageId);
    assert.equal(dsn.originalEnvelopeId, mail.dsn?.id);
    assert.equal(dsn.recipients.length, 1);
    const [r] = dsn.recipients;
    assert.equal(r?.finalRecipient, unknown);
    assert.equal(r?.originalRecipient, unknown);
    assert.equal(r?.action, 'failed');
    assert.equal(r?.status, '5.1.1');
    assert.ok(r?.diagnosticCode, 'Postfix names the cause');
    process.stderr.write(`Postfix diagnostic for an unknown recipient: ${r?.diagnosticCode} (smtpCode ${r?.smtpCode})\n`);
  });

  it('closes the reply channel on a patient mail (X-MSS-MES: FIN) as delivered to the patient mailbox', async () => {
    const patient = mss.sandbox.mailbox('patient');
    const mail = await composeDocumentMail(mailInput(mss, patient.address, {
      recipients: [{ address: patient.address, kind: 'patient' }], closePatientChannel: true, requestDsn: false,
    }));
    await sendTestMail(mss, { from: mss.sandbox.mailbox('app'), to: mail.envelope.to, raw: mail.raw });
    const [raw] = await waitForMessages(mss, patient, 1);
    const got = await simpleParser(raw!);
    assert.equal(got.headers.get('x-mss-mes'), 'FIN');
    assert.equal(got.messageId, mail.messageId);
  });

  it('carries an MDN built by buildMdn through the operator and reads it back with parseReport', async () => {
    const app = mss.sandbox.mailbox('app');
    const org = mss.sandbox.mailbox('org');
    const mail = await composeDocumentMail(mailInput(mss, org.address, { requestDsn: false }));
    await sendTestMail(mss, { from: app, to: mail.envelope.to, raw: mail.raw });
    const [received] = await waitForMessages(mss, org, 1);
    // The organisation's mailbox answers the way a receiving PFI does (volet B), with an error.
    const mdn = await buildMdn({
      from: { address: org.address, label: 'Secrétariat' }, to: app.address, finalRecipient: org.address, reportingUa: 'pfi.test; Relais',
      original: { raw: received!, messageId: mail.messageId, subject: 'XDM/1.0/DDM+Lettre de liaison MARTINEAU Claire 14/05/1985', originalRecipient: org.address },
      error: { code: '902', label: 'Identifiant de patient inconnu' },
      messageId: `<mdn.${Date.now()}@pfi.test>`, date: new Date(), maxBytes: 5_000_000,
    });
    await sendTestMail(mss, { from: org, to: mdn.envelope.to, raw: mdn.raw });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const receipts = await Promise.all((await fetchRaw(mss, app)).map((raw) => parseReport(raw)));
      const found = receipts.find((r) => r?.kind === 'mdn' && r.originalMessageId === mail.messageId);
      if (found?.kind === 'mdn') {
        assert.equal(found.finalRecipient, org.address);
        assert.equal(found.dispositionType, 'processed');
        assert.deepEqual(found.error, { text: '902^Identifiant de patient inconnu', code: '902', label: 'Identifiant de patient inconnu' });
        return;
      }
      assert.ok(Date.now() < deadline, 'the MDN reached the application mailbox');
      await new Promise((r) => setTimeout(r, 250));
    }
  });
});
