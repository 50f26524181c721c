/**
 * The statistics CSV (docs/statistics.md): `;` separated, UTF-8 with an optional BOM (for spreadsheets that
 * guess the encoding), CRLF line ends, exactly one header line, no total rows.
 */
import { indicators } from './indicators.js';
import type { StatisticsRow } from './statistics.js';

export const STATISTICS_CSV_COLUMNS: readonly string[] = Object.freeze([
  'mois', 'finess_geographique', 'type_document_code', 'type_document_libelle', ...indicators,
]);

/**
 * One field: quoted when it holds `;`, `"` or a line break; a text that a spreadsheet would run as a
 * formula (leading = + - @, tab or CR) gets a leading apostrophe (OWASP CSV injection).
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function statisticsCsv(rows: readonly StatisticsRow[], o: { bom?: boolean } = {}): string {
  const lines = [STATISTICS_CSV_COLUMNS.join(';')];
  for (const r of rows) {
    lines.push([r.month, r.finessGeo, r.typeCode, r.typeLabel].map(csvField)
      .concat(indicators.map((i) => csvField(r.values[i]))).join(';'));
  }
  return (o.bom ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n';
}
