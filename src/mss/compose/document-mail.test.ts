import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { isRelaisError } from '../../domain/index.js';
import { composeDocumentMail, type DocumentMailInput } from './document-mail.js';

const xdm = Buffer.from('PK\u0003\u0004 fake XDM archive bytes');
const pdf = Buffer.from('%PDF-1.4\n% fake PDF/A\n');

function input(overrides: Partial<DocumentMailInput> = {}): DocumentMailInput {
  return {
    from: { address: 'relais@ch-exemple.mssante.fr', label: 'CH Exemple — Cardiologie' },
    replyTo: 'cardiologie@ch-exemple.mssante.fr',
    recipients: [{ address: 'dr.hoda@test.mssante.fr', kind: 'ps' }],
    patient: { family: 'Martineau', given: 'Claire', birthDate: '19850514', ins: '285057511223391', insQualified: true },
    documents: [{ typeCode: '11490-0', typeLabel: 'Lettre de liaison', title: 'Lettre de liaison de sortie', effectiveTime: '20261126103000+0100' }],
    xdm,
    pdfs: [{ fileName: '20261126_Lettre de liaison_MARTINEAU_Clémence.pdf', content: pdf }],
    action: 'publish',
    productReference: 'DEV935997',
    messageId: '<delivery-42.7f3a@relais.ch-exemple.fr>',
    date: new Date('2026-11-26T10:00:00Z'),
    maxBytes: 1_000_000,
    ...overrides,
  };
}

async function parse(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true });
}

function header(mail: ParsedMail, name: string): string | undefined {
  const v = mail.headers.get(name);
  return v === undefined ? undefined : String(v);
}

function addresses(v: AddressObject | AddressObject[] | undefined): { name: string; address: string | undefined }[] {
  return (Array.isArray(v) ? v : v ? [v] : []).flatMap((a) => a.value.map((x) => ({ name: x.name, address: x.address })));
}

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => isRelaisError(e) && e.code === code);
}

