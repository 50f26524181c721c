import { resolve } from 'node:path';
import { request } from 'node:http';
import { listDeliveries, listDocuments, openStore } from '../store/index.js';
import type { DeliveryState } from '../domain/index.js';
import { configFromOptions } from './command-start.js';
import { readLock, type LockInfo } from './data-lock.js';

export interface ListingOptions { config?: string; data?: string; json?: boolean; limit: number; state?: DeliveryState }

export async function runListing(what: 'documents' | 'deliveries', o: ListingOptions): Promise<number> {
  const config = configFromOptions(o);
  let rows: Record<string, unknown>[];
  const lock = config.store.databaseUrl ? undefined : readLock(resolve(config.store.dataDir));
  if (lock) {
    // A running node holds the embedded store: ask it rather than open the files twice.
    rows = await askRunningNode(lock, what, { limit: String(o.limit), ...(o.state ? { state: o.state } : {}) });
  } else {
    const store = await openStore(config.store.databaseUrl ? { databaseUrl: config.store.databaseUrl } : { dataDir: config.store.dataDir });
    try {
      rows = what === 'documents'
        ? await listDocuments(store.db, { limit: o.limit }) as unknown as Record<string, unknown>[]
        : await listDeliveries(store.db, { limit: o.limit, ...(o.state ? { state: o.state } : {}) }) as unknown as Record<string, unknown>[];
    } finally {
      await store.close();
    }
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  } else {
    printTable(rows, what === 'documents'
      ? ['documentId', 'action', 'typeCode', 'patientIns', 'controlId', 'createdAt']
      : ['id', 'kind', 'recipient', 'state', 'action', 'documentId', 'attemptCount', 'createdAt']);
  }
  return 0;
}

/** Asks the node that holds the embedded store (its local admin endpoint) for a listing. */
export function askRunningNode(lock: LockInfo, what: string, params: Record<string, string>): Promise<Record<string, unknown>[]> {
  const query = new URLSearchParams(params);
  return new Promise((resolveRows, reject) => {
    const req = request({ host: '127.0.0.1', port: lock.adminPort, path: `/${what}?${query}`, headers: { authorization: `Bearer ${lock.token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`the running Relais (pid ${lock.pid}) answered ${res.statusCode}: ${body}`));
        else resolveRows(JSON.parse(body) as Record<string, unknown>[]);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cell = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v));
  const widths = columns.map((c) => Math.min(48, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (vals: string[]) => vals.map((v, i) => v.slice(0, widths[i]).padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(line(columns) + '\n' + line(widths.map((w) => '-'.repeat(w))) + '\n');
  for (const r of rows) process.stdout.write(line(columns.map((c) => cell(r[c]))) + '\n');
}
