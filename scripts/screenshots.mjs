#!/usr/bin/env node
// Writes PNG screenshots of the console's main pages under docs/screenshots/, from a store seeded with
// synthetic demo flows (no real patient). Run with: node --import tsx scripts/screenshots.mjs
// Needs Debian's chromium (/usr/bin/chromium, or CHROMIUM=/path).
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const { openStore, insertMessage, insertDocument, insertDeliveries, recordAttempt, insertMssTraces, recordInboundMail } = await import('../src/store/index.ts');
const { sampleMessage, sampleDocument } = await import('../src/store/testing.ts');
const { createSecurity, totpCode } = await import('../src/security/index.ts');
const { startConsole, createOidcLogin, oidcSettings } = await import('../src/console/index.ts');
const { segurDocumentTypes } = await import('../src/cda/index.ts');
const { silentLogger } = await import('../src/engine/index.ts');

const out = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'relais-screens-'));
const store = await openStore({ dataDir: join(dir, 'data'), log: silentLogger });

const HOUR = 3_600_000;
const now = Date.now();
const names = ['MARTIN^CLAIRE', 'BERNARD^LUC', 'PETIT^EMMA', 'DURAND^HUGO', 'LEROY^CHLOE', 'MOREAU^LEA', 'SIMON^NOAH', 'LAURENT^JADE'];
const types = [
  ['11490-0', 'Lettre de liaison à la sortie d’un établissement de soins'], ['34874-8', 'Compte rendu opératoire'],
  ['11488-4', 'Compte rendu de consultation'], ['57833-6', 'Prescription de médicaments'],
];
let dead;
for (let i = 0; i < 60; i++) {
  const at = new Date(now - (i < 40 ? (i * 37 % 23) * HOUR + 600_000 : (1 + (i % 13)) * 24 * HOUR));
  const name = names[i % names.length];
  const ipp = `IPP-${String(1000 + (i % 20)).padStart(6, '0')}`;
  const controlId = `MSG${String(20000 + i)}`;
  const refused = i % 11 === 5;
  const raw = Buffer.from(`MSH|^~\\&|DXCARE|CHU-DEMO|RELAIS|CHU-DEMO|20261126101500||MDM^T02^MDM_T02|${controlId}|P|2.6\rEVN|T02|20261126101500\rPID|1||${ipp}^^^CHU^PI~279035121518${String(900 + i).slice(-3)}^^^ASIP-SANTE-INS-NIR^INS||${name}||19800101|F\rPV1|1|I|CARDIO\rTXA|1|CR|TX|20261126101500||||||||DOC-${i}||||||AU\rOBX|1|ED|${types[i % 4][0]}^${types[i % 4][1]}^LN||^application^pdf^Base64^JVBERi0xLjQK...\r`);
  const m = await insertMessage(store.db, sampleMessage({ raw, controlId, status: refused ? 'rejected' : 'accepted', ackCode: refused ? 'AE' : 'AA', sendingApp: 'DXCARE', sendingFacility: 'CHU-DEMO' }));
  await store.db.updateTable('message').set({ created_at: at }).where('id', '=', m.id).execute();
  if (refused) continue;
  const [code, label] = types[i % 4];
  const d = await insertDocument(store.db, sampleDocument(m.id, {
    documentId: `1.2.250.1.999.1.1.${i}^DOC-${i}`, setId: `1.2.250.1.999.1.1.${i}^SET-${i}`, ipp, patientIns: `279035121518${String(900 + i).slice(-3)}`,
    typeCode: code, typeLabel: label, title: label, finessGeo: '750000001',
  }));
  await store.db.updateTable('document').set({ created_at: at }).where('id', '=', d.id).execute();
  const state = i === 3 || i === 17 ? 'dead' : i === 8 ? 'held' : i < 4 ? 'pending' : 'done';
  await insertDeliveries(store.db, [
    { documentRowId: d.id, kind: 'dmp', state, reason: state === 'dead' ? 'RLS_DMP_SOAP_FAULT' : state === 'held' ? 'INS non qualifiée' : null },
    { documentRowId: d.id, kind: 'mss_ps', recipient: `dr.${['dupuis', 'lambert', 'roux'][i % 3]}@cabinet.mssante.fr`, state: i % 9 === 4 ? 'dead' : state === 'dead' ? 'done' : state },
  ]);
  const rows = await store.db.selectFrom('delivery').select(['id', 'state', 'kind']).where('document_row_id', '=', d.id).execute();
  for (const r of rows) {
    await store.db.updateTable('delivery').set({ updated_at: new Date(at.getTime() + 60_000), attempt_count: r.state === 'dead' || r.state === 'done' ? 1 : 0, mail_message_id: r.kind === 'mss_ps' ? `<${r.id}.relais@chu-demo.mssante.fr>` : null }).where('id', '=', r.id).execute();
    if (r.state === 'dead' || r.state === 'done') {
      await recordAttempt(store.db, {
        deliveryId: r.id, startedAt: at, finishedAt: new Date(at.getTime() + 800), outcome: r.state === 'done' ? 'success' : 'permanent',
        peerAnswer: r.state === 'done' ? (r.kind === 'dmp' ? 'RegistryResponse status=Success' : '250 2.0.0 Ok: queued') : 'soap:Fault XDSRegistryError — patient inconnu du DMP',
        errorCode: r.state === 'done' ? null : 'RLS_DMP_SOAP_FAULT',
      });
    }
    if (r.kind === 'dmp' && r.state === 'dead') dead ??= { doc: d.id, id: r.id };
  }
}
const t0 = new Date(now - 2 * HOUR);
await insertMssTraces(store.db, [
  { at: t0, actor: 'pfi@chu-demo.mssante.fr', protocol: 'smtp', action: 'AUTH', request: 'AUTH PLAIN ****', response: '235 2.7.0 Authentication successful', ok: true, durationMs: 42 },
  { at: t0, actor: 'pfi@chu-demo.mssante.fr', protocol: 'smtp', action: 'MAIL FROM', request: 'MAIL FROM:<pfi@chu-demo.mssante.fr>', response: '250 2.1.0 Ok', ok: true, mailMessageId: '<5.relais@chu-demo.mssante.fr>', durationMs: 3 },
  { at: t0, actor: 'pfi@chu-demo.mssante.fr', protocol: 'smtp', action: 'RCPT TO', request: 'RCPT TO:<dr.roux@cabinet.mssante.fr>', response: '550 5.1.1 Recipient address rejected', ok: false, mailMessageId: '<5.relais@chu-demo.mssante.fr>', durationMs: 5 },
  { at: t0, actor: 'pfi@chu-demo.mssante.fr', protocol: 'imap', action: 'SELECT', request: 'SELECT INBOX', response: 'OK [READ-WRITE] SELECT completed', ok: true, durationMs: 12 },
]);
for (const [k, subject] of ['Résultats biologiques', 'CR imagerie thorax', 'Demande de correction'].entries()) {
  await recordInboundMail(store.db, {
    mailbox: 'pfi@chu-demo.mssante.fr', uidValidity: '1', uid: k + 1, mailMessageId: `<in${k}@labo.mssante.fr>`, kind: k === 2 ? 'other' : 'xdm', state: k === 2 ? 'ignored' : 'answered',
    raw: Buffer.from(`From: Laboratoire <labo@labo-demo.mssante.fr>\r\nSubject: ${subject}\r\nMessage-ID: <in${k}@labo.mssante.fr>\r\n\r\n...\r\n`), peer: 'labo@labo-demo.mssante.fr',
  });
}

