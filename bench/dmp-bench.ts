/**
 * npm run bench (second part) — DMP publication through the DMP stand-in: documents/s and p99 publish latency of
 * Relais's DMP worker (TD2.1 with a signed VIHF and XAdES, MTOM, mutual TLS, the production concurrency), against a
 * baseline measured in the same run: a bare HTTPS POST with mutual TLS, same certificates, same body size, same
 * concurrency, to a server that only reads the body.
 * The documents are accepted first with the DMP switched off, then a node with the DMP on drains them: the figure is
 * a drain, as after an outage. Each server runs in its own process; this process is Relais (and the baseline client).
 * Env: BENCH_DMP_DOCUMENTS (default BENCH_MESSAGES, else 200).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { silentLogger, startRelais } from '../src/engine/index.js';
import { writeTestChain } from '../src/pki/index.js';
import { listAttempts, listDeliveries } from '../src/store/index.js';
import { benchMessages } from './bench-messages.js';
import { percentile, spawnBenchServer } from './bench-support.js';

const total = Number(process.env.BENCH_DMP_DOCUMENTS ?? process.env.BENCH_MESSAGES ?? 200);
const warmup = 10;
/** The DMP worker's concurrency in production (engine/dmp-delivery.ts); the baseline uses the same. */
const concurrency = 4;



interface Figures { perSecond: number; p50: number; p99: number; count: number; serverRssMiB: number }

function relaisConfig(dataDir: string, pkiDir: string, dmpUrl: string) {
  return loadConfig({
    env: {},
    overrides: {
      'store.databaseUrl': '', 'store.dataDir': dataDir, 'mllp.listeners.0.port': 0, 'mllp.listeners.0.host': '127.0.0.1',
      'dmp.url': dmpUrl, 'dmp.pkiDir': pkiDir, 'dmp.lpsHomologation': 'BENCH', 'dmp.retryBaseSeconds': 1, 'dmp.retryMaxSeconds': 2,
    },
  });
}

async function relaisDrain(root: string, pkiDir: string): Promise<Figures & { requestBytes: number }> {
  const sandboxDir = join(root, 'sandbox');
  const server = await spawnBenchServer(new URL('./dmp-bench-server.ts', import.meta.url), ['sandbox', pkiDir, sandboxDir]);
  const dataDir = join(root, 'relais');
  // Digits only: the document ids are bare OIDs, as the DMP requires.
  const messages = benchMessages(total + warmup, String(Date.now()), { dmpOnly: true });
  // Accept every document with the DMP off: the orders wait in the store.
  const intakeNode = await startRelais(relaisConfig(dataDir, pkiDir, ''), silentLogger);
  for (const m of messages) {
    const r = await intakeNode.intake.handle(m, { label: 'bench' });
    if (r.ackCode !== 'AA') throw new Error(`intake answered ${r.ackCode}`);
  }
  await intakeNode.close();
  progress(`${messages.length} documents accepted, DMP off`);

  const node = await startRelais(relaisConfig(dataDir, pkiDir, `https://localhost:${server.port}/si-dmp-server/v2/services`), silentLogger);
  progress('node with the DMP on started');
  const deadline = Date.now() + 600_000;
  let rows = await listDeliveries(node.store.db, { kind: 'dmp', limit: messages.length + 10 });
  while (rows.some((d) => d.state !== 'done' && d.state !== 'dead')) {
    if (Date.now() > deadline) throw new Error('the DMP drain did not finish within 10 minutes');
    await new Promise((r) => setTimeout(r, 50));
    progress(`drain: ${rows.filter((d) => d.state === 'done').length} done`);
    rows = await listDeliveries(node.store.db, { kind: 'dmp', limit: messages.length + 10 });
  }
  const dead = rows.filter((d) => d.state === 'dead');
  if (dead.length > 0) throw new Error(`${dead.length} DMP orders dead (${dead[0]?.reason ?? ''})`);
  const sends: { start: number; end: number }[] = [];
  for (const d of rows) {
    for (const a of await listAttempts(node.store.db, d.id)) {
      if (a.outcome === 'success' && a.finishedAt) sends.push({ start: a.startedAt.getTime(), end: a.finishedAt.getTime() });
    }
  }
  await node.close();
  sends.sort((a, b) => a.end - b.end);
  const measured = sends.slice(warmup);
  const elapsed = (measured[measured.length - 1]!.end - sends[warmup - 1]!.end) / 1000;
  const latencies = measured.map((s) => s.end - s.start).sort((a, b) => a - b);
  const requests = readdirSync(join(sandboxDir, 'requests')).map((f) => join(sandboxDir, 'requests', f));
  const iti41 = requests.filter((f) => readFileSync(f, 'latin1').slice(0, 4096).includes('ProvideAndRegister'))
    .map((f) => statSync(f).size).sort((a, b) => a - b);
  const serverRssMiB = await server.stats();
  return {
    perSecond: measured.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: measured.length,
    serverRssMiB, requestBytes: percentile(iti41, 50),
  };
}

async function baselinePosts(root: string, pkiDir: string, bodyBytes: number): Promise<Figures> {
  const server = await spawnBenchServer(new URL('./dmp-bench-server.ts', import.meta.url), ['baseline', pkiDir, join(root, 'baseline')]);
  const agent = new Agent({
    keepAlive: true, maxSockets: concurrency,
    key: readFileSync(join(pkiDir, 'auth-cli.key')), cert: readFileSync(join(pkiDir, 'auth-cli.pem')),
    ca: ['root-ca.pem', 'org-ca.pem'].map((f) => readFileSync(join(pkiDir, f), 'utf8')).join('\n'),
  });
  const body = randomBytes(bodyBytes);
  const post = () => new Promise<void>((resolve, reject) => {
    const req = request({ host: 'localhost', port: server.port, method: 'POST', path: '/', agent,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  for (let i = 0; i < warmup; i++) await post();
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) {
      const t0 = performance.now();
      await post();
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const serverRssMiB = await server.stats();
  return { perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length, serverRssMiB };
}

const progress = (what: string) => { if (process.env.BENCH_VERBOSE) console.error(`[${new Date().toISOString()}] ${what}`); };

const root = mkdtempSync(join(tmpdir(), 'relais-dmp-bench-'));
try {
  const pkiDir = join(root, 'pki');
  await writeTestChain(pkiDir, { force: true });
  console.log(`\nRelais DMP publication benchmark — ${cpus().length} vCPU (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log(`documents: CR d'imagerie, CDA N1 + PDF; ${total} measured + ${warmup} warm-up; concurrency ${concurrency}; PGlite store`);
  const relais = await relaisDrain(root, pkiDir);
  const base = await baselinePosts(root, pkiDir, relais.requestBytes);
  const line = (name: string, f: Figures) => console.log(
    `  ${name.padEnd(34)} ${f.perSecond.toFixed(1).padStart(7)} doc/s  p50 ${f.p50.toFixed(1).padStart(6)} ms  p99 ${f.p99.toFixed(1).padStart(6)} ms  server RSS ${f.serverRssMiB.toFixed(0)} MiB`);
  console.log(`ITI-41 request size (median, as the stand-in logged it): ${(relais.requestBytes / 1024).toFixed(0)} KB`);
  line('Relais → DMP stand-in (TD2.1)', relais);
  line('baseline: bare mTLS HTTPS POST', base);
  console.log(`Relais / baseline (same run): throughput ×${(relais.perSecond / base.perSecond).toFixed(2)}  p99 ×${(relais.p99 / base.p99).toFixed(2)}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
