import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { parseReport } from './parse-report.js';

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\r?\n/g, '\r\n'));

/** A Postfix bounce as its bounce(8) daemon writes it (RFC 3464 structure, RET=HDRS). */
function postfixBounce(recipientGroups: string, extra = ''): Buffer {
  return crlf(`Return-Path: <>
Delivered-To: relais@ch-exemple.mssante.fr
Date: Thu, 26 Nov 2026 10:00:05 +0100 (CET)
From: MAILER-DAEMON@smtp.ch-exemple.mssante.fr (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: relais@ch-exemple.mssante.fr
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4C2A81203E.1795080005/smtp.ch-exemple.mssante.fr"
Content-Transfer-Encoding: 8bit
Message-Id: <20261126090005.8B1C8120418@smtp.ch-exemple.mssante.fr>

This is a MIME-encapsulated message.

--4C2A81203E.1795080005/smtp.ch-exemple.mssante.fr
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host smtp.ch-exemple.mssante.fr.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<inconnu@test.mssante.fr>: host mx.test.mssante.fr[192.0.2.10] said: 550 5.1.1
    <inconnu@test.mssante.fr>: Recipient address rejected: User unknown (in
    reply to RCPT TO command)

--4C2A81203E.1795080005/smtp.ch-exemple.mssante.fr
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; smtp.ch-exemple.mssante.fr
X-Postfix-Queue-ID: 4C2A81203E
X-Postfix-Sender: rfc822; relais@ch-exemple.mssante.fr
Original-Envelope-Id: delivery-42.7f3a@relais.ch-exemple.fr
Arrival-Date: Thu, 26 Nov 2026 10:00:04 +0100 (CET)

${recipientGroups}
--4C2A81203E.1795080005/smtp.ch-exemple.mssante.fr
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

Return-Path: <relais@ch-exemple.mssante.fr>
From: CH Exemple <relais@ch-exemple.mssante.fr>
To: inconnu@test.mssante.fr
Subject: XDM/1.0/DDM+CR MARTINEAU Claire 14/05/1985
Message-ID: <delivery-42.7f3a@relais.ch-exemple.fr>
Date: Thu, 26 Nov 2026 10:00:00 +0100
${extra}
--4C2A81203E.1795080005/smtp.ch-exemple.mssante.fr--
`);
}

const failedGroup = `Final-Recipient: rfc822; inconnu@test.mssante.fr
Original-Recipient: rfc822;inconnu@test.mssante.fr
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.test.mssante.fr
Diagnostic-Code: smtp; 550 5.1.1 <inconnu@test.mssante.fr>: Recipient address
    rejected: User unknown
`;

function mdn(fields: string, reportType = 'disposition-notification'): Buffer {
  return crlf(`From: Dr Hoda <dr.hoda@test.mssante.fr>
To: relais@ch-exemple.mssante.fr
Subject: Accusé de lecture : XDM/1.0/DDM+CR MARTINEAU Claire
Message-ID: <mdn-1@test.mssante.fr>
Date: Thu, 26 Nov 2026 11:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/report; report-type=${reportType}; boundary="mdn-b"

--mdn-b
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Le message a été affiché.

--mdn-b
Content-Type: message/disposition-notification

${fields}
--mdn-b
Content-Type: text/rfc822-headers

Message-ID: <delivery-42.7f3a@relais.ch-exemple.fr>
Subject: XDM/1.0/DDM+CR MARTINEAU Claire

--mdn-b--
`);
}

