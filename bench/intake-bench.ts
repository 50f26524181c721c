/**
 * npm run bench — MLLP ingest throughput, ACK latency and peak RSS of Relais against a minimal
 * durable baseline, measured in the same run, on PostgreSQL and on PGlite, over 1 and 4 connections.
 * Each server runs in its own process; this process is the DPI (clients).
 * Env: BENCH_MESSAGES (per scenario, default 400), BENCH_DATABASE_URL (default the local relais_test database).
 */
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { MllpClient } from '../src/hl7/index.js';
import { benchMessages } from './bench-messages.js';
import { percentile, spawnBenchServer } from './bench-support.js';

const total = Number(process.env.BENCH_MESSAGES ?? 400);
const warmup = 20;
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/relais_test';

interface Figures { mode: string; driver: string; connections: number; messages: number; perSecond: number; p50: number; p99: number; maxRssMiB: number }

async function ensureDatabase(): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  try {
    await admin.connect();
    const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    return true;
  } catch (e) {
    console.error(`PostgreSQL not reachable at ${databaseUrl} (${(e as Error).message}): PostgreSQL scenarios skipped`);
    return false;
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
}



async function runScenario(mode: string, driver: string, connections: number, messages: Buffer[]): Promise<Figures> {
  const schema = `bench_${mode}_${connections}_${process.pid}`;
  const server = await spawnBenchServer(new URL('./bench-server.ts', import.meta.url), [mode, driver, schema], { ...process.env, BENCH_DATABASE_URL: databaseUrl });
  const clients = await Promise.all(Array.from({ length: connections }, async () => {
    const c = new MllpClient({ host: '127.0.0.1', port: server.port, ackTimeoutMs: 60_000, maxFrameBytes: 1 << 20 });
    await c.connect();
    return c;
  }));
  const latencies: number[] = [];
  let next = 0;
  const sendAll = async (c: MllpClient, measure: boolean, until: number) => {
    while (next < until) {
      const m = messages[next++]!;
      const t0 = performance.now();
      const ack = await c.send(m);
      if (measure) latencies.push(performance.now() - t0);
      if (!ack.includes('MSA|AA|')) throw new Error(`${mode}/${driver}: not AA: ${ack.toString('utf8').replace(/\r/g, ' | ')}`);
    }
  };
  await sendAll(clients[0]!, false, warmup);
  const start = performance.now();
  await Promise.all(clients.map((c) => sendAll(c, true, messages.length)));
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  const maxRssMiB = await server.stats();
  if (driver === 'pg') await dropSchema(schema);
  latencies.sort((a, b) => a - b);
  return { mode, driver, connections, messages: latencies.length, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), maxRssMiB };
}

const pgReady = await ensureDatabase();
console.log(`Relais intake benchmark — ${cpus().length} vCPU (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
const sample = benchMessages(1, 'size')[0]!;
console.log(`message: MDM^T02 with a CDA N1 + PDF, ${(sample.length / 1024).toFixed(0)} KB; ${total} measured + ${warmup} warm-up per scenario`);

const rows: Figures[] = [];
let run = 0;
for (const driver of pgReady ? ['pg', 'pglite'] : ['pglite']) {
  for (const connections of [1, 4]) {
    for (const mode of ['baseline', 'relais']) {
      const messages = benchMessages(total + warmup, `${Date.now().toString(36)}${run++}`);
      const f = await runScenario(mode, driver, connections, messages);
      rows.push(f);
      console.log(`  ${driver.padEnd(6)} ${connections} conn  ${mode.padEnd(8)}  ${f.perSecond.toFixed(1).padStart(7)} msg/s  p50 ${f.p50.toFixed(1).padStart(6)} ms  p99 ${f.p99.toFixed(1).padStart(6)} ms  peak RSS ${f.maxRssMiB.toFixed(0)} MiB`);
    }
  }
}

console.log('\nRelais / baseline (same run):');
for (const r of rows.filter((x) => x.mode === 'relais')) {
  const b = rows.find((x) => x.mode === 'baseline' && x.driver === r.driver && x.connections === r.connections)!;
  const ratio = r.perSecond / b.perSecond;
  const p99x = r.p99 / b.p99;
  const target = r.driver === 'pg' && r.connections === 4 ? `  target ratio ≥ 0.5 and p99 ≤ 2× → ${ratio >= 0.5 && p99x <= 2 ? 'MET' : 'NOT MET'}` : '';
  console.log(`  ${r.driver.padEnd(6)} ${r.connections} conn  throughput ×${ratio.toFixed(2)}  p99 ×${p99x.toFixed(2)}${target}`);
}
