/**
 * npm run bench (third part) — MSSanté, against the real Postfix + Dovecot stand-in (needs root and the Debian
 * packages; skipped with a message otherwise):
 * - sending: mails/s and p99 SMTP submission time of Relais's MSSanté worker (XDM archive, PDF, X-MSS headers,
 *   pooled STARTTLS connections with the client certificate and the profile check), as a drain after an outage;
 *   baseline in the same run: nodemailer's pooled transport submitting mails of the same size, same connections,
 *   same TLS, same server.
 * - receiving: document mails/s from the application mailbox (IMAP) to the DPI's ACK of their MDMs, answered;
 *   baseline: fetching the same mails over IMAP, nothing else.
 * Env: BENCH_MSS_MAILS (default 60).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { readCdaHeader, syntheticCda } from '../src/cda/index.js';
import { loadConfig } from '../src/config/index.js';
import { silentLogger, startRelais } from '../src/engine/index.js';
import { FakeDpi } from '../src/engine/testing/fake-dpi.js';
import { demoAuthor, demoOrganization, demoPatients } from '../src/sandbox/index.js';
import { imapClient, mssSkip, sendTestMail, startTestMss, type TestMss } from '../src/sandbox/mss/testing.js';
import { listDeliveries, listInboundMails, listMssTraces } from '../src/store/index.js';
import { buildXdmArchive } from '../src/xdm/index.js';
import { benchMessages } from './bench-messages.js';
import { percentile } from './bench-support.js';

const total = Number(process.env.BENCH_MSS_MAILS ?? 60);
const connections = 2;


interface Figures { perSecond: number; p99: number; count: number }

function config(root: string, mss: TestMss, o: { smtp?: boolean; imap?: boolean; dpiPort?: number }) {
  const app = mss.sandbox.mailbox('app');
  return loadConfig({ env: {
    RELAIS_STORE__DATA_DIR: join(root, 'relais'), RELAIS_MLLP_PORT: '0', RELAIS_MSS_BAL: app.address, RELAIS_MSS_PASSWORD: app.password,
    RELAIS_PKI_DIR: mss.pkiDir, RELAIS_MSS__CONNECTIONS: String(connections),
    ...(o.smtp ? { RELAIS_MSS_SMTP: `${mss.sandbox.smtpHost}:${mss.sandbox.smtpPort}` } : {}),
    ...(o.imap ? { RELAIS_MSS_IMAP: `${mss.sandbox.imapHost}:${mss.sandbox.imapPort}`, RELAIS_MSS__MAILBOXES__0__POLL_SECONDS: '5' } : {}),
    ...(o.dpiPort ? { RELAIS_DPI: `127.0.0.1:${o.dpiPort}` } : {}),
  } });
}

async function relaisSending(root: string, mss: TestMss): Promise<Figures & { mailBytes: number }> {
  const ps = mss.sandbox.mailbox('ps');
  const messages = benchMessages(total, String(Date.now()), { mssOnly: ps.address });
  const intake = await startRelais(config(root, mss, { smtp: false }), silentLogger);
  for (const m of messages) {
    const r = await intake.intake.handle(m, { label: 'bench' });
    if (r.ackCode !== 'AA') throw new Error(`intake answered ${r.ackCode}`);
  }
  await intake.close();
  const node = await startRelais(config(root, mss, { smtp: true }), silentLogger);
  const start = Date.now();
  const deadline = start + 600_000;
  let rows = await listDeliveries(node.store.db, { limit: total + 10 });
  while (rows.some((d) => d.state !== 'done' && d.state !== 'dead')) {
    if (Date.now() > deadline) throw new Error('the MSSanté drain did not finish within 10 minutes');
    await new Promise((r) => setTimeout(r, 50));
    rows = await listDeliveries(node.store.db, { limit: total + 10 });
  }
  const elapsed = (Date.now() - start) / 1000;
  const dead = rows.filter((d) => d.state === 'dead');
  if (dead.length > 0) throw new Error(`${dead.length} mail orders dead (${dead[0]?.reason ?? ''})`);
  await new Promise((r) => setTimeout(r, 500)); // the trace writer's last batch
  const sends = (await listMssTraces(node.store.db, { protocol: 'smtp', limit: 1000 })).filter((t) => t.action === 'send' && t.ok);
  await node.close();
  const latencies = sends.map((t) => t.durationMs ?? 0).sort((a, b) => a - b);
  // The size of what was submitted: read one delivered mail back.
  const client = await imapClient(mss, ps);
  let mailBytes = 0;
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      for await (const m of client.fetch('1', { size: true })) mailBytes = m.size ?? 0;
    } finally { lock.release(); }
  } finally { await client.logout().catch(() => client.close()); }
  return { perSecond: total / elapsed, p99: percentile(latencies, 99), count: total, mailBytes };
}

async function baselineSending(mss: TestMss, bytes: number): Promise<Figures> {
  const app = mss.sandbox.mailbox('app');
  const ps = mss.sandbox.mailbox('ps');
  const transport = nodemailer.createTransport({
    pool: true, maxConnections: connections, host: mss.sandbox.smtpHost, port: mss.sandbox.smtpPort, secure: false, requireTLS: true,
    tls: mss.clientTls, auth: { user: app.login, pass: app.password, method: 'PLAIN' },
  });
  const attachment = Buffer.alloc(Math.floor(bytes * 0.74), 'a');
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(Array.from({ length: total }, async (_, i) => {
    const t0 = performance.now();
    await transport.sendMail({ from: app.address, to: ps.address, subject: `baseline ${i}`, text: 'x', attachments: [{ filename: 'a.bin', content: attachment }] });
    latencies.push(performance.now() - t0);
  }));
  const elapsed = (performance.now() - start) / 1000;
  transport.close();
  latencies.sort((a, b) => a - b);
  return { perSecond: total / elapsed, p99: percentile(latencies, 99), count: total };
}

async function documentMailRaw(i: number, from: string, to: string): Promise<string> {
  const patient = demoPatients[i % demoPatients.length]!;
  const id = { root: `1.2.250.1.999.11.${Date.now() % 1_000_000}.${i}` };
  const cda = Buffer.from(syntheticCda({ typeCode: '11490-0', patient, documentId: id, setId: id, version: 1, level: 'N3', author: demoAuthor, organization: demoOrganization }));
  const { zip } = await buildXdmArchive({
    patient: { ins: patient.ins, insOid: patient.insOid }, requester: {}, submissionTime: new Date(), sourceOid: '1.2.250.1.999.2',
    intendedRecipients: [{ mail: to }],
    documents: [{ cda, header: readCdaHeader(cda), flags: { MASQUE_PS: false, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false }, action: 'publish' }],
    sender: { organisation: 'bench', contact: [from], software: { name: 'bench', version: '1' } },
  });
  const b = `bench-${i}`;
  return [
    `From: ${from}`, `To: ${to}`, `Subject: XDM/1.0/DDM+Lettre de liaison ${patient.family} ${patient.given[0]}`,
    `Message-ID: <bench.${Date.now()}.${i}@pro.test.mssante.fr>`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`, '', `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', 'Document.', '',
    `--${b}`, 'Content-Type: application/zip; name="IHE_XDM.zip"', 'Content-Disposition: attachment; filename="IHE_XDM.zip"',
    'Content-Transfer-Encoding: base64', '', zip.toString('base64').replace(/.{76}/g, '$&\r\n'), '', `--${b}--`, '',
  ].join('\r\n');
}

async function relaisReceiving(root: string, mss: TestMss): Promise<Figures> {
  const app = mss.sandbox.mailbox('app');
  const ps = mss.sandbox.mailbox('ps');
  const raws = await Promise.all(Array.from({ length: total }, (_, i) => documentMailRaw(i, ps.address, app.address)));
  for (const raw of raws) await sendTestMail(mss, { from: ps, to: [app.address], raw });
  await waitInbox(mss, total);
  const dpi = new FakeDpi();
  await dpi.listen();
  const start = Date.now();
  const node = await startRelais(config(root, mss, { imap: true, dpiPort: dpi.port }), silentLogger);
  const deadline = start + 600_000;
  const latencies: number[] = [];
  for (;;) {
    const rows = (await listInboundMails(node.store.db, { limit: 1000 })).filter((r) => r.kind === 'xdm');
    if (rows.length >= total && rows.every((r) => r.state === 'answered')) {
      for (const r of rows) latencies.push(r.createdAt.getTime() - start);
      break;
    }
    if (Date.now() > deadline) throw new Error('the inbound drain did not finish within 10 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  const elapsed = (Date.now() - start) / 1000;
  await node.close();
  await dpi.close();
  latencies.sort((a, b) => a - b);
  return { perSecond: total / elapsed, p99: percentile(latencies, 99), count: total };
}

async function waitInbox(mss: TestMss, count: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const client = await imapClient(mss, mss.sandbox.mailbox('app'));
    const status = await client.status('INBOX', { messages: true });
    await client.logout().catch(() => client.close());
    if (status && (status.messages ?? 0) >= count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the document mails did not all reach the application mailbox');
}

async function baselineReceiving(mss: TestMss): Promise<Figures> {
  const client = await imapClient(mss, mss.sandbox.mailbox('app'));
  const start = performance.now();
  let n = 0;
  try {
    const lock = await client.getMailboxLock('Traites');
    try {
      for await (const m of client.fetch('1:*', { source: true })) if (m.source) n++;
    } finally { lock.release(); }
  } finally { await client.logout().catch(() => client.close()); }
  const elapsed = (performance.now() - start) / 1000;
  return { perSecond: n / elapsed, p99: NaN, count: n };
}

const skip = mssSkip();
if (skip) {
  console.log(`\nRelais MSSanté benchmark skipped: ${skip}`);
} else {
  const root = mkdtempSync(join(tmpdir(), 'relais-mss-bench-'));
  const mss = await startTestMss();
  try {
    console.log(`\nRelais MSSanté benchmark — ${cpus().length} vCPU (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
    console.log(`Postfix + Dovecot on loopback (STARTTLS, client certificate, SASL PLAIN); ${total} mails; ${connections} pooled SMTP connections; PGlite store`);
    const line = (name: string, f: Figures, unit: string) => console.log(
      `  ${name.padEnd(44)} ${f.perSecond.toFixed(1).padStart(7)} ${unit}${Number.isNaN(f.p99) ? '' : `  p99 ${f.p99.toFixed(0).padStart(6)} ms`}`);
    const sending = await relaisSending(join(root, 'send'), mss);
    const sendBase = await baselineSending(mss, sending.mailBytes);
    console.log(`sending (mail size ${(sending.mailBytes / 1024).toFixed(0)} KB: IHE_XDM.zip + PDF of a CR d'imagerie N1)`);
    line('Relais → Postfix (XDM, PDF, X-MSS, pooled TLS)', sending, 'mails/s');
    line('baseline: nodemailer pool, same size', sendBase, 'mails/s');
    console.log(`  Relais / baseline (same run): throughput ×${(sending.perSecond / sendBase.perSecond).toFixed(2)}  p99 ×${(sending.p99 / sendBase.p99).toFixed(2)}`);
    const receiving = await relaisReceiving(join(root, 'receive'), mss);
    const receiveBase = await baselineReceiving(mss);
    console.log('receiving (one N3 lettre de liaison per mail, IMAP → MDM → DPI ACK → answered; p99 = time to record, from start)');
    line('Relais: application mailbox → DPI ACK', receiving, 'mails/s');
    line('baseline: IMAP fetch of the same mails', receiveBase, 'mails/s');
  } finally {
    await mss.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
