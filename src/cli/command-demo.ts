import { createServer } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { loadConfig } from '../config/index.js';
import { listDeliveries, listDocuments, type Store } from '../store/index.js';
import {
  DmpSandbox, defaultMailboxes, demoScenario, mssInstallHint, mssSandboxUnavailable, sendMessages, startMssSandbox, type MssSandbox,
} from '../sandbox/index.js';
import { createTrustStore, loadPemCredentials, writeTestChain } from '../pki/index.js';
import { silentLogger } from '../domain/index.js';
import { createLogger } from './logger.js';
import { startNode } from './command-start.js';

export interface DemoOptions { data: string; mllpPort?: number; exit?: boolean }

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const s = createServer();
    s.once('error', () => resolvePort(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolvePort(true)));
  });
}

/**
 * Runs Relais on the embedded store with a simulated DPI: sends a day of synthetic documents,
 * prints each ACK and what Relais stored, then stays up (unless --exit) so that more can be sent.
 */
export async function runDemo(o: DemoOptions): Promise<number> {
  const port = o.mllpPort ?? ((await portIsFree(2575)) ? 2575 : 0);
  const dmp = await startDemoDmp(resolve(o.data));
  const mss = await startDemoMss(dmp.pkiDir);
  const app = mss.sandbox?.mailbox('app');
  const config = loadConfig({
    env: { ...process.env, DATABASE_URL: '' }, // the demo is the embedded default, whatever the shell says
    overrides: {
      'store.dataDir': o.data, 'mllp.listeners.0.port': port, 'mllp.listeners.0.host': '127.0.0.1',
      'log.level': process.env.RELAIS_LOG__LEVEL ?? 'error',
      'dmp.url': dmp.sandbox.baseUrl, 'dmp.pkiDir': dmp.pkiDir, 'dmp.lpsHomologation': 'DEMO-TEST',
      // Short back-off so that the demo's DMP outage drains within seconds.
      'dmp.retryBaseSeconds': 1, 'dmp.retryMaxSeconds': 2,
      ...(mss.sandbox && app ? {
        'mss.pkiDir': dmp.pkiDir, 'mss.mailboxes.0.address': app.address, 'mss.mailboxes.0.password': app.password,
        'mss.mailboxes.0.label': 'Centre hospitalier de démonstration — PFI',
        'mss.mailboxes.0.smtp': `${mss.sandbox.smtpHost}:${mss.sandbox.smtpPort}`,
        'mss.replyTo': mss.sandbox.mailbox('org').address,
      } : {}),
    },
  });
  const log = createLogger(config.log.level);
  const out = (s = '') => process.stdout.write(s + '\n');
  let node;
  try {
    node = await startNode(config, log);
  } catch (e) {
    await dmp.sandbox.close();
    await mss.stop();
    throw e;
  }
  const listener = node.relais.listeners[0]!;
  out(`Relais démo — stockage embarqué dans ${config.store.dataDir}, écoute MLLP sur ${listener.host}:${listener.port}`);
  out('Un DPI simulé envoie les documents de la journée :');
  out();

  const scenario = demoScenario();
  // The DMP fails after the first four documents: the rest of the day waits, then leaves on its own.
  const beforeOutage = 4;
  const send = async (part: typeof scenario): Promise<number> => {
    const results = await sendMessages({ host: listener.host, port: listener.port }, part.map((s) => s.message));
    let wrong = 0;
    part.forEach((s, i) => {
      const r = results[i]!;
      if (r.ackCode !== s.expected) wrong++;
      out(`  ${r.ackCode === 'AA' ? '✔' : '✘'} ${r.ackCode}  ${s.label}`);
      for (const e of r.errors) out(`         ERR ${e.code} ${e.location ? 'à ' + e.location + ' ' : ''}: ${e.text}`);
    });
    return wrong;
  };
  const store = node.relais.store;
  let surprises = await send(scenario.slice(0, beforeOutage));
  let settled = await dmpSettled(store, 15_000);

  out();
  out('Panne du DMP : le bac à sable répond HTTP 503 à toute requête. Le DPI continue d\'envoyer :');
  dmp.sandbox.setFault({ mode: 'status', status: 503 });
  const outageStart = Date.now();
  surprises += await send(scenario.slice(beforeOutage));
  await dmpWaiting(store, 5_000);
  const peer = node.relais.dmp?.worker.status().peer;
  out(`  → DMP ${peer?.healthy === false ? `marqué injoignable (${peer.lastError})` : 'en échec'} ; ordres DMP : ${describeStates(await dmpStates(store))}`);
  out('  Les documents sont conservés et acquittés au DPI ; rien n\'est perdu.');
  await new Promise((r) => setTimeout(r, 1_500));
  dmp.sandbox.setFault({ mode: 'none' });
  out(`Le DMP répond de nouveau (panne de ${((Date.now() - outageStart) / 1000).toFixed(1)} s). Aucune action de l'utilisateur :`);
  const drainStart = Date.now();
  settled = await dmpSettled(store, 30_000) && settled;
  out(`  → file vidée automatiquement en ${((Date.now() - drainStart) / 1000).toFixed(1)} s ; ordres DMP : ${describeStates(await dmpStates(store))}`);

  const documents = await listDocuments(store.db, { limit: 100 });
  out();
  if (mss.sandbox) {
    await mailsSettled(store, 30_000);
    out('Messagerie MSSanté (Postfix + Dovecot locaux, STARTTLS, certificat client, SASL PLAIN) :');
    const deliveriesNow = await listDeliveries(store.db, { limit: 1000 });
    const mails = deliveriesNow.filter((d) => d.kind !== 'dmp');
    out(`  ordres MSSanté : ${describeStates(countStates(mails))}`);
    for (const address of [...new Set(mails.map((d) => d.recipient ?? ''))].filter((a) => a !== '')) {
      out(`  boîte ${address} :`);
      for (const raw of mss.sandbox.deliveredTo(address)) {
        const m = await simpleParser(raw);
        const files = m.attachments.map((a) => a.filename).join(', ');
        const replaces = /annule et remplace/i.test(m.text ?? '') ? ' (annule et remplace)' : '';
        out(`    « ${m.subject ?? ''} »${replaces}`);
        out(`        ${files} ; X-MSS-CODECDA ${String(m.headers.get('x-mss-codecda') ?? '')}, X-MSS-INS ${String(m.headers.get('x-mss-ins') ?? '')}`);
      }
    }
  } else {
    out(`Messagerie MSSanté : non démontrée ici (${mss.why}).`);
    out(`  Pour la voir : ${mssInstallHint}, puis relancer la démo en root.`);
  }
  const deliveries = await listDeliveries(store.db, { limit: 1000 });
  out();
  out(`Documents enregistrés : ${documents.length}. Envois MSSanté en attente : ${deliveries.filter((d) => d.kind !== 'dmp' && d.state === 'pending').length}`);
  const byKind = new Map<string, number>();
  for (const d of deliveries) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
  out(`  par destination : ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out();
  const entries = dmp.sandbox.list().filter((e) => e.kind === 'document');
  const shortStatus = (x: string) => x.replace(/^.*[:]/, '');
  out(`Le DMP (bac à sable, TLS mutuel, VIHF signé) contient ${entries.length} documents${settled ? '' : ' (envois encore en cours)'} :`);
  for (const e of entries) {
    const masks = e.confidentialityCodes.filter((c) => c !== 'N');
    out(`  ${shortStatus(e.status).padEnd(10)} ${e.typeCode.padEnd(8)} ${e.uniqueId}${masks.length > 0 ? `  [${masks.join(', ')}]` : ''}`);
  }
  out();
  out('Voir :  npx relais documents --data ' + o.data + '   |   npx relais deliveries --data ' + o.data);
  out(`Envoyer un message :  npx relais send <fichier.hl7> --to ${listener.host}:${listener.port}`);

  if (o.exit) {
    await node.stop();
    await dmp.sandbox.close();
    await mss.stop();
    return surprises === 0 && settled ? 0 : 1;
  }
  out('Relais reste à l\'écoute ; Ctrl-C pour arrêter.');
  await new Promise<void>((done) => {
    const stop = () => { node.stop().then(() => dmp.sandbox.close()).then(() => mss.stop()).then(done, done); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return surprises === 0 ? 0 : 1;
}

/** A TEST certificate chain in <data>/pki (made once) and the DMP stand-in on a free port, in this process. */
async function startDemoDmp(dataDir: string): Promise<{ sandbox: DmpSandbox; pkiDir: string }> {
  const pkiDir = join(dataDir, 'pki');
  if (!existsSync(join(pkiDir, 'root-ca.pem'))) await writeTestChain(pkiDir, { force: true });
  const bundle = ['root-ca.pem', 'org-ca.pem'].map((f) => readFileSync(join(pkiDir, f), 'utf8')).join('\n');
  const sandbox = await DmpSandbox.start({
    port: 0, dataDir: join(dataDir, 'dmp-sandbox'), trustStore: createTrustStore('demo-dmp', bundle),
    credentials: loadPemCredentials({ certFile: join(pkiDir, 'server.pem'), keyFile: join(pkiDir, 'server.key') }),
    logger: silentLogger,
  });
  return { sandbox, pkiDir };
}

/**
 * The MSSanté operator stand-in (private Postfix and Dovecot) when this machine can run it (root, Debian packages),
 * with a mailbox for the demo's professional; otherwise why not.
 */
async function startDemoMss(pkiDir: string): Promise<{ sandbox?: MssSandbox; why?: string; stop(): Promise<void> }> {
  const why = mssSandboxUnavailable();
  if (why !== undefined) return { why, stop: async () => undefined };
  // The mail daemons' own users must reach their spool: a private directory outside the (maybe private) data dir.
  const dir = mkdtempSync(join(tmpdir(), 'relais-demo-mss-'));
  chmodSync(dir, 0o711);
  try {
    const sandbox = await startMssSandbox({
      pkiDir, dataDir: join(dir, 'mss'),
      mailboxes: [...defaultMailboxes(), { role: 'ps', address: 'dr.lemaire@demo-ville.mssante.fr' }],
    });
    return { sandbox, stop: async () => { await sandbox.stop(); rmSync(dir, { recursive: true, force: true }); } };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { why: e instanceof Error ? e.message : String(e), stop: async () => undefined };
  }
}

function countStates(rows: readonly { state: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of rows) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
  return counts;
}

/** Waits (bounded) until no MSSanté order is still to be sent. */
async function mailsSettled(store: Store, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const rows = (await listDeliveries(store.db, { limit: 1000 })).filter((d) => d.kind !== 'dmp');
    if (rows.every((d) => d.state === 'done' || d.state === 'dead' || d.state === 'cancelled')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function dmpStates(store: Store): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const d of await listDeliveries(store.db, { kind: 'dmp', limit: 1000 })) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
  return counts;
}

const stateLabels: Readonly<Record<string, string>> = {
  done: 'envoyés', retry_wait: 'en attente de nouvel essai', pending: 'à envoyer', in_flight: 'en cours', held: 'retenus',
  dead: 'refusés', cancelled: 'annulés',
};

function describeStates(counts: Map<string, number>): string {
  return [...counts].map(([state, n]) => `${n} ${stateLabels[state] ?? state}`).join(', ');
}

/** Waits (bounded) until some DMP order has failed and waits for its next try, and none is being sent. */
async function dmpWaiting(store: Store, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await dmpStates(store);
    if (((states.get('retry_wait') ?? 0) > 0 && !states.has('in_flight')) || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until no DMP order is waiting or being sent (bounded), polling the store. */
async function dmpSettled(store: Store, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await listDeliveries(store.db, { kind: 'dmp', limit: 1000 });
    if (rows.every((d) => d.state === 'done' || d.state === 'dead' || d.state === 'cancelled')) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
