/**
 * One benchmark server process (so its peak RSS is its own). Modes:
 *  - relais:   the real intake (parse, validate, CDA header, one transaction, ACK after commit);
 *  - baseline: MLLP frame → one INSERT of the raw message → ACK, the least any durable intake must do.
 * Prints {"port":n} on stdout when ready; on "stats" from stdin prints {"maxRssMiB":x} and exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config/index.js';
import { startRelais, silentLogger } from '../src/engine/index.js';
import { MllpServer, sniffHeader } from '../src/hl7/index.js';
import { openStore } from '../src/store/index.js';
import { sql } from 'kysely';

const [mode, driver, schema] = process.argv.slice(2) as ['relais' | 'baseline', 'pg' | 'pglite', string];
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/relais_test';
const dataDir = driver === 'pglite' ? mkdtempSync(join(tmpdir(), 'relais-bench-')) : '';

let close: () => Promise<void>;
let port: number;

if (mode === 'relais') {
  const config = loadConfig({
    env: {},
    overrides: {
      'store.databaseUrl': driver === 'pg' ? databaseUrl : '',
      'store.schema': schema,
      ...(dataDir ? { 'store.dataDir': dataDir } : {}),
      'mllp.listeners.0.port': 0,
      'intake.cdaCheck': process.env.BENCH_CDA_CHECK ?? 'full',
    },
  });
  const relais = await startRelais(config, silentLogger);
  port = relais.listeners[0]!.port;
  close = () => relais.close();
} else {
  // The baseline uses the same store opening (same pool, same lz4 TOAST setting on PG) and its own table.
  const store = await openStore(driver === 'pg' ? { databaseUrl, schema } : { dataDir });
  await sql`CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial PRIMARY KEY, raw bytea NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`.execute(store.db);
  if (store.driver === 'postgres') await sql`ALTER TABLE bench_baseline ALTER COLUMN raw SET COMPRESSION lz4`.execute(store.db);
  const server = new MllpServer({
    host: '127.0.0.1', port: 0, maxFrameBytes: 16 * 1024 * 1024,
    onMessage: async (payload) => {
      await sql`INSERT INTO bench_baseline (raw) VALUES (${payload})`.execute(store.db);
      const h = sniffHeader(payload);
      return `MSH|^~\\&|${h.receivingApp ?? ''}|${h.receivingFacility ?? ''}|${h.sendingApp ?? ''}|${h.sendingFacility ?? ''}|||ACK^${h.event ?? ''}^ACK|1|P|${h.version ?? ''}\rMSA|AA|${h.controlId ?? ''}`;
    },
  });
  port = (await server.listen()).port;
  close = async () => { await server.close(); await store.close(); };
}

process.stdout.write(JSON.stringify({ port }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'stats') {
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    await close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    process.stdout.write(JSON.stringify({ maxRssMiB }) + '\n');
    process.exit(0);
  }
}
