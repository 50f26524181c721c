/**
 * Collects the indicator counts of one year from the store (SQL aggregates) and lays them out as rows
 * FINESS géographique × Ségur document type × month, every month of the year.
 */
import { RelaisError } from '../domain/index.js';
import { countDeliveryOutcomes, countInboundRequests, countInboundTransmissions, type Store } from '../store/index.js';
import {
  indicators, outcomeCounts, requestCounts, transmissionCounts, type Indicator, type IndicatorCount,
} from './indicators.js';

/** What the store gives for a year: indicator counts per raw type code. Plain JSON, so a running node can serve it. */
export interface StatisticCounts {
  year: number;
  counts: IndicatorCount[];
}

export interface CollectOptions {
  year: number;
}

export function isStatisticsYear(year: number): boolean {
  return Number.isInteger(year) && year >= 2000 && year <= 9999;
}

export async function collectStatisticCounts(store: Pick<Store, 'db'>, o: CollectOptions): Promise<StatisticCounts> {
  // Callers check the year they were given (isStatisticsYear): another value here is a programming error.
  if (!isStatisticsYear(o.year)) throw new RelaisError('RLS_BUG', 'not a statistics year', { year: o.year });
  const [outcomes, transmissions, requests] = await Promise.all([
    countDeliveryOutcomes(store.db, o.year), countInboundTransmissions(store.db, o.year), countInboundRequests(store.db, o.year),
  ]);
  return {
    year: o.year,
    counts: [...outcomeCounts(outcomes), ...transmissionCounts(transmissions), ...requestCounts(requests)],
  };
}

/** A document type as the statistics show it: a Ségur type (requirements §4), or OTHER_TYPE for every other code. */
export interface StatisticsDocumentType { code: string; label: string }

export const OTHER_TYPE: StatisticsDocumentType = Object.freeze({ code: 'AUTRE', label: 'Autre' });

export interface StatisticsRow {
  /** YYYY-MM. */
  month: string;
  /** Empty when the document carried no FINESS géographique. */
  finessGeo: string;
  typeCode: string;
  typeLabel: string;
  values: Record<Indicator, number>;
}

export function monthsOf(year: number): string[] {
  return Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
}

export interface LayoutOptions {
  /** The Ségur types, in display order (src/cda segurDocumentTypes); other codes are summed under OTHER_TYPE. */
  documentTypes: readonly StatisticsDocumentType[];
  /** FINESS géographique of the establishment behind each application mailbox, for inbound documents. */
  finessByMailbox?: Readonly<Record<string, string>>;
}

/**
 * One row per month of the year for every (FINESS, type) that has at least one count in the year, so a
 * month without activity reads 0 rather than missing. Type codes outside `documentTypes` are summed under
 * OTHER_TYPE; inbound documents count under their mailbox's FINESS géographique ('' when unknown). Sorted by month, FINESS, then the order of `documentTypes` (OTHER_TYPE last).
 */
export function buildStatisticsRows(s: StatisticCounts, o: LayoutOptions): StatisticsRow[] {
  const documentTypes = o.documentTypes;
  const finessByMailbox = o.finessByMailbox ?? {};
  const typeByCode = new Map(documentTypes.map((t) => [t.code, t]));
  const typeRank = new Map(documentTypes.map((t, i) => [t.code, i]));
  const months = monthsOf(s.year);
  const cells = new Map<string, Record<Indicator, number>>();
  const keys = new Map<string, { finessGeo: string; type: StatisticsDocumentType }>();
  for (const c of s.counts) {
    if (!months.includes(c.month) || c.count === 0) continue;
    const type = typeByCode.get(c.typeCode) ?? OTHER_TYPE;
    const finessGeo = c.finessGeo ?? (c.mailbox !== undefined ? finessByMailbox[c.mailbox] : undefined) ?? '';
    const key = JSON.stringify([finessGeo, type.code]);
    keys.set(key, { finessGeo, type });
    const cellKey = JSON.stringify([c.month, finessGeo, type.code]);
    let values = cells.get(cellKey);
    if (!values) cells.set(cellKey, values = zeroValues());
    values[c.indicator] += c.count;
  }
  const rank = (code: string) => typeRank.get(code) ?? documentTypes.length;
  const sortedKeys = [...keys.values()].sort((a, b) =>
    a.finessGeo < b.finessGeo ? -1 : a.finessGeo > b.finessGeo ? 1 : rank(a.type.code) - rank(b.type.code));
  return months.flatMap((month) => sortedKeys.map(({ finessGeo, type }) => ({
    month, finessGeo, typeCode: type.code, typeLabel: type.label,
    values: cells.get(JSON.stringify([month, finessGeo, type.code])) ?? zeroValues(),
  })));
}

function zeroValues(): Record<Indicator, number> {
  return Object.fromEntries(indicators.map((i) => [i, 0])) as Record<Indicator, number>;
}
