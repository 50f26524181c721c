/**
 * Backup, verify and restore speed (docs/operations.md "Measured"): seeds `count` documents of about 300 KB
 * (200 KB of CDA XML, 100 KB of base64 as an embedded PDF would be), two deliveries each, then times each step.
 *
 *   node --import tsx bench/backup-bench.ts pglite 1000
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_bench node --import tsx bench/backup-bench.ts postgres 1000
 *
 * PostgreSQL: the schemas bench_backup_src and bench_backup_dst of that database are dropped first and after.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, openStoreForRestore, recordAcceptedIntake, restoreBackup, verifyBackup, writeBackup } from '../src/store/index.js';

const driver = process.argv[2] === 'postgres' ? 'postgres' : 'pglite';
const count = Number(process.argv[3] ?? 1000);
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/relais_test';
const dir = mkdtempSync(join(tmpdir(), 'relais-backup-bench-'));

async function dropSchemas(): Promise<void> {
  if (driver !== 'postgres') return;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('drop schema if exists bench_backup_src cascade; drop schema if exists bench_backup_dst cascade');
  await c.end();
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const rss = () => mb(process.memoryUsage().rss);

await dropSchemas();
try {
  const store = await openStore(driver === 'postgres' ? { databaseUrl: url, schema: 'bench_backup_src' } : { dataDir: join(dir, 'src') });
  const xml = Array.from({ length: 2500 }, (_, i) =>
    `<entry><observation classCode="OBS"><code code="${i}" codeSystem="2.16.840.1.113883.6.1"/><value value="${(i * 7) % 1000}" unit="mg/L"/></observation></entry>\n`)
    .join('').slice(0, 200_000);
  let t = Date.now();
  for (let n = 0; n < count; n += 1) {
    const cda = Buffer.concat([Buffer.from(xml), Buffer.from(randomBytes(75_000).toString('base64'))]);
    await recordAcceptedIntake(store.db, {
      message: { direction: 'in', channel: 'hl7', peer: 'bench', sendingApp: 'DPI', sendingFacility: 'CH', controlId: `M${n}`,
        raw: Buffer.from(`MSH|^~\\&|DPI|CH|||||MDM^T02|M${n}`), ack: Buffer.from('MSA|AA'), ackCode: 'AA', status: 'accepted' },
      documents: [{
        document: { documentId: `1.2.250.1.999.${n}`, action: 'publish', insQualified: true, typeCode: '11490-0', typeSystem: '2.16.840.1.113883.6.1',
          level: 'N3', flags: {} as never, cda, cdaSha256: '0'.repeat(64), historical: false },
        deliveries: [{ kind: 'dmp', state: 'pending' }, { kind: 'mss_ps', recipient: 'dr@x.mssante.fr', state: 'pending' }],
      }],
    });
  }
  console.log(`${driver}: ${count} documents seeded in ${(Date.now() - t) / 1000} s`);

  const file = join(dir, 'bench.rbk');
  t = Date.now();
  const s = await writeBackup(store, createWriteStream(file), { relaisVersion: 'bench' });
  const seconds = (Date.now() - t) / 1000;
  await store.close();
  console.log(`backup: ${seconds} s, content ${mb(s.contentBytes)}, archive ${mb(statSync(file).size)}, ${(s.contentBytes / 1e6 / seconds).toFixed(1)} MB/s, rss ${rss()}`);

  t = Date.now();
  await verifyBackup(createReadStream(file));
  console.log(`verify: ${(Date.now() - t) / 1000} s`);

  const target = await openStoreForRestore(driver === 'postgres' ? { databaseUrl: url, schema: 'bench_backup_dst' } : { dataDir: join(dir, 'dst') });
  t = Date.now();
  const r = await restoreBackup(target, createReadStream(file), { schema: driver === 'postgres' ? 'bench_backup_dst' : 'public' });
  await target.close();
  console.log(`restore: ${(Date.now() - t) / 1000} s, ${r.restored.document} documents, rss ${rss()}`);
} finally {
  await dropSchemas();
  rmSync(dir, { recursive: true, force: true });
}