const security = createSecurity({ db: store.db });
const admin = await security.accounts.create({ login: 'admin', role: 'admin', password: 'Demo-Console!2026-chef' }, { actor: 'system' });
await security.accounts.create({ login: 'operateur', role: 'operator', password: 'Demo-Console!2026-op' }, { actor: 'system' });
await security.accounts.create({ login: 'auditeur', role: 'auditor', password: 'Demo-Console!2026-aud' }, { actor: 'system' });
const secret = new URL(admin.totpUri).searchParams.get('secret');
// The identity-provider button as an establishment would see it (the provider is contacted only on a click).
const oidc = createOidcLogin(oidcSettings({
  issuer: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet', label: 'Pro Santé Connect', clientId: 'relais-demo', clientSecret: 'demo',
  clientAuth: 'client_secret_basic', clientCertFile: '', clientKeyFile: '', caFile: '', scopes: ['openid', 'scope_all'], acrValues: ['eidas1'],
  identityClaim: 'preferred_username', userinfo: false,
}, 'https://relais.demo.invalid'));
const consoleServer = await startConsole({ relais: { store }, security, log: silentLogger, documentTypes: segurDocumentTypes, oidc });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'fr-FR' })).newPage();
  const shot = async (name, path) => {
    if (path) await page.goto(consoleServer.url + path);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    console.log(`docs/screenshots/${name}.png`);
  };
  await page.goto(`${consoleServer.url}/connexion`);
  await page.fill('input[name=login]', 'admin');
  await shot('01-connexion');
  await page.fill('input[name=password]', 'Demo-Console!2026-chef');
  await Promise.all([page.waitForURL(`${consoleServer.url}/connexion/code`), page.click('button[type=submit]')]);
  await shot('01b-code');
  await page.fill('input[name=totp]', totpCode(secret, new Date()));
  await Promise.all([page.waitForURL(`${consoleServer.url}/`), page.click('button[type=submit]')]);
  await shot('02-tableau-de-bord');
  await shot('03-documents', '/documents?tous=1');
  await shot('04-document', `/documents/${dead.doc}`);
  await shot('05-acheminements', '/acheminements?state=dead');
  await shot('06-courriels', '/courriels');
  await shot('07-traces', '/traces');
  await shot('08-statistiques', '/statistiques');
  await shot('09-audit', '/audit');
  await shot('10-comptes', '/comptes');
} finally {
  await browser.close();
  await consoleServer.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
