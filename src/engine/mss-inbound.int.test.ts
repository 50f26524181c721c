/**
 * Volet B end to end, against the real Postfix + Dovecot stand-in: a document mail delivered to the application
 * mailbox becomes an MDM at the DPI; the DPI's answer becomes an MDN (success, or `[KO Intégration système !][902]`
 * with the original attachments) in the sender's mailbox, or an error mail to the configured error mailbox; the mail
 * ends in the right folder. Hostile or unrelated mails are set aside without stopping the mailbox.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { readCdaHeader, syntheticCda } from '../cda/index.js';
import { loadConfig } from '../config/index.js';
import { demoAuthor, demoOrganization, demoPatients } from '../sandbox/demo-patients.js';
import { fetchRaw, mssSkip, sendTestMail, startTestMss, waitForMessages, type TestMss } from '../sandbox/mss/testing.js';
import type { MssMailbox } from '../sandbox/mss/mailboxes.js';
import { listInboundMails } from '../store/index.js';
import { buildXdmArchive } from '../xdm/index.js';
import { silentLogger } from './logger.js';
import { startRelais, type RunningRelais } from './relais-runtime.js';
import { FakeDpi } from './testing/fake-dpi.js';

const run = `${process.pid}${Date.now() % 100_000}`;
let serial = 0;

/** A document mail as another PFI sends it: IHE_XDM.zip + PDF, XDM subject, optionally asking for an MDN. */
async function documentMail(o: { from: string; to: string; patientIndex?: number; mdn?: boolean; zip?: Buffer }): Promise<{ raw: string; uniqueId: string; messageId: string }> {
  serial += 1;
  const patient = demoPatients[o.patientIndex ?? 0]!;
  const id = { root: `1.2.250.1.999.9.${run}.${serial}` };
  const cda = Buffer.from(syntheticCda({
    typeCode: '11490-0', patient, documentId: id, setId: id, version: 1, level: 'N3', author: demoAuthor, organization: demoOrganization,
  }));
  const header = readCdaHeader(cda);
  const zip = o.zip ?? (await buildXdmArchive({
    patient: { ins: patient.ins, insOid: patient.insOid }, requester: {}, submissionTime: new Date(), sourceOid: '1.2.250.1.999.2',
    intendedRecipients: [{ mail: o.to }],
    documents: [{ cda, header, flags: { MASQUE_PS: false, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false }, action: 'publish' }],
    sender: { organisation: 'Laboratoire test', contact: [o.from], software: { name: 'autre-pfi', version: '1' } },
  })).zip;
  const messageId = `<doc.${run}.${serial}@pro.test.mssante.fr>`;
  const b = `b-${run}-${serial}`;
  const raw = [
    `From: Laboratoire <${o.from}>`, `To: ${o.to}`, `Subject: XDM/1.0/DDM+Lettre de liaison ${patient.family} ${patient.given[0]} 14/05/1985`,
    `Message-ID: ${messageId}`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0',
    ...(o.mdn ? [`Disposition-Notification-To: ${o.from}`] : []),
    `Content-Type: multipart/mixed; boundary="${b}"`, '',
    `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', 'Veuillez trouver le document ci-joint.', '',
    `--${b}`, 'Content-Type: application/zip; name="IHE_XDM.zip"', 'Content-Disposition: attachment; filename="IHE_XDM.zip"',
    'Content-Transfer-Encoding: base64', '', zip.toString('base64').replace(/.{76}/g, '$&\r\n'), '',
    `--${b}`, 'Content-Type: application/pdf; name="doc.pdf"', 'Content-Disposition: attachment; filename="doc.pdf"',
    'Content-Transfer-Encoding: base64', '', Buffer.from('%PDF-1.4 test').toString('base64'), '',
    `--${b}--`, '',
  ].join('\r\n');
  return { raw, uniqueId: id.root, messageId };
}

/** Waits for mail in a folder that Relais creates when it first moves a mail there. */
async function waitInFolder(mss: TestMss, mailbox: MssMailbox, folder: string, count: number): Promise<Buffer[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const got = await fetchRaw(mss, mailbox, folder).catch(() => [] as Buffer[]);
    if (got.length >= count) return got;
    if (Date.now() > deadline) assert.fail(`${mailbox.address}: ${got.length} mail(s) in ${folder}, expected ${count}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function header(m: ParsedMail, name: string): string {
  const v = m.headers.get(name);
  return typeof v === 'string' ? v : JSON.stringify(v ?? '');
}

describe('volet B: documents received by MSSanté handed to the DPI', { skip: mssSkip() }, () => {
  let mss: TestMss;
  let dir: string;
  let dpi: FakeDpi;
  let node: RunningRelais;

  before(async () => {
    mss = await startTestMss();
    dir = mkdtempSync(join(tmpdir(), 'relais-inbound-'));
    dpi = new FakeDpi();
    await dpi.listen();
    // Patient 2 is unknown to the DPI: 902.
    dpi.decide = (m) => (m.segment('PID')?.get(3, 1) === demoPatients[2]!.ins ? { code: 'AE', appError: '902' } : 'AA');
    const app = mss.sandbox.mailbox('app');
    const config = loadConfig({ env: {
      RELAIS_STORE__DATA_DIR: join(dir, 'data'), RELAIS_MLLP_PORT: '0',
      RELAIS_MSS_SMTP: `${mss.sandbox.smtpHost}:${mss.sandbox.smtpPort}`, RELAIS_MSS_IMAP: `${mss.sandbox.imapHost}:${mss.sandbox.imapPort}`,
      RELAIS_MSS_BAL: app.address, RELAIS_MSS_PASSWORD: app.password, RELAIS_PKI_DIR: mss.pkiDir,
      RELAIS_MSS_ERROR_BAL: mss.sandbox.mailbox('org').address, RELAIS_DPI: `127.0.0.1:${dpi.port}`,
      RELAIS_MSS__MAILBOXES__0__POLL_SECONDS: '5',
      RELAIS_DPI__APPLICATION: 'HOPITAL_MANAGER', RELAIS_DPI__FACILITY: 'CHU-TEST',
      // Small enough for a test mail to exceed it, large enough for every other mail of this file.
      RELAIS_MSS__MAX_INBOUND_MAIL_BYTES: String(1024 * 1024),
    } });
    node = await startRelais(config, silentLogger);
  });
  after(async () => {
    await node?.close({ timeoutMs: 3000 });
    await dpi?.close();
    await mss?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands a document mail to the DPI as MDM^T02 and answers the sender with a success MDN, then files the mail in Traites', async () => {
    const ps = mss.sandbox.mailbox('ps');
    const app = mss.sandbox.mailbox('app');
    const m = await documentMail({ from: ps.address, to: app.address, mdn: true });
    await sendTestMail(mss, { from: ps, to: [app.address], raw: m.raw });

    await dpi.waitFor(1, 30_000, 'T02');
    const [mdm] = dpi.ofEvent('T02');
    assert.equal(mdm?.segment('MSH')?.raw(21), '1.1^CISIS_CDA_HL7_LPS');
    assert.deepEqual([mdm?.segment('MSH')?.get(5), mdm?.segment('MSH')?.get(6)], ['HOPITAL_MANAGER', 'CHU-TEST'], 'dpi.application / dpi.facility');
    assert.equal(mdm?.segment('TXA')?.get(12), m.uniqueId);
    assert.equal(mdm?.segment('PV1')?.get(2), 'N');
    assert.equal(mdm?.segment('PID')?.get(3, 1), demoPatients[0]!.ins);
    const sb = mdm?.all('PRT').find((p) => p.get(4) === 'SB');
    assert.equal(sb?.get(15, 4), ps.address);
    assert.equal(mdm?.all('OBX')[1]?.get(3, 1), m.messageId);

    const [reply] = await waitForMessages(mss, ps, 1, { timeoutMs: 30_000 });
    const mdn = await simpleParser(reply!);
    assert.match(header(mdn, 'content-type'), /multipart\/report/);
    assert.match(mdn.subject ?? '', /^XDM\/1\.0\/DDM\+/);
    assert.doesNotMatch(mdn.subject ?? '', /KO Intégration/);
    assert.match(reply!.toString('utf8'), /Disposition: automatic-action\/MDN-sent-automatically; processed\r\n/);
    assert.match(reply!.toString('utf8'), new RegExp(`Original-Message-ID: ${m.messageId.replace(/[.]/g, '\\.')}`));

    await waitInFolder(mss, app, 'Traites', 1);
    const [row] = await listInboundMails(node.store.db, { limit: 1 });
    assert.equal(row?.outcome, 'integrated');
    assert.equal(row?.answerKind, 'mdn');
  });

  it('answers an error MDN [KO Intégration système !][902] with the original attachments when the DPI refuses the patient', async () => {
    const ps = mss.sandbox.mailbox('ps');
    const app = mss.sandbox.mailbox('app');
    const before = (await fetchRaw(mss, ps)).length;
    const m = await documentMail({ from: ps.address, to: app.address, patientIndex: 2, mdn: true });
    await sendTestMail(mss, { from: ps, to: [app.address], raw: m.raw });
    const replies = await waitForMessages(mss, ps, before + 1, { timeoutMs: 30_000 });
    const raw = replies[replies.length - 1]!;
    const mdn = await simpleParser(raw);
    assert.match(mdn.subject ?? '', /^\[KO Intégration système !\]\[902\] XDM\/1\.0\/DDM\+/);
    assert.match(raw.toString('utf8'), /processed\/Error: 902\^/);
    const names = mdn.attachments.map((a) => a.filename);
    assert.ok(names.includes('IHE_XDM.zip'), `attachments: ${names.join(', ')}`);
    await waitInFolder(mss, app, 'Erreurs', 1);
  });

  it('sends the standard error mail to the error mailbox when no MDN was asked', async () => {
    const ps = mss.sandbox.mailbox('ps');
    const org = mss.sandbox.mailbox('org');
    const before = (await fetchRaw(mss, org)).length;
    const m = await documentMail({ from: ps.address, to: mss.sandbox.mailbox('app').address, patientIndex: 2 });
    await sendTestMail(mss, { from: ps, to: [mss.sandbox.mailbox('app').address], raw: m.raw });
    const mails = await waitForMessages(mss, org, before + 1, { timeoutMs: 30_000 });
    const err = await simpleParser(mails[mails.length - 1]!);
    assert.match(err.subject ?? '', /^\[KO Intégration système !\]\[902\]/);
    assert.match(header(err, 'content-type'), /multipart\/mixed/);
  });

  it('refuses a hostile archive (path traversal) with a 906 error MDN and keeps reading the mailbox', async () => {
    const ps = mss.sandbox.mailbox('ps');
    const app = mss.sandbox.mailbox('app');
    const before = (await fetchRaw(mss, ps)).length;
    const evil = evilZip();
    const m = await documentMail({ from: ps.address, to: app.address, mdn: true, zip: evil });
    await sendTestMail(mss, { from: ps, to: [app.address], raw: m.raw });
    const replies = await waitForMessages(mss, ps, before + 1, { timeoutMs: 30_000 });
    const mdn = await simpleParser(replies[replies.length - 1]!);
    assert.match(mdn.subject ?? '', /^\[KO Intégration système !\]\[906\]/);
    // A plain mail afterwards is still read, and set aside in Autres.
    await sendTestMail(mss, { from: ps, to: [app.address], subject: 'Bonjour', text: 'sans pièce jointe' });
    await waitInFolder(mss, app, 'Autres', 1);
  });

  it('files a mail above mss.maxInboundMailBytes in Erreurs unread, and keeps reading the mailbox', async () => {
    const ps = mss.sandbox.mailbox('ps');
    const app = mss.sandbox.mailbox('app');
    const errorsBefore = (await fetchRaw(mss, app, 'Erreurs').catch(() => [] as Buffer[])).length;
    const otherBefore = (await fetchRaw(mss, app, 'Autres').catch(() => [] as Buffer[])).length;
    await sendTestMail(mss, { from: ps, to: [app.address], subject: 'Très gros', text: 'x'.repeat(2 * 1024 * 1024) });
    await sendTestMail(mss, { from: ps, to: [app.address], subject: 'Petit', text: 'après le gros' });
    await waitInFolder(mss, app, 'Erreurs', errorsBefore + 1);
    await waitInFolder(mss, app, 'Autres', otherBefore + 1);
    const [row] = (await listInboundMails(node.store.db, { limit: 10 })).filter((r) => r.errorLabel?.startsWith('Courriel trop volumineux'));
    assert.equal(row?.outcome, 'failed');
    assert.equal(row?.movedTo, 'Erreurs');
  });
});

/** A zip whose only entry climbs out of the archive: `../../etc/evil`, stored (no compression). */
function evilZip(): Buffer {
  const name = Buffer.from('../../etc/evil');
  const data = Buffer.from('x');
  const crc = 0x8cdc1683; // CRC-32 of "x"
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(1, 18); local.writeUInt32LE(1, 22); local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(1, 20); central.writeUInt32LE(1, 24); central.writeUInt16LE(name.length, 28);
  const localPart = Buffer.concat([local, name, data]);
  const centralPart = Buffer.concat([central, name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12); end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]);
}
