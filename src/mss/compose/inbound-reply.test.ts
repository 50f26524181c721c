import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { isRelaisError } from '../../domain/index.js';
import { parseReport } from '../receipts/parse-report.js';
import { buildErrorMail, buildMdn, inboundReplySubject, type MdnInput } from './inbound-reply.js';

const originalRaw = Buffer.from([
  'From: Dr Hoda <dr.hoda@test.mssante.fr>',
  'To: serviceY@chb.mssante.fr',
  'Subject: XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988',
  'Message-ID: <orig-1@test.mssante.fr>',
  'Disposition-Notification-To: dr.hoda@test.mssante.fr',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="o"',
  '',
  '--o',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Bonjour, ci-joint le compte rendu.',
  '--o',
  'Content-Type: application/zip; name=IHE_XDM.zip',
  'Content-Disposition: attachment; filename=IHE_XDM.zip',
  'Content-Transfer-Encoding: base64',
  '',
  'UEsDBA==',
  '--o--',
  '',
].join('\r\n'));

function mdnInput(overrides: Partial<MdnInput> = {}): MdnInput {
  return {
    from: { address: 'serviceY_auto@chb.mssante.fr', label: 'Service Y (intégration)' },
    to: 'dr.hoda@test.mssante.fr',
    finalRecipient: 'serviceY_auto@chb.mssante.fr',
    reportingUa: 'relais.chb.fr; Relais',
    original: {
      raw: originalRaw, messageId: '<orig-1@test.mssante.fr>',
      subject: 'XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988', originalRecipient: 'serviceY@chb.mssante.fr',
    },
    messageId: 'mdn-1@relais.chb.fr',
    date: new Date('2026-11-26T12:00:00Z'),
    maxBytes: 1_000_000,
    ...overrides,
  };
}

describe('inboundReplySubject', () => {
  it('keeps the XDM subject on success and tags it with the code on error', () => {
    const subject = 'XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988';
    assert.equal(inboundReplySubject(subject, undefined), subject);
    assert.equal(inboundReplySubject(subject, { code: '902', label: 'x' }), `[KO Intégration système !][902] ${subject}`);
    assert.equal(inboundReplySubject('Compte rendu\r\nBcc: x@y.fr', undefined), 'XDM/1.0/DDM+Compte rendu Bcc: x@y.fr');
  });
});