describe('parseReport: DSN', () => {
  it('reads a Postfix bounce: envelope id, original Message-ID, recipient, status, diagnostic and SMTP code', async () => {
    const receipt = await parseReport(postfixBounce(failedGroup));
    assert.deepEqual(receipt, {
      kind: 'dsn',
      originalEnvelopeId: 'delivery-42.7f3a@relais.ch-exemple.fr',
      originalMessageId: '<delivery-42.7f3a@relais.ch-exemple.fr>',
      reportingMta: 'smtp.ch-exemple.mssante.fr',
      recipients: [{
        finalRecipient: 'inconnu@test.mssante.fr',
        originalRecipient: 'inconnu@test.mssante.fr',
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: 'smtp; 550 5.1.1 <inconnu@test.mssante.fr>: Recipient address rejected: User unknown',
        smtpCode: 550,
      }],
    });
  });

  it('reads one entry per recipient group, delayed and delivered ones included, and no SMTP code from a non-smtp diagnostic', async () => {
    const receipt = await parseReport(postfixBounce(`${failedGroup}
Final-Recipient: rfc822; plein@test.mssante.fr
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full
Will-Retry-Until: Sun, 29 Nov 2026 10:00:04 +0100 (CET)

Final-Recipient: rfc822; dr.hoda@test.mssante.fr
Original-Recipient: rfc822;dr.hoda@test.mssante.fr
Action: delivered
Status: 2.0.0
Diagnostic-Code: x-unix; delivered via dovecot service
`));
    assert.equal(receipt?.kind, 'dsn');
    if (receipt?.kind !== 'dsn') return;
    assert.deepEqual(receipt.recipients.map((r) => [r.finalRecipient, r.action, r.status, r.smtpCode]), [
      ['inconnu@test.mssante.fr', 'failed', '5.1.1', 550],
      ['plein@test.mssante.fr', 'delayed', '4.2.2', 452],
      ['dr.hoda@test.mssante.fr', 'delivered', '2.0.0', undefined],
    ]);
  });

  it('skips recipient groups without Final-Recipient, with an unknown action or a malformed status', async () => {
    const receipt = await parseReport(postfixBounce(`Action: failed
Status: 5.1.1

Final-Recipient: rfc822; a@test.mssante.fr
Action: exploded
Status: 5.1.1

Final-Recipient: rfc822; b@test.mssante.fr
Action: failed
Status: 9.9.9

Final-Recipient: rfc822; c@test.mssante.fr
Action: Failed (permanent)
Status: 5.7.1 (policy)
`));
    assert.equal(receipt?.kind, 'dsn');
    if (receipt?.kind !== 'dsn') return;
    assert.deepEqual(receipt.recipients.map((r) => [r.finalRecipient, r.action, r.status]), [['c@test.mssante.fr', 'failed', '5.7.1']]);
  });

  it('decodes a base64 status part and reads message/global-delivery-status (RFC 6533)', async () => {
    const status = Buffer.from('Reporting-MTA: dns; mx.example\r\nOriginal-Envelope-Id: env-7\r\n\r\nFinal-Recipient: rfc822; a@test.mssante.fr\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n').toString('base64');
    for (const type of ['message/delivery-status', 'message/global-delivery-status']) {
      const receipt = await parseReport(crlf(`Content-Type: multipart/report; report-type=delivery-status; boundary=b

--b
Content-Type: text/plain

Delivery failed.
--b
Content-Type: ${type}
Content-Transfer-Encoding: base64

${status}
--b--
`));
      assert.equal(receipt?.kind, 'dsn', type);
      if (receipt?.kind !== 'dsn') return;
      assert.equal(receipt.originalEnvelopeId, 'env-7');
      assert.equal(receipt.originalMessageId, undefined);
      assert.deepEqual(receipt.recipients.map((r) => [r.finalRecipient, r.status, r.smtpCode]), [['a@test.mssante.fr', '5.2.2', 552]]);
    }
  });

  it('gives undefined for a delivery report with no usable recipient', async () => {
    assert.equal(await parseReport(postfixBounce('Final-Recipient: rfc822; a@test.mssante.fr\n')), undefined);
  });
});

