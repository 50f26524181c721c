import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertDocument, insertMessage, openStore, type Store } from '../store/index.js';
import { sampleDocument, sampleMessage } from '../store/testing.js';
import { startAdminApi } from '../console/index.js';
import { indicators } from '../stats/index.js';
import { runStatsExport } from './command-stats.js';
import { takeLock } from './data-lock.js';
import { relais } from './testing.js';

/** Two documents of one FINESS: a CR opératoire sent to the DMP (done) and by MSSanté (dead), in April and July 2026 (Paris). */
async function seed(store: Store): Promise<void> {
  const { id: messageId } = await insertMessage(store.db, sampleMessage());
  const op = await insertDocument(store.db, sampleDocument(messageId, { documentId: '1.2.3^OP', typeCode: '34874-8', finessGeo: '750000001' }));
  const local = await insertDocument(store.db, sampleDocument(messageId, { documentId: '1.2.3^LOC', typeCode: 'LOCAL-1', finessGeo: '750000001', insQualified: false }));
  await store.db.insertInto('delivery').values([
    { document_row_id: op.id, kind: 'dmp', state: 'done', updated_at: new Date('2026-03-31T22:30:00Z') },
    { document_row_id: op.id, kind: 'mss_ps', recipient: 'dr@x.mssante.fr', state: 'dead', updated_at: new Date('2026-07-02T08:00:00Z') },
    { document_row_id: local.id, kind: 'mss_patient', recipient: 'p@patient.mssante.fr', state: 'done', updated_at: new Date('2026-07-03T08:00:00Z') },
    { document_row_id: local.id, kind: 'dmp', state: 'pending', updated_at: new Date('2026-07-03T08:00:00Z') },
  ]).execute();
}

function csvRows(text: string): Map<string, Record<string, string>> {
  const [head, ...lines] = text.replace(/^\uFEFF/, '').split('\r\n').filter((l) => l !== '');
  const columns = head!.split(';');
  return new Map(lines.map((l) => {
    const cells = l.split(';');
    const row = Object.fromEntries(columns.map((c, i) => [c, cells[i]!]));
    return [`${row.mois}|${row.finess_geographique}|${row.type_document_code}`, row];
  }));
}

const nonZero = (row: Record<string, string> | undefined) =>
  Object.fromEntries(indicators.filter((i) => row?.[i] !== '0').map((i) => [i, row?.[i]]));

describe('relais stats', () => {
  let base = '';
  before(() => { base = mkdtempSync(join(tmpdir(), 'relais-cli-stats-')); });
  after(() => { if (base) rmSync(base, { recursive: true, force: true }); });

  it('exports a year of an embedded store as CSV with a BOM, and shows it as a table', async () => {
    const data = join(base, 'stopped');
    const store = await openStore({ dataDir: data });
    await seed(store);
    await store.close();
    const out = join(base, 'stats-2026.csv');
    const r = await relais(['stats', 'export', '--year', '2026', '--out', out, '--bom', '--data', data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^24 rows written to /);
    const bytes = readFileSync(out);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = csvRows(bytes.toString('utf8'));
    assert.equal(rows.size, 2 * 12);
    assert.deepEqual(nonZero(rows.get('2026-04|750000001|34874-8')), { dmp_flux_succes: '1' });
    assert.deepEqual(nonZero(rows.get('2026-07|750000001|34874-8')), { mss_ps_echec: '1', mss_ps_ins_qualifie_echec: '1' });
    assert.deepEqual(nonZero(rows.get('2026-07|750000001|AUTRE')), { mss_patient_succes: '1' });
    assert.equal(rows.get('2026-04|750000001|AUTRE')?.type_document_libelle, 'Autre');
    assert.equal(rows.get('2026-03|750000001|34874-8')?.type_document_libelle, 'Compte rendu opératoire');

    const show = await relais(['stats', 'show', '--year', '2026', '--data', data]);
    assert.equal(show.code, 0, show.stderr);
    const lines = show.stdout.split('\n');
    assert.match(lines[0]!, /^Mois\s+FINESS\s+Type\s+DMP ok/);
    assert.equal(lines.filter((l) => /^2026-\d\d /.test(l)).length, 3, 'only months with activity');
    assert.match(show.stdout, /^2026-04\s+750000001\s+34874-8\s+1\s+0/m);
    assert.match(show.stdout, /^34874-8: Compte rendu opératoire$/m);

    const bad = await relais(['stats', 'export', '--year', '26', '--out', out, '--data', data]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--year must be a year/);
  });

  it('asks the running node that holds the embedded store, and its endpoint refuses a bad year', async () => {
    const data = join(base, 'running');
    const store = await openStore({ dataDir: data });
    const admin = await startAdminApi(store);
    const unlock = takeLock(data, { pid: process.pid, adminPort: admin.port, token: admin.token });
    const log = process.stdout.write;
    try {
      await seed(store);
      const out = join(base, 'running.csv');
      process.stdout.write = (() => true) as typeof process.stdout.write;
      const code = await runStatsExport({ data, year: '2026', out });
      process.stdout.write = log;
      assert.equal(code, 0);
      const text = readFileSync(out, 'utf8');
      assert.notEqual(text.charCodeAt(0), 0xfeff);
      assert.deepEqual(nonZero(csvRows(text).get('2026-04|750000001|34874-8')), { dmp_flux_succes: '1' });
      const refused = await fetch(`http://127.0.0.1:${admin.port}/stats?year=abc`, { headers: { authorization: `Bearer ${admin.token}` } });
      assert.equal(refused.status, 400);
      const anonymous = await fetch(`http://127.0.0.1:${admin.port}/stats?year=2026`);
      assert.equal(anonymous.status, 401);
    } finally {
      process.stdout.write = log;
      unlock();
      await admin.close();
      await store.close();
    }
  });
});
