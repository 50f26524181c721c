/**
 * `relais stats export|show`: the Ségur statistics (SC.STAT/ES.02) of one year, per FINESS géographique ×
 * document type × month, as the CSV of docs/statistics.md or a table on the terminal.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { segurDocumentTypes } from '../cda/index.js';
import type { RelaisConfig } from '../config/index.js';
import { openStore } from '../store/index.js';
import {
  buildStatisticsRows, collectStatisticCounts, indicators, isStatisticsYear, statisticsCsv,
  type StatisticCounts, type StatisticsRow,
} from '../stats/index.js';
import { configFromOptions } from './command-start.js';
import { askRunningNode } from './command-listings.js';
import { readLock } from './data-lock.js';

export interface StatsOptions { config?: string; data?: string; year: string }
export interface StatsExportOptions extends StatsOptions { out: string; bom?: boolean }

function parseYear(value: string): number {
  const year = /^\d{4}$/.test(value) ? Number(value) : NaN;
  if (!isStatisticsYear(year)) throw new Error(`--year must be a year such as 2026, not "${value}"`);
  return year;
}

/** The counts of the year, from the running node when it holds the embedded store, from the store otherwise. */
async function statisticRows(config: RelaisConfig, year: number): Promise<StatisticsRow[]> {
  let counts: StatisticCounts;
  const lock = config.store.databaseUrl ? undefined : readLock(resolve(config.store.dataDir));
  if (lock) {
    counts = await askRunningNode(lock, 'stats', { year: String(year) }) as unknown as StatisticCounts;
  } else {
    const store = await openStore(config.store.databaseUrl ? { databaseUrl: config.store.databaseUrl } : { dataDir: config.store.dataDir });
    try {
      counts = await collectStatisticCounts(store, { year });
    } finally {
      await store.close();
    }
  }
  // One establishment per instance: every application mailbox receives for its FINESS géographique.
  const finessByMailbox = Object.fromEntries(config.mss.mailboxes.map((m) => [m.address, config.establishment.finessGeographique]));
  return buildStatisticsRows(counts, { documentTypes: segurDocumentTypes, finessByMailbox });
}

export async function runStatsExport(o: StatsExportOptions): Promise<number> {
  const year = parseYear(o.year);
  const rows = await statisticRows(configFromOptions(o), year);
  await writeFile(o.out, statisticsCsv(rows, { bom: o.bom === true }), 'utf8');
  process.stdout.write(`${rows.length} rows written to ${o.out}\n`);
  return 0;
}

/** Short headings for the terminal; the CSV and docs/statistics.md carry the full names. */
const headings: Record<(typeof indicators)[number], string> = {
  dmp_flux_succes: 'DMP ok', dmp_flux_echec: 'DMP ko', dmp_historique_succes: 'Hist ok', dmp_historique_echec: 'Hist ko',
  mss_ps_succes: 'PS ok', mss_ps_echec: 'PS ko', mss_ps_ins_qualifie_succes: 'PS INSq ok', mss_ps_ins_qualifie_echec: 'PS INSq ko',
  mss_ps_remplacements: 'PS rempl', mss_ps_suppressions: 'PS suppr', mss_patient_succes: 'Pat ok', mss_patient_echec: 'Pat ko',
  recus_dpi_succes: 'Reçus ok', recus_dpi_echec: 'Reçus ko', recus_demandes_remplacement: 'Dem rempl',
  recus_demandes_suppression: 'Dem suppr',
};

/** The table of `stats show`: one line per month × FINESS × type that has a count (the CSV keeps the zero months). */
export function statisticsTable(rows: readonly StatisticsRow[]): string {
  const active = rows.filter((r) => indicators.some((i) => r.values[i] !== 0));
  if (active.length === 0) return '(no activity)\n';
  const head = ['Mois', 'FINESS', 'Type', ...indicators.map((i) => headings[i])];
  const body = active.map((r) => [r.month, r.finessGeo || '-', r.typeCode, ...indicators.map((i) => String(r.values[i]))]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((line) => line[c]!.length)));
  const format = (cells: string[]) => cells.map((v, c) => (c < 3 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ').trimEnd();
  const types = new Map(active.map((r) => [r.typeCode, r.typeLabel]));
  return [format(head), format(widths.map((w) => '-'.repeat(w))), ...body.map(format), '',
    ...[...types].map(([code, label]) => `${code}: ${label}`)].join('\n') + '\n';
}

export async function runStatsShow(o: StatsOptions): Promise<number> {
  const year = parseYear(o.year);
  process.stdout.write(statisticsTable(await statisticRows(configFromOptions(o), year)));
  return 0;
}
