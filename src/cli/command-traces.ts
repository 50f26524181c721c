/**
 * `relais traces`: the functional traces of every SMTP and IMAP operation (SC.MSS/CONF.17/18, PFI.MSS/UX.37) —
 * who, when, which action, what was asked and what the server answered — as a table, JSON or CSV for an auditor.
 */
import { resolve } from 'node:path';
import { listMssTraces, openStore, type MssTraceRow } from '../store/index.js';
import { configFromOptions } from './command-start.js';
import { askRunningNode } from './command-listings.js';
import { readLock } from './data-lock.js';

export interface TracesOptions {
  config?: string; data?: string; json?: boolean; csv?: boolean; since?: string; until?: string; failed?: boolean; limit: number;
}

function isoDate(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`${flag} must be an ISO date or date-time, e.g. 2026-11-01`);
  return d;
}

/** One CSV field: `;` separated, quoted when needed, formulas neutralised (the file is opened in spreadsheets). */
function csvField(v: unknown): string {
  let s = v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const columns = ['at', 'actor', 'protocol', 'action', 'ok', 'mailMessageId', 'durationMs', 'request', 'response'] as const;

export function tracesCsv(rows: readonly MssTraceRow[]): string {
  const lines = [columns.join(';')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c])).join(';'));
  return lines.join('\r\n') + '\r\n';
}

export async function runTraces(o: TracesOptions): Promise<number> {
  const config = configFromOptions(o);
  const since = isoDate(o.since, '--since');
  const until = isoDate(o.until, '--until');
  const query = { limit: o.limit, ...(since ? { since } : {}), ...(until ? { until } : {}), ...(o.failed ? { failedOnly: true } : {}) };
  let rows: MssTraceRow[];
  const lock = config.store.databaseUrl ? undefined : readLock(resolve(config.store.dataDir));
  if (lock) {
    const params: Record<string, string> = { limit: String(o.limit) };
    if (since) params.since = since.toISOString();
    if (until) params.until = until.toISOString();
    if (o.failed) params.failed = '1';
    rows = (await askRunningNode(lock, 'traces', params)).map((r) => ({ ...r, at: new Date(String(r.at)) }) as unknown as MssTraceRow);
  } else {
    const store = await openStore(config.store.databaseUrl ? { databaseUrl: config.store.databaseUrl } : { dataDir: config.store.dataDir });
    try {
      rows = await listMssTraces(store.db, query);
    } finally {
      await store.close();
    }
  }
  if (o.csv) process.stdout.write(tracesCsv(rows));
  else if (o.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else if (rows.length === 0) process.stdout.write('(none)\n');
  else {
    for (const r of rows) {
      process.stdout.write(`${r.at.toISOString()}  ${r.protocol.padEnd(4)}  ${r.action.padEnd(8)}  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.actor}\n`);
      process.stdout.write(`    > ${r.request.split('\n').join('\n    > ')}\n    < ${r.response.split('\n').join('\n    < ')}\n`);
    }
  }
  return 0;
}