describe('composeDocumentMail', () => {
  it('writes the MSSanté headers of a professional mail with an XDM and a PDF', async () => {
    const mail = await composeDocumentMail(input({ requestDsn: true, requestMdn: true }));
    const parsed = await parse(mail.raw);
    assert.deepEqual(addresses(parsed.from), [{ name: 'CH Exemple — Cardiologie', address: 'relais@ch-exemple.mssante.fr' }]);
    assert.deepEqual(addresses(parsed.replyTo), [{ name: '', address: 'cardiologie@ch-exemple.mssante.fr' }]);
    assert.deepEqual(addresses(parsed.to), [{ name: '', address: 'dr.hoda@test.mssante.fr' }]);
    assert.equal(parsed.subject, 'XDM/1.0/DDM+Lettre de liaison de sortie MARTINEAU Claire 14/05/1985');
    assert.equal(parsed.messageId, '<delivery-42.7f3a@relais.ch-exemple.fr>');
    assert.equal(parsed.date?.toISOString(), '2026-11-26T10:00:00.000Z');
    assert.equal(header(parsed, 'x-mss-ins'), 'O');
    assert.equal(header(parsed, 'x-mss-codecda'), '11490-0');
    assert.equal(header(parsed, 'x-mss-nil'), 'DEV935997');
    assert.equal(header(parsed, 'x-mss-mes'), undefined);
    assert.equal(header(parsed, 'return-receipt-to'), 'relais@ch-exemple.mssante.fr');
    assert.match(mail.raw.toString('latin1'), /^Disposition-Notification-To: relais@ch-exemple\.mssante\.fr\r$/m);
    // Field names are spelled as Référentiel #2 spells them.
    assert.match(mail.raw.toString('latin1'), /^X-MSS-INS: O\r$/m);
    assert.match(mail.raw.toString('latin1'), /^X-MSS-CODECDA: 11490-0\r$/m);
  });

  it('builds multipart/mixed with a UTF-8 text, IHE_XDM.zip and the PDF, bytes intact', async () => {
    const mail = await composeDocumentMail(input());
    const raw = mail.raw.toString('latin1');
    assert.match(raw, /^Content-Type: multipart\/mixed;/m);
    const parsed = await parse(mail.raw);
    assert.match(parsed.text ?? '', /Veuillez trouver ci-joint le document « Lettre de liaison de sortie »/);
    assert.deepEqual(parsed.attachments.map((a) => [a.contentType, a.filename, a.contentDisposition]), [
      ['application/zip', 'IHE_XDM.zip', 'attachment'],
      ['application/pdf', '20261126_Lettre de liaison_MARTINEAU_Clémence.pdf', 'attachment'],
    ]);
    assert.deepEqual(parsed.attachments[0]?.content, xdm);
    assert.deepEqual(parsed.attachments[1]?.content, pdf);
    assert.match(raw, /Content-Type: application\/zip; name=IHE_XDM\.zip/);
    assert.match(raw, /Content-Type: text\/plain; charset=utf-8/);
  });

  it('ends the body with the automatic-message footer naming the Reply-To, or the sender without one', async () => {
    const withReply = await parse((await composeDocumentMail(input())).raw);
    assert.match(withReply.text ?? '', /généré automatiquement[^\n]*cardiologie@ch-exemple\.mssante\.fr\.\n$/);
    const without = await parse((await composeDocumentMail(input({ replyTo: undefined }))).raw);
    assert.equal(without.replyTo, undefined);
    assert.match(without.text ?? '', /généré automatiquement[^\n]*relais@ch-exemple\.mssante\.fr\.\n$/);
  });

  it('uses the DPI body verbatim (placeholders included) instead of the template', async () => {
    const parsed = await parse((await composeDocumentMail(input({ body: 'Cher confrère,\r\nvoici le CR {titre}.' }))).raw);
    assert.match(parsed.text ?? '', /^Cher confrère,\nvoici le CR \{titre\}\.\n\n-- \n\nCe message/);
    assert.doesNotMatch(parsed.text ?? '', /Veuillez trouver/);
  });

  it('applies configured templates', async () => {
    const parsed = await parse((await composeDocumentMail(input({ templates: { publish: 'Document : {titre}', footer: 'Contact {contact}' } }))).raw);
    assert.equal(parsed.text, 'Document : Lettre de liaison de sortie\n\n-- \n\nContact cardiologie@ch-exemple.mssante.fr\n');
  });

  it('opens a replacement with the "annule et remplace" notice, even above the DPI body', async () => {
    const parsed = await parse((await composeDocumentMail(input({ action: 'replace', body: 'Nouvelle version.' }))).raw);
    assert.match(parsed.text ?? '', /^ANNULE ET REMPLACE : [^\n]+\n\nNouvelle version\.\n/);
    assert.equal(parsed.attachments.length, 2);
  });

  it('sends a deletion as a notice with the XDM (action D) and no PDF', async () => {
    const parsed = await parse((await composeDocumentMail(input({ action: 'delete' }))).raw);
    assert.match(parsed.text ?? '', /^AVIS DE SUPPRESSION : .*\n\nBonjour,\n\nLe document « Lettre de liaison de sortie » qui vous a été adressé précédemment a été supprimé/s);
    assert.deepEqual(parsed.attachments.map((a) => a.filename), ['IHE_XDM.zip']);
    assert.equal(header(parsed, 'x-mss-ins'), 'O');
  });

  it('writes X-MSS-INS: N when the INS is not qualified or absent', async () => {
    for (const patient of [
      { family: 'Martineau', given: 'Claire', ins: '285057511223391', insQualified: false },
      { family: 'Martineau', given: 'Claire', insQualified: true },
    ]) {
      const parsed = await parse((await composeDocumentMail(input({ patient }))).raw);
      assert.equal(header(parsed, 'x-mss-ins'), 'N');
      assert.equal(parsed.subject, 'XDM/1.0/DDM+Lettre de liaison de sortie MARTINEAU Claire');
    }
  });

  it('lists the codes of several documents in one comma-separated X-MSS-CODECDA and joins their titles', async () => {
    const parsed = await parse((await composeDocumentMail(input({
      documents: [
        { typeCode: '11490-0', typeLabel: 'Lettre', title: 'Lettre de liaison', effectiveTime: '20261126' },
        { typeCode: '11502-2', typeLabel: 'CR de biologie', title: '', effectiveTime: '20261126' },
        { typeCode: '11490-0', typeLabel: 'Lettre', title: 'Lettre de liaison', effectiveTime: '20261126' },
      ],
    }))).raw);
    assert.equal(header(parsed, 'x-mss-codecda'), '11490-0,11502-2');
    assert.equal(parsed.subject, 'XDM/1.0/DDM+Lettre de liaison, CR de biologie MARTINEAU Claire 14/05/1985');
  });

  it('closes the patient channel (X-MSS-MES: FIN) on a patient mail only', async () => {
    const patientMail = await parse((await composeDocumentMail(input({
      recipients: [{ address: '285057511223391@patient.mssante.fr', kind: 'patient' }], closePatientChannel: true,
    }))).raw);
    assert.equal(header(patientMail, 'x-mss-mes'), 'FIN');
    const psMail = await parse((await composeDocumentMail(input({ closePatientChannel: true }))).raw);
    assert.equal(header(psMail, 'x-mss-mes'), undefined);
    const notAsked = await parse((await composeDocumentMail(input({
      recipients: [{ address: '285057511223391@patient.mssante.fr', kind: 'patient' }],
    }))).raw);
    assert.equal(header(notAsked, 'x-mss-mes'), undefined);
  });

  it('asks for no receipt unless told to', async () => {
    const mail = await composeDocumentMail(input());
    const parsed = await parse(mail.raw);
    assert.equal(header(parsed, 'disposition-notification-to'), undefined);
    assert.equal(header(parsed, 'return-receipt-to'), undefined);
    assert.equal(mail.dsn, undefined);
  });

  it('returns the envelope and the ESMTP DSN parameters nodemailer sends (ENVID, RET, NOTIFY, ORCPT)', async () => {
    const mail = await composeDocumentMail(input({ requestDsn: true }));
    assert.equal(mail.messageId, '<delivery-42.7f3a@relais.ch-exemple.fr>');
    assert.deepEqual(mail.envelope, { from: 'relais@ch-exemple.mssante.fr', to: ['dr.hoda@test.mssante.fr'] });
    assert.deepEqual(mail.dsn, {
      id: 'delivery-42.7f3a@relais.ch-exemple.fr', return: 'headers', notify: ['success', 'failure', 'delay'], recipient: 'dr.hoda@test.mssante.fr',
    });
    const two = await composeDocumentMail(input({
      requestDsn: true,
      recipients: [{ address: 'a@test.mssante.fr', kind: 'ps' }, { address: 'b@test.mssante.fr', kind: 'ps' }],
    }));
    assert.deepEqual(two.envelope.to, ['a@test.mssante.fr', 'b@test.mssante.fr']);
    assert.equal(two.dsn?.recipient, undefined);
  });

  it('uses CRLF line ends only, even for a DPI body written with bare LFs', async () => {
    const mail = await composeDocumentMail(input({ body: 'ligne 1\nligne 2\rligne 3\n' }));
    assert.doesNotMatch(mail.raw.toString('latin1'), /[^\r]\n|\r(?!\n)/);
    assert.match((await parse(mail.raw)).text ?? '', /^ligne 1\nligne 2\nligne 3\n/);
  });

  it('produces the same bytes for the same input, and other boundaries for another Message-ID', async () => {
    const a = await composeDocumentMail(input());
    const b = await composeDocumentMail(input());
    assert.deepEqual(a.raw, b.raw);
    const c = await composeDocumentMail(input({ messageId: 'other@relais.ch-exemple.fr' }));
    const boundary = (raw: Buffer): string | undefined => /boundary="([^"]+)"/.exec(raw.toString('latin1'))?.[1];
    assert.notEqual(boundary(a.raw), boundary(c.raw));
    assert.equal(c.messageId, '<other@relais.ch-exemple.fr>');
  });

  it('encodes non-ASCII display names and subjects (RFC 2047): the header block is pure ASCII', async () => {
    const mail = await composeDocumentMail(input({
      from: { address: 'relais@ch-exemple.mssante.fr', label: 'Hôpital Saint-Éloi' },
      patient: { family: 'Lefèvre', given: 'Agnès', birthDate: '1977-08-17', insQualified: false },
    }));
    const headerBlock = mail.raw.subarray(0, mail.raw.indexOf('\r\n\r\n'));
    assert.ok(headerBlock.every((byte) => byte < 0x80));
    const parsed = await parse(mail.raw);
    assert.equal(parsed.subject, 'XDM/1.0/DDM+Lettre de liaison de sortie LEFÈVRE Agnès 17/08/1977');
    assert.deepEqual(addresses(parsed.from), [{ name: 'Hôpital Saint-Éloi', address: 'relais@ch-exemple.mssante.fr' }]);
  });

  it('folds CR/LF in free text so no header can be injected', async () => {
    const mail = await composeDocumentMail(input({
      from: { address: 'relais@ch-exemple.mssante.fr', label: 'Relais\r\nBcc: spy@evil.example' },
      patient: { family: 'Martineau\r\nX-Injected: 1', given: 'Claire\n', insQualified: true, ins: '285057511223391' },
      documents: [{ typeCode: '11490-0', typeLabel: 'L', title: 'CR\r\nBcc: spy@evil.example\r\n\r\nbody', effectiveTime: '2026' }],
      pdfs: [{ fileName: 'a\r\nX-Evil: 1.pdf', content: pdf }],
    }));
    const parsed = await parse(mail.raw);
    assert.equal(parsed.bcc, undefined);
    assert.equal(header(parsed, 'x-injected'), undefined);
    assert.equal(header(parsed, 'x-evil'), undefined);
    assert.equal(parsed.subject, 'XDM/1.0/DDM+CR Bcc: spy@evil.example body MARTINEAU X-INJECTED: 1 Claire');
    assert.equal(parsed.attachments[1]?.filename, 'a X-Evil: 1.pdf');
    assert.ok(!mail.raw.toString('latin1').includes('\nBcc:'));
  });

  it('refuses addresses, Message-IDs and tokens that carry CR/LF or are malformed', async () => {
    await rejects(composeDocumentMail(input({ recipients: [{ address: 'dr@test.mssante.fr\r\nBcc: x@y.fr', kind: 'ps' }] })), 'RLS_MSS_BAD_ADDRESS');
    await rejects(composeDocumentMail(input({ replyTo: 'a@b.fr>, <c@d.fr' })), 'RLS_MSS_BAD_ADDRESS');
    await rejects(composeDocumentMail(input({ from: { address: 'relais', label: 'x' } })), 'RLS_MSS_BAD_ADDRESS');
    await rejects(composeDocumentMail(input({ messageId: 'a@b\r\nBcc: x@y.fr' })), 'RLS_MSS_BAD_INPUT');
    await rejects(composeDocumentMail(input({ messageId: 'no-at-sign' })), 'RLS_MSS_BAD_INPUT');
    await rejects(composeDocumentMail(input({ productReference: 'DEV 1\r\nX: y' })), 'RLS_MSS_BAD_INPUT');
    await rejects(composeDocumentMail(input({ documents: [{ typeCode: '1\n2', typeLabel: 'x', title: 'x', effectiveTime: '' }] })), 'RLS_MSS_BAD_INPUT');
    await rejects(composeDocumentMail(input({ pdfs: [{ fileName: '../etc/passwd', content: pdf }] })), 'RLS_MSS_BAD_INPUT');
  });

  it('refuses a mail without recipients, without documents or archive, or mixing patient mailboxes and professionals', async () => {
    await rejects(composeDocumentMail(input({ recipients: [] })), 'RLS_MSS_BAD_RECIPIENTS');
    await rejects(composeDocumentMail(input({ documents: [] })), 'RLS_MSS_BAD_INPUT');
    await rejects(composeDocumentMail(input({ xdm: Buffer.alloc(0) })), 'RLS_MSS_BAD_INPUT');
    await rejects(composeDocumentMail(input({
      recipients: [{ address: 'dr@test.mssante.fr', kind: 'ps' }, { address: '285057511223391@patient.mssante.fr', kind: 'patient' }],
    })), 'RLS_MSS_BAD_RECIPIENTS');
    // A "patient" outside the patient domain, or a professional inside it, is a planning error.
    await rejects(composeDocumentMail(input({ recipients: [{ address: 'dr@test.mssante.fr', kind: 'patient' }] })), 'RLS_MSS_BAD_RECIPIENTS');
    await rejects(composeDocumentMail(input({ recipients: [{ address: '285057511223391@patient.mssante.fr', kind: 'ps' }] })), 'RLS_MSS_BAD_RECIPIENTS');
  });

  it('fails with RLS_MSS_TOO_LARGE when the encoded mail exceeds maxBytes', async () => {
    const big = Buffer.alloc(300_000, 7);
    const ok = await composeDocumentMail(input({ xdm: big, maxBytes: 500_000 }));
    assert.ok(ok.raw.length > 400_000, 'base64 inflates the archive by a third');
    await assert.rejects(composeDocumentMail(input({ xdm: big, maxBytes: 400_000 })), (e: unknown) =>
      isRelaisError(e) && e.code === 'RLS_MSS_TOO_LARGE' && e.kind === 'input' && e.details['maxBytes'] === 400_000);
  });
});
