import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatisticsRows, csvField, indicators, OTHER_TYPE, statisticsCsv, STATISTICS_CSV_COLUMNS } from './index.js';
import type { StatisticCounts } from './index.js';

const types = [{ code: '11490-0', label: 'Lettre de liaison à la sortie d\'un établissement de soins' }, { code: '34874-8', label: 'Compte rendu opératoire' }];

function counts(): StatisticCounts {
  return {
    year: 2026,
    counts: [
      { finessGeo: '750000001', typeCode: '34874-8', month: '2026-02', indicator: 'dmp_flux_succes', count: 3 },
      { finessGeo: '750000001', typeCode: '11490-0', month: '2026-02', indicator: 'mss_ps_echec', count: 2 },
      { finessGeo: '750000001', typeCode: 'X-1', month: '2026-05', indicator: 'mss_patient_succes', count: 4 },
      { finessGeo: '750000001', typeCode: 'X-2', month: '2026-05', indicator: 'mss_patient_succes', count: 1 },
      { finessGeo: null, mailbox: 'bal@h.mssante.fr', typeCode: '', month: '2026-12', indicator: 'recus_dpi_succes', count: 7 },
      { finessGeo: null, mailbox: 'autre@h.mssante.fr', typeCode: '11490-0', month: '2026-12', indicator: 'recus_demandes_suppression', count: 1 },
    ],
  };
}

describe('statisticsCsv', () => {
  it('writes exactly one header line, ";" separated, CRLF, and no BOM unless asked', () => {
    const csv = statisticsCsv(buildStatisticsRows(counts(), { documentTypes: types }));
    const lines = csv.split('\r\n');
    assert.equal(lines[0], ['mois', 'finess_geographique', 'type_document_code', 'type_document_libelle', ...indicators].join(';'));
    assert.equal(lines.filter((l) => l.startsWith('mois;')).length, 1);
    assert.equal(csv.charCodeAt(0), 'm'.charCodeAt(0));
    assert.ok(csv.endsWith('\r\n') && !csv.replace(/\r\n/g, '').includes('\n'));
    for (const line of lines.slice(1, -1)) assert.equal(line.split(';').length, STATISTICS_CSV_COLUMNS.length);
  });

  it('starts with the UTF-8 BOM when asked and keeps accents as UTF-8', () => {
    const bytes = Buffer.from(statisticsCsv(buildStatisticsRows(counts(), { documentTypes: types }), { bom: true }), 'utf8');
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.ok(bytes.includes(Buffer.from('opératoire', 'utf8')));
  });

  it('gives every month of the year for each FINESS × type with activity, months as YYYY-MM, no total row', () => {
    const rows = buildStatisticsRows(counts(), { documentTypes: types, finessByMailbox: { 'bal@h.mssante.fr': '750000001' } });
    // 750000001 × {11490-0, 34874-8, AUTRE}, '' × 11490-0 (a mailbox with no FINESS).
    assert.equal(rows.length, 4 * 12);
    assert.ok(rows.every((r) => /^2026-(0[1-9]|1[0-2])$/.test(r.month)));
    assert.deepEqual(rows.slice(0, 4).map((r) => [r.month, r.finessGeo, r.typeCode]),
      [['2026-01', '', '11490-0'], ['2026-01', '750000001', '11490-0'], ['2026-01', '750000001', '34874-8'], ['2026-01', '750000001', 'AUTRE']]);
    const may = rows.find((r) => r.month === '2026-05' && r.typeCode === OTHER_TYPE.code)!;
    assert.equal(may.values.mss_patient_succes, 5, 'codes outside the Ségur list are summed under AUTRE');
    assert.equal(may.typeLabel, 'Autre');
    const dec = rows.find((r) => r.month === '2026-12' && r.finessGeo === '750000001' && r.typeCode === 'AUTRE')!;
    assert.equal(dec.values.recus_dpi_succes, 7, 'inbound counts go to their mailbox\'s FINESS');
    const csv = statisticsCsv(rows);
    assert.equal(csv.split('\r\n').length - 2, rows.length);
    assert.ok(!/total/i.test(csv));
  });

  it('quotes fields holding ";", quotes or line breaks, and neutralises formulas', () => {
    assert.equal(csvField('a;b'), '"a;b"');
    assert.equal(csvField('dit "oui"'), '"dit ""oui"""');
    assert.equal(csvField('ligne\nsuivante'), '"ligne\nsuivante"');
    assert.equal(csvField('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
    assert.equal(csvField('+33 1'), "'+33 1");
    assert.equal(csvField('-1'), "'-1");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('\tx'), "'\tx");
    assert.equal(csvField('Compte rendu d\'imagerie'), 'Compte rendu d\'imagerie');
    assert.equal(csvField(12), '12');
    const rows = buildStatisticsRows(
      { year: 2026, counts: [{ finessGeo: '=cmd|x', typeCode: 'T', month: '2026-01', indicator: 'dmp_flux_succes', count: 1 }] },
      { documentTypes: [{ code: 'T', label: 'Type; "spécial"' }] });
    const line = statisticsCsv(rows).split('\r\n')[1]!;
    assert.equal(line.split(';').slice(0, 2).join(';'), "2026-01;'=cmd|x");
    assert.ok(line.includes('"Type; ""spécial"""'));
  });
});
