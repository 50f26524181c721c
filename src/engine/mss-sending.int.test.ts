/**
 * MSSanté sending end to end against the real Postfix + Dovecot stand-in: a volet A message accepted by intake
 * becomes a mail in the recipient's mailbox, read back over IMAP (not from Relais's own state); the DSN and MDN
 * that come back to the application mailbox become ZAM^Z02 / ZAM^Z03 at the DPI.
 */
import { after, afterEach, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser, type ParsedMail } from 'mailparser';
import { syntheticCda, type InstanceId } from '../cda/index.js';
import { defaultVoletAConfig } from '../cisis/index.js';
import { loadConfig } from '../config/index.js';
import { buildVoletAMessage } from '../sandbox/index.js';
import { demoAuthor, demoOrganization, demoPatients } from '../sandbox/demo-patients.js';
import { fetchRaw, imapClient, mssSkip, sendTestMail, startTestMss, waitForMessages, type TestMss } from '../sandbox/mss/testing.js';
import { listDeliveries, listMailReceipts, listMssTraces, type Store } from '../store/index.js';
import { forEachDriver } from '../store/testing.js';
import { readXdmArchive } from '../xdm/index.js';
import { IntakeService } from './intake-service.js';
import { silentLogger } from './logger.js';
import { startMssDelivery, type MssDelivery } from './mss-delivery.js';
import { createMssSettledHook, handleReceiptMail } from './mss-receipts.js';
import { NotificationSender } from './notification-sender.js';
import { FakeDpi } from './testing/fake-dpi.js';
import { preflight, pdfboxSkipReason } from '../pdfa/testing/pdfbox.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceWriter } from './trace-writer.js';

const skip = mssSkip();
const patient = demoPatients[0]!;
const run = `${process.pid}${Date.now() % 100_000}`;
let serial = 0;

interface Node { store: Store; intake: IntakeService; mss: MssDelivery; sender: NotificationSender; dpi: FakeDpi; close(): Promise<void> }