describe('parseReport: MDN', () => {
  it('reads a displayed MDN from a mail client', async () => {
    const receipt = await parseReport(mdn(`Reporting-UA: test.mssante.fr; Thunderbird
Final-Recipient: rfc822;dr.hoda@test.mssante.fr
Original-Message-ID: <delivery-42.7f3a@relais.ch-exemple.fr>
Disposition: manual-action/MDN-sent-manually; displayed
`));
    assert.deepEqual(receipt, {
      kind: 'mdn',
      originalMessageId: '<delivery-42.7f3a@relais.ch-exemple.fr>',
      finalRecipient: 'dr.hoda@test.mssante.fr',
      originalRecipient: undefined,
      reportingUa: 'test.mssante.fr; Thunderbird',
      disposition: 'manual-action/MDN-sent-manually; displayed',
      dispositionType: 'displayed',
      actionMode: 'manual-action/MDN-sent-manually',
      error: undefined,
    });
  });

  it('reads the volet B error form processed/Error: <code>^<libellé>', async () => {
    const receipt = await parseReport(mdn(`Original-Recipient: rfc822;serviceY@chb.mssante.fr
Final-Recipient: rfc822;serviceY_auto@chb.mssante.fr
Original-Message-ID: <delivery-42.7f3a@relais.ch-exemple.fr>
Disposition: automatic-action/MDN-sent-automatically; processed/Error: 902^Identifiant de patient inconnu
`));
    assert.equal(receipt?.kind, 'mdn');
    if (receipt?.kind !== 'mdn') return;
    assert.equal(receipt.dispositionType, 'processed');
    assert.equal(receipt.originalRecipient, 'serviceY@chb.mssante.fr');
    assert.deepEqual(receipt.error, { text: '902^Identifiant de patient inconnu', code: '902', label: 'Identifiant de patient inconnu' });
  });

  it('prefers the RFC 8098 Error field and keeps a free-text error without a code', async () => {
    const receipt = await parseReport(mdn(`Final-Recipient: rfc822;x@test.mssante.fr
Original-Message-ID: <a@b>
Disposition: automatic-action/MDN-sent-automatically; processed/error
Error: mailbox quota exceeded
`));
    assert.equal(receipt?.kind, 'mdn');
    if (receipt?.kind !== 'mdn') return;
    assert.deepEqual(receipt.error, { text: 'mailbox quota exceeded' });
  });

  it('gives undefined when Final-Recipient, Original-Message-ID or a known disposition type is missing', async () => {
    const base = { fr: 'Final-Recipient: rfc822;x@test.mssante.fr', id: 'Original-Message-ID: <a@b>', d: 'Disposition: automatic-action/MDN-sent-automatically; displayed' };
    assert.equal(await parseReport(mdn(`${base.id}\n${base.d}\n`)), undefined);
    assert.equal(await parseReport(mdn(`${base.fr}\n${base.d}\n`)), undefined);
    assert.equal(await parseReport(mdn(`${base.fr}\n${base.id}\n`)), undefined);
    assert.equal(await parseReport(mdn(`${base.fr}\n${base.id}\nDisposition: automatic-action/MDN-sent-automatically; exploded\n`)), undefined);
  });
});

describe('parseReport: anything else', () => {
  it('gives undefined for an ordinary mail, an unknown report type, a report without its status part, and a forwarded report', async () => {
    const forwarded = Buffer.concat([crlf('Content-Type: multipart/mixed; boundary=f\n\n--f\nContent-Type: text/plain\n\nFYI\n--f\nContent-Type: message/rfc822\n\n'), postfixBounce(failedGroup), crlf('\n--f--\n')]);
    assert.equal(await parseReport(forwarded), undefined);
    assert.equal(await parseReport(crlf('From: a@b.fr\nTo: c@d.fr\nSubject: hi\n\nhello\n')), undefined);
    assert.equal(await parseReport(mdn('Final-Recipient: rfc822;x@y.fr\nOriginal-Message-ID: <a@b>\nDisposition: a/b; displayed\n', 'feedback-report')), undefined);
    assert.equal(await parseReport(crlf('Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nsorry\n--b--\n')), undefined);
  });

  it('never throws on garbage: empty, random bytes, truncated reports, broken boundaries, too large input', async () => {
    const bounce = postfixBounce(failedGroup);
    const samples: Buffer[] = [
      Buffer.alloc(0),
      randomBytes(4096),
      bounce.subarray(0, 900),
      bounce.subarray(0, Math.floor(bounce.length / 2)),
      crlf('Content-Type: multipart/report; report-type=delivery-status; boundary=\n\n--\n--\n'),
      crlf(`Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n--b--\n`),
      Buffer.concat([Buffer.from('Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n'), Buffer.alloc(50_000, 'Final-Recipient: rfc822; a@b.fr\r\n')]),
    ];
    for (const sample of samples) {
      const receipt = await parseReport(sample);
      assert.ok(receipt === undefined || receipt.kind === 'dsn');
    }
    assert.equal(await parseReport(bounce, { maxBytes: bounce.length - 1 }), undefined);
    assert.equal((await parseReport(bounce, { maxBytes: bounce.length }))?.kind, 'dsn');
  });

  it('bounds the number of recipient groups it reads', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => `Final-Recipient: rfc822; r${i}@test.mssante.fr\nAction: failed\nStatus: 5.1.1\n`).join('\n');
    const receipt = await parseReport(postfixBounce(many), { maxReportBytes: 10_000_000 });
    assert.equal(receipt?.kind, 'dsn');
    if (receipt?.kind !== 'dsn') return;
    assert.equal(receipt.recipients.length, 499);
  });
});