describe('buildMdn', () => {
  it('builds a multipart/report disposition-notification with the volet B fields and the original as message/rfc822', async () => {
    const reply = await buildMdn(mdnInput());
    assert.deepEqual(reply.envelope, { from: 'serviceY_auto@chb.mssante.fr', to: ['dr.hoda@test.mssante.fr'] });
    assert.equal(reply.messageId, '<mdn-1@relais.chb.fr>');
    const parsed = await simpleParser(reply.raw, { keepDeliveryStatus: true });
    const contentType = parsed.headers.get('content-type') as { value: string; params: Record<string, string> };
    assert.equal(contentType.value, 'multipart/report');
    assert.equal(contentType.params['report-type'], 'disposition-notification');
    assert.equal(parsed.subject, 'XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988');
    assert.equal(parsed.headers.get('auto-submitted'), 'auto-replied');
    assert.match(parsed.text ?? '', /a été intégré automatiquement/);
    assert.deepEqual(parsed.attachments.map((a) => a.contentType), ['message/disposition-notification', 'message/rfc822']);
    const fields = parsed.attachments[0]?.content.toString() ?? '';
    assert.match(fields, /^Final-Recipient: rfc822;serviceY_auto@chb\.mssante\.fr\r$/m);
    assert.match(fields, /^Original-Recipient: rfc822;serviceY@chb\.mssante\.fr\r$/m);
    assert.match(fields, /^Original-Message-ID: <orig-1@test\.mssante\.fr>\r$/m);
    assert.match(fields, /^Disposition: automatic-action\/MDN-sent-automatically; processed\r$/m);
    assert.doesNotMatch(fields, /^Error:/m);
    assert.deepEqual(parsed.attachments[1]?.content, originalRaw);
  });

  it('writes the error into the subject, the text, the volet Disposition form and an RFC Error field', async () => {
    const reply = await buildMdn(mdnInput({ error: { code: '902', label: 'Identifiant de patient inconnu' } }));
    const parsed = await simpleParser(reply.raw, { keepDeliveryStatus: true });
    assert.equal(parsed.subject, '[KO Intégration système !][902] XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988');
    assert.match(parsed.text ?? '', /n'a pas pu être intégré automatiquement dans le DPI pour la raison suivante : Identifiant de patient inconnu\nCode d'erreur : 902/);
    const fields = parsed.attachments[0]?.content.toString() ?? '';
    assert.match(fields, /^Disposition: automatic-action\/MDN-sent-automatically; processed\/Error: 902\^Identifiant de patient inconnu\r$/m);
    assert.match(fields, /^Error: 902\^Identifiant de patient inconnu\r$/m);
  });

  it('is read back by parseReport as the ZAM^Z03 input: original Message-ID, recipients, error code', async () => {
    const reply = await buildMdn(mdnInput({ error: { code: '904', label: 'INS ou traits différents' } }));
    assert.deepEqual(await parseReport(reply.raw), {
      kind: 'mdn',
      originalMessageId: '<orig-1@test.mssante.fr>',
      finalRecipient: 'serviceY_auto@chb.mssante.fr',
      originalRecipient: 'serviceY@chb.mssante.fr',
      reportingUa: 'relais.chb.fr; Relais',
      disposition: 'automatic-action/MDN-sent-automatically; processed/Error: 904^INS ou traits différents',
      dispositionType: 'processed',
      actionMode: 'automatic-action/MDN-sent-automatically',
      error: { text: '904^INS ou traits différents', code: '904', label: 'INS ou traits différents' },
    });
  });

  it('writes CRLF line ends only, even around an original that had bare LFs', async () => {
    const lfOriginal = Buffer.from(originalRaw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const reply = await buildMdn(mdnInput({ original: { ...mdnInput().original, raw: lfOriginal }, error: { code: '906', label: 'Autre' } }));
    assert.doesNotMatch(reply.raw.toString('latin1'), /[^\r]\n/);
    const errorMail = await buildErrorMail({ ...mdnInput(), original: { ...mdnInput().original, raw: lfOriginal }, to: 'e@chb.mssante.fr', error: { code: '906', label: 'Autre' } });
    assert.doesNotMatch(errorMail.raw.toString('latin1'), /[^\r]\n/);
  });

  it('adds top-level copies of the attachments when asked', async () => {
    const zip = Buffer.from('PK\u0003\u0004zip');
    const reply = await buildMdn(mdnInput({ reattach: [
      { fileName: 'IHE_XDM.zip', contentType: 'application/zip', content: zip },
      { fileName: 'cr.pdf', contentType: 'application/pdf; name="x"\r\nX-Evil: 1', content: Buffer.from('%PDF') },
    ] }));
    const parsed = await simpleParser(reply.raw, { keepDeliveryStatus: true });
    assert.deepEqual(parsed.attachments.map((a) => a.filename), [undefined, undefined, 'IHE_XDM.zip', 'cr.pdf']);
    assert.equal(parsed.attachments[2]?.contentType, 'application/zip');
    // A content type with parameters or line breaks is replaced, not passed through.
    assert.match(reply.raw.toString('latin1'), /^Content-Type: application\/octet-stream; name=cr\.pdf\r$/m);
    assert.deepEqual(parsed.attachments[2]?.content, zip);
    assert.equal(parsed.headers.get('x-evil'), undefined);
  });

  it('refuses malformed addresses and error codes, and mails above maxBytes', async () => {
    await assert.rejects(buildMdn(mdnInput({ to: 'dr@x.fr\r\nBcc: y@z.fr' })), (e: unknown) => isRelaisError(e) && e.code === 'RLS_MSS_BAD_ADDRESS');
    await assert.rejects(buildMdn(mdnInput({ error: { code: '902\r\nX: 1', label: 'x' } })), (e: unknown) => isRelaisError(e) && e.code === 'RLS_MSS_BAD_INPUT');
    await assert.rejects(buildMdn(mdnInput({ maxBytes: 500 })), (e: unknown) => isRelaisError(e) && e.code === 'RLS_MSS_TOO_LARGE');
  });
});

describe('buildErrorMail', () => {
  it('builds the standard error mail: KO subject, text with code and label, the original attached as message/rfc822', async () => {
    const reply = await buildErrorMail({
      ...mdnInput(), to: 'erreurs-integration@chb.mssante.fr', error: { code: '906', label: 'Aucune archive IHE_XDM.zip' },
      reattach: [{ fileName: 'IHE_XDM.zip', contentType: 'application/zip', content: Buffer.from('PK') }],
    });
    assert.deepEqual(reply.envelope.to, ['erreurs-integration@chb.mssante.fr']);
    const parsed = await simpleParser(reply.raw);
    assert.equal((parsed.headers.get('content-type') as { value: string }).value, 'multipart/mixed');
    assert.equal(parsed.subject, '[KO Intégration système !][906] XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988');
    assert.match(parsed.text ?? '', /raison suivante : Aucune archive IHE_XDM\.zip\nCode d'erreur : 906\nMessage concerné : <orig-1@test\.mssante\.fr>/);
    assert.deepEqual(parsed.attachments.map((a) => [a.contentType, a.filename, a.contentDisposition]), [
      ['message/rfc822', 'message-original.eml', 'attachment'],
      ['application/zip', 'IHE_XDM.zip', 'attachment'],
    ]);
    assert.deepEqual(parsed.attachments[0]?.content, originalRaw);
  });
});