function message(o: {
  to: string[]; patientMailbox?: boolean; ackReception?: boolean; ackRead?: boolean; mayNotReply?: boolean; dmp?: boolean;
  replaces?: InstanceId; action?: 'delete'; deletes?: InstanceId; identityStatus?: string;
}): { raw: Buffer; controlId: string; documentId: string; id: InstanceId } {
  serial += 1;
  const id: InstanceId = o.deletes ?? { root: `1.2.250.1.999.7.${run}.${serial}` };
  const controlId = `MSS${run}${serial}`;
  const cdaXml = syntheticCda({
    typeCode: '11490-0', patient, documentId: id, setId: o.replaces ?? id, version: o.replaces ? 2 : 1, level: 'N3',
    ...(o.replaces ? { replaces: o.replaces } : {}),
    effectiveTime: new Date(Date.now() - 3_600_000), author: demoAuthor, organization: demoOrganization,
  });
  const raw = Buffer.from(buildVoletAMessage({
    structure: 'MDM', action: o.action ?? (o.replaces ? 'replace' : 'publish'), controlId, timestamp: new Date(), cdaXml, documentId: id,
    ...(o.replaces ? { parentDocumentId: o.replaces } : {}),
    ...(o.identityStatus ? { identityStatus: o.identityStatus } : {}),
    typeCode: { code: '11490-0', label: 'Lettre de liaison de sortie' }, patient,
    sender: { ...demoAuthor, finess: demoOrganization.finess, orgName: demoOrganization.name },
    recipients: o.to.map((address) => ({ address })),
    ...(o.patientMailbox ? { patientMailbox: true } : {}),
    ...(o.mayNotReply ? { patientMayNotReply: true } : {}),
    replyTo: 'secretariat@relais.test.mssante.fr',
    flags: {
      DESTDMP: o.dmp ?? false, DESTMSSANTEPS: o.to.length > 0, DESTMSSANTEPAT: o.patientMailbox ?? false,
      ACK_RECEPTION: o.ackReception ?? true, ACK_LECTURE_MSS: o.ackRead ?? false,
    },
  }));
  return { raw, controlId, documentId: id.root, id };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function header(m: ParsedMail, name: string): string | undefined {
  const v = m.headers.get(name.toLowerCase());
  return v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
}

let mss: TestMss;
const nodes: Node[] = [];
if (skip) it('MSSanté sending through Postfix and Dovecot', { skip }, () => undefined);
else {
  before(async () => { mss = await startTestMss(); });
  after(async () => { await mss?.stop(); });
  afterEach(async () => { for (const n of nodes.splice(0)) await n.close(); });
}

forEachDriver('MSSanté sending through Postfix and Dovecot', (ctx) => {
  if (skip) return;

  async function startNode(store: Store): Promise<Node> {
    const app = mss.sandbox.mailbox('app');
    const dpi = new FakeDpi();
    await dpi.listen();
    const config = loadConfig({ env: {
      RELAIS_MSS_SMTP: `${mss.sandbox.smtpHost}:${mss.sandbox.smtpPort}`, RELAIS_MSS_BAL: app.address, RELAIS_MSS_PASSWORD: app.password,
      RELAIS_PKI_DIR: mss.pkiDir, RELAIS_MSS__PRODUCT_REFERENCE: 'DEV000042',
      RELAIS_MSS__MAILBOXES__0__LABEL: 'CH Démo — Cardiologie',
    } });
    const sender = new NotificationSender({
      store, endpoint: { host: '127.0.0.1', port: dpi.port }, ackTimeoutMs: 2_000, connectTimeoutMs: 2_000,
      backoff: { baseMs: 20, maxMs: 50, factor: 1, jitter: 'none' }, maxAttempts: 5, pollMs: 50, leaseMs: 15_000, log: silentLogger,
    });
    let zamSerial = 0;
    const zam = { applicationName: 'RELAIS', facility: '990000000', nextControlId: () => `Z${run}${++zamSerial}` };
    const traces = new TraceWriter({ store, retentionDays: 183, flushMs: 20 });
    const delivery = startMssDelivery(config, {
      store, validation: defaultVoletAConfig, log: silentLogger, version: 'test', traces,
      onSettled: createMssSettledHook({ zam }), afterSettled: () => sender.notify(),
    });
    assert.ok(delivery);
    const intake = new IntakeService({
      store, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '990000000', log: silentLogger,
      onAccepted: () => delivery.notify(),
    });
    sender.start();
    const node: Node = {
      store, intake, mss: delivery, sender, dpi,
      async close() {
        await delivery.close({ timeoutMs: 2000 });
        await traces.close();
        await sender.stop({ timeoutMs: 2000 });
        await dpi.close();
      },
    };
    nodes.push(node);
    return node;
  }

  /** Reads the application mailbox and feeds every mail to the receipt handler, as the mailbox reader does. */
  async function readReceipts(node: Node, atLeast: number): Promise<number> {
    const raws = await waitForMessages(mss, mss.sandbox.mailbox('app'), atLeast);
    let recorded = 0;
    for (const raw of raws) {
      const parsed = await simpleParser(raw);
      const r = await handleReceiptMail(raw, parsed.messageId ?? '', { store: node.store, zam: { applicationName: 'RELAIS', facility: '990000000', nextControlId: () => `R${run}${++serial}` } });
      if (r.kind === 'recorded') recorded++;
    }
    return recorded;
  }

  async function clearMailbox(role: 'app' | 'ps'): Promise<void> {
    const client = await imapClient(mss, mss.sandbox.mailbox(role));
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        if (typeof client.mailbox === 'object' && client.mailbox.exists > 0) await client.messageDelete('1:*');
      } finally { lock.release(); }
    } finally { await client.logout().catch(() => client.close()); }
  }

  it('delivers a professional mail whose headers, archive and PDF are as specified, then turns its DSN into ZAM^Z02 Y and its MDN into ZAM^Z03 Y', async () => {
    const store = ctx.store;
    {
      await clearMailbox('app');
      await clearMailbox('ps');
      const node = await startNode(store);
      const ps = mss.sandbox.mailbox('ps');
      const app = mss.sandbox.mailbox('app');
      const m = message({ to: [ps.address], ackReception: true, ackRead: true });
      assert.equal((await node.intake.handle(m.raw, { label: 'dpi' })).ackCode, 'AA');

      const [raw] = await waitForMessages(mss, ps, 1);
      const mail = await simpleParser(raw!);
      assert.equal(mail.from?.value[0]?.address, app.address);
      assert.equal(mail.from?.value[0]?.name, 'CH Démo — Cardiologie');
      assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined, ps.address);
      assert.equal(mail.replyTo?.value[0]?.address, 'secretariat@relais.test.mssante.fr');
      assert.match(mail.subject ?? '', /^XDM\/1\.0\/DDM\+.+ MARTINEAU CLAIRE/);
      assert.equal(header(mail, 'X-MSS-INS'), 'O');
      assert.equal(header(mail, 'X-MSS-CODECDA'), '11490-0');
      assert.equal(header(mail, 'X-MSS-NIL'), 'DEV000042');
      assert.equal(header(mail, 'X-MSS-MES'), undefined);
      assert.match(header(mail, 'Disposition-Notification-To') ?? '', new RegExp(app.address.replace('.', '\\.')));
      // The raw header is spelled as Référentiel #2 writes it.
      assert.match(raw!.toString('latin1'), /\r\nX-MSS-CODECDA: 11490-0\r\n/);

      const zip = mail.attachments.find((a) => a.filename === 'IHE_XDM.zip');
      const pdf = mail.attachments.find((a) => a.contentType === 'application/pdf');
      assert.ok(zip, 'IHE_XDM.zip attached');
      assert.ok(pdf, 'PDF attached');
      assert.match(pdf.filename ?? '', /^\d{8}_.+_MARTINEAU_CLAIRE\.pdf$/);
      assert.equal(pdf.content.subarray(0, 5).toString('latin1'), '%PDF-');
      if (pdfboxSkipReason() === undefined) {
        // The N3 document's PDF is rendered by Relais: PDF/A-1b as Apache PDFBox Preflight sees it.
        const dir = mkdtempSync(join(tmpdir(), 'relais-pdf-'));
        try {
          const file = join(dir, 'copy.pdf');
          writeFileSync(file, pdf.content);
          const verdict = (await preflight([file], dir)).get('copy.pdf');
          assert.equal(verdict?.valid, true, JSON.stringify(verdict?.errors));
        } finally { rmSync(dir, { recursive: true, force: true }); }
      }
      const archive = await readXdmArchive(zip.content, { testOids: true });
      assert.ok(archive.ok, archive.ok ? '' : `${archive.code}: ${archive.detail}`);
      assert.equal(archive.documents.length, 1);
      assert.equal(archive.documents[0]?.uniqueId, m.documentId);
      assert.equal(archive.patient.ins, patient.ins);

      const [delivery] = await listDeliveries(store.db, {});
      assert.equal(delivery?.state, 'done');

      // Postfix answers NOTIFY=SUCCESS with a success DSN to the application mailbox.
      assert.equal(await readReceipts(node, 1), 1);
      await node.dpi.waitFor(1, 15_000, 'Z02');
      const [z02] = node.dpi.ofEvent('Z02');
      assert.equal(z02?.segment('OBX')?.get(4), m.controlId);
      assert.equal(z02?.segment('OBX')?.raw(5), 'Y^^expandedYes-NoIndicator');
      assert.equal(z02?.all('OBX')[1]?.get(5, 4), ps.address);

      // The recipient's software answers the Disposition-Notification-To with an MDN.
      await sendTestMail(mss, { from: ps, to: [app.address], raw: mdn(ps.address, app.address, mail.messageId ?? '') });
      await until('the MDN in the application mailbox', async () => (await fetchRaw(mss, app)).length >= 2);
      assert.equal(await readReceipts(node, 2), 1, 'only the MDN is new');
      await node.dpi.waitFor(1, 15_000, 'Z03');
      const [z03] = node.dpi.ofEvent('Z03');
      assert.equal(z03?.segment('OBX')?.get(4), m.controlId);
      assert.equal(z03?.segment('OBX')?.raw(5), 'Y^^expandedYes-NoIndicator');
      const receipts = await listMailReceipts(store.db, delivery!.id);
      // Postfix reports LMTP delivery into Dovecot as "relayed" (no DSN support past it): a success too.
      assert.deepEqual(receipts.map((r) => r.kind), ['dsn', 'mdn']);
      assert.match(receipts[0]!.status, /^(delivered|relayed)$/);
      assert.equal(receipts[1]!.status, 'displayed');

      // Every SMTP step is traced with the server's answer, never the password or the content.
      const traces = await listMssTraces(store.db, { protocol: 'smtp', limit: 500 });
      assert.ok(traces.some((t) => t.action === 'send' && t.ok && /250/.test(t.response)));
      for (const t of traces) {
        assert.doesNotMatch(`${t.request}\n${t.response}`, new RegExp(app.password));
        assert.doesNotMatch(`${t.request}\n${t.response}`, /IHE_XDM|base64/i);
      }
    }
  });

  it('sends a patient mail to <INS>@patient.mssante.fr with X-MSS-MES: FIN when the DPI closed the channel', async () => {
    const store = ctx.store;
    {
      const node = await startNode(store);
      const patientBox = mss.sandbox.mailboxes.find((b) => b.address === `${patient.ins}@patient.mssante.fr`);
      assert.ok(patientBox, 'the sandbox has the patient mailbox');
      const before = (await fetchRaw(mss, patientBox)).length;
      const m = message({ to: [], patientMailbox: true, mayNotReply: true, ackReception: false });
      assert.equal((await node.intake.handle(m.raw, { label: 'dpi' })).ackCode, 'AA');
      const raws = await waitForMessages(mss, patientBox, before + 1);
      const mail = await simpleParser(raws[raws.length - 1]!);
      assert.equal(header(mail, 'X-MSS-MES'), 'FIN');
      assert.equal(header(mail, 'X-MSS-INS'), 'O');
      assert.equal(header(mail, 'Disposition-Notification-To'), undefined);
      assert.equal(header(mail, 'Return-Receipt-To'), undefined);
    }
  });

  it('sends a replacement with the "annule et remplace" wording and action C, then a deletion notice with action D and no PDF', async () => {
    const store = ctx.store;
    {
      const node = await startNode(store);
      const ps = mss.sandbox.mailbox('ps');
      const before = (await fetchRaw(mss, ps)).length;
      const first = message({ to: [ps.address], ackReception: false });
      assert.equal((await node.intake.handle(first.raw, { label: 'dpi' })).ackCode, 'AA');
      const second = message({ to: [ps.address], ackReception: false, replaces: first.id });
      assert.equal((await node.intake.handle(second.raw, { label: 'dpi' })).ackCode, 'AA');
      const third = message({ to: [ps.address], ackReception: false, action: 'delete', deletes: second.id, replaces: first.id });
      assert.equal((await node.intake.handle(third.raw, { label: 'dpi' })).ackCode, 'AA');
      const raws = await waitForMessages(mss, ps, before + 3);
      const mails = await Promise.all(raws.slice(before).map((r) => simpleParser(r)));
      const byDoc = async (m: ParsedMail) => {
        const zip = m.attachments.find((a) => a.filename === 'IHE_XDM.zip');
        const archive = zip ? await readXdmArchive(zip.content, { testOids: true }) : undefined;
        return archive?.ok ? archive.documents[0] : undefined;
      };
      const docs = await Promise.all(mails.map(byDoc));
      const replacement = mails[docs.findIndex((d) => d?.uniqueId === second.documentId && d.action === 'replace')];
      const deletion = mails[docs.findIndex((d) => d?.action === 'delete')];
      assert.ok(replacement, 'the replacement mail carries action C');
      assert.ok(deletion, 'the deletion mail carries action D');
      assert.match(replacement.text ?? '', /annule et remplace/i);
      assert.ok(replacement.attachments.some((a) => a.contentType === 'application/pdf'));
      assert.match(deletion.text ?? '', /supprim/i);
      assert.equal(deletion.attachments.some((a) => a.contentType === 'application/pdf'), false);
    }
  });

  it('refuses at intake a patient mail for an unqualified identity, telling the DPI why', async () => {
    const node = await startNode(ctx.store);
    const m = message({ to: [], patientMailbox: true, identityStatus: 'PROV' });
    const r = await node.intake.handle(m.raw, { label: 'dpi' });
    assert.equal(r.ackCode, 'AE');
    assert.match(r.ack.toString('utf8'), /ERR\|/);
    assert.deepEqual(await listDeliveries(ctx.store.db, {}), []);
  });

  it('turns an unknown recipient into a dead delivery or a failed DSN, and tells the DPI with ZAM^Z02 N and the SMTP code', async () => {
    const store = ctx.store;
    {
      await clearMailbox('app');
      const node = await startNode(store);
      const m = message({ to: ['nobody@pro.test.mssante.fr'], ackReception: true });
      assert.equal((await node.intake.handle(m.raw, { label: 'dpi' })).ackCode, 'AA');
      await until('the delivery settles', async () => ['done', 'dead'].includes((await listDeliveries(store.db, {}))[0]?.state ?? ''));
      const [d] = await listDeliveries(store.db, {});
      // Refused at RCPT (dead now) or accepted then bounced (a failed DSN): both end in a ZAM^Z02 N.
      if (d?.state === 'done') assert.equal(await readReceipts(node, 1), 1);
      await node.dpi.waitFor(1, 15_000, 'Z02');
      const [z02] = node.dpi.ofEvent('Z02');
      assert.equal(z02?.segment('OBX')?.raw(5), 'N^^expandedYes-NoIndicator');
      assert.equal(z02?.segment('ERR')?.get(5, 1), '550');
      assert.equal(z02?.segment('ERR')?.get(5, 3), 'SMTPERRORCODE');
      assert.equal(z02?.segment('OBX')?.get(4), m.controlId);
    }
  });
});

/** An MDN as a recipient's mail software writes it (RFC 8098). */
function mdn(from: string, to: string, originalMessageId: string): string {
  const b = 'mdn-boundary-1';
  return [
    `From: ${from}`, `To: ${to}`, 'Subject: Lu : XDM/1.0/DDM+', `Message-ID: <mdn.${Date.now()}@pro.test.mssante.fr>`,
    `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=disposition-notification; boundary="${b}"`, '',
    `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', 'Le courriel a été affiché.', '',
    `--${b}`, 'Content-Type: message/disposition-notification', '',
    'Reporting-UA: test-mua', `Original-Recipient: rfc822;${from}`, `Final-Recipient: rfc822;${from}`,
    `Original-Message-ID: ${originalMessageId}`, 'Disposition: manual-action/MDN-sent-manually; displayed', '',
    `--${b}--`, '',
  ].join('\r\n');
}
