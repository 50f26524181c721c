import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { segurDocumentTypes } from '../cda/index.js';
import type { DeliveryState, DestinationKind, DocumentAction } from '../domain/index.js';
import { insertDocument, insertMessage, recordInboundMail } from '../store/index.js';
import type { Store } from '../store/index.js';
import { forEachDriver, sampleDocument, sampleMessage } from '../store/testing.js';
import { buildStatisticsRows, collectStatisticCounts, indicators, statisticsCsv, type Indicator } from './index.js';

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function sequence(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

interface SeedDelivery { kind: DestinationKind; state: DeliveryState; updatedAt: Date }
interface SeedDocument {
  finessGeo: string | null; typeCode: string; action: DocumentAction; historical: boolean; effectiveTime: string;
  insQualified: boolean; deliveries: SeedDelivery[];
}
interface SeedInboundDocument { typeCode?: string; action: DocumentAction; mdmState: 'done' | 'dead' | 'pending'; mdmAt: Date }
interface SeedInboundMail { mailbox: string; receivedAt: Date; documents: SeedInboundDocument[] }

// Instants on the edges of Paris months (CET/CEST) and years, then ordinary days.
const edgeInstants = [
  '2024-12-31T22:59:59Z', '2024-12-31T23:00:00Z', '2025-12-31T22:59:59Z', '2025-12-31T23:00:00Z', '2026-03-29T00:30:00Z',
  '2026-03-31T21:59:00Z', '2026-03-31T22:30:00Z', '2026-06-15T10:00:00Z', '2026-10-31T22:30:00Z', '2026-10-31T23:30:00Z',
  '2026-12-31T22:59:00Z', '2026-12-31T23:00:00Z', '2025-07-01T00:00:00Z', '2025-02-28T23:30:00Z',
].map((s) => new Date(s));
const typeCodes = ['11490-0', '34874-8', '57833-6', '11502-2', '18748-4', 'PRESC-BIO', '11488-4', '60591-5', 'X-LOCAL'];
const finesses = ['750000001', '690000002', null];
const states: DeliveryState[] = ['done', 'done', 'done', 'dead', 'dead', 'pending', 'held', 'retry_wait', 'cancelled', 'in_flight'];
// Historical effective dates: inside five years of every outcome, outside for some, and on the boundary of 2026-06-15.
const historicalDates = ['20230101', '20190601', '20210615', '20210614', '20220420', '20200315'];
const mailboxes = ['bal-cardio@hopital.mssante.fr', 'bal-inconnue@hopital.mssante.fr'];
const finessByMailbox = { 'bal-cardio@hopital.mssante.fr': '750000001' };

function seedDocuments(random: () => number): SeedDocument[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const instant = (): Date => (random() < 0.35
    ? pick(edgeInstants)
    : new Date(Date.UTC(2025 + Math.floor(random() * 2), Math.floor(random() * 12), 1 + Math.floor(random() * 28), Math.floor(random() * 24))));
  const out: SeedDocument[] = [];
  for (let i = 0; i < 160; i++) {
    const historical = random() < 0.25;
    const kinds = (['dmp', 'mss_ps', 'mss_patient', 'mss_ps', 'dpi'] as const).filter(() => random() < 0.55);
    out.push({
      finessGeo: pick(finesses), typeCode: pick(typeCodes), action: pick(['publish', 'publish', 'replace', 'delete'] as const),
      historical, effectiveTime: historical ? `${pick(historicalDates)}1000+0100` : '20260101120000+0100',
      insQualified: random() < 0.6,
      deliveries: (kinds.length ? kinds : ['dmp' as const]).map((kind) => ({ kind, state: pick(states), updatedAt: instant() })),
    });
  }
  return out;
}

function seedInbound(random: () => number): SeedInboundMail[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: 25 }, () => ({
    mailbox: pick(mailboxes),
    receivedAt: pick(edgeInstants),
    documents: Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
      ...(random() < 0.8 ? { typeCode: pick(typeCodes) } : {}),
      action: pick(['publish', 'replace', 'delete'] as const),
      mdmState: pick(['done', 'dead', 'pending'] as const),
      mdmAt: pick(edgeInstants),
    })),
  }));
}

async function store(s: Store, docs: SeedDocument[], mails: SeedInboundMail[]): Promise<void> {
  const message = await insertMessage(s.db, sampleMessage());
  let n = 0;
  for (const d of docs) {
    n += 1;
    const { id } = await insertDocument(s.db, sampleDocument(message.id, {
      documentId: `1.2.250.1.999.1^STAT-${n}`, finessGeo: d.finessGeo, typeCode: d.typeCode, action: d.action,
      historical: d.historical, effectiveTime: d.effectiveTime, insQualified: d.insQualified,
    }));
    await s.db.insertInto('delivery').values(d.deliveries.map((v) => ({
      document_row_id: id, kind: v.kind, state: v.state, recipient: v.kind === 'dmp' ? null : `r${n}@x.mssante.fr`,
      created_at: v.updatedAt, updated_at: v.updatedAt,
    }))).execute();
  }
  let uid = 0;
  for (const m of mails) {
    uid += 1;
    const refs = m.documents.map((d, i) => ({
      uniqueId: `1.2.250.1.999.2^IN-${uid}-${i}`, action: d.action, controlId: `MDM-${uid}-${i}`,
      ...(d.typeCode !== undefined ? { typeCode: d.typeCode } : {}),
    }));
    const { id } = await recordInboundMail(s.db, {
      mailbox: m.mailbox, uidValidity: '1', uid, mailMessageId: `<in-${uid}@operateur.fr>`, kind: 'xdm', state: 'dispatching',
      raw: Buffer.from('Subject: test\r\n\r\n'), peer: 'medecin@x.mssante.fr', documents: refs,
      mdms: refs.map((r) => ({ kind: 'mdm', payload: Buffer.from('MSH|'), controlId: r.controlId })),
    });
    await s.db.updateTable('inbound_mail').set({ created_at: m.receivedAt }).where('id', '=', id).execute();
    for (const [i, d] of m.documents.entries()) {
      await s.db.updateTable('notification').set({ state: d.mdmState, updated_at: d.mdmAt })
        .where('control_id', '=', refs[i]!.controlId).execute();
    }
  }
}

/** Written without the code under test: the definitions of docs/statistics.md applied to the seed list. */
function expectedCounts(year: number, docs: SeedDocument[], mails: SeedInboundMail[]): Map<string, Record<Indicator, number>> {
  const parisDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  const segur = new Set(segurDocumentTypes.map((t) => t.code));
  const out = new Map<string, Record<Indicator, number>>();
  const add = (at: Date, finess: string | null, typeCode: string | undefined, indicator: Indicator) => {
    const date = parisDate(at);
    if (!date.startsWith(`${year}-`)) return;
    const key = [date.slice(0, 7), finess ?? '', typeCode !== undefined && segur.has(typeCode) ? typeCode : 'AUTRE'].join('|');
    const values = out.get(key) ?? (Object.fromEntries(indicators.map((i) => [i, 0])) as Record<Indicator, number>);
    values[indicator] += 1;
    out.set(key, values);
  };
  for (const d of docs) {
    for (const v of d.deliveries) {
      if (v.state !== 'done' && v.state !== 'dead') continue;
      const ok = v.state === 'done';
      const at = v.updatedAt;
      const fiveYearsBefore = `${Number(parisDate(at).slice(0, 4)) - 5}${parisDate(at).slice(5).replace('-', '')}`;
      if (v.kind === 'dmp') {
        if (!d.historical) add(at, d.finessGeo, d.typeCode, ok ? 'dmp_flux_succes' : 'dmp_flux_echec');
        else if (d.effectiveTime.slice(0, 8) >= fiveYearsBefore) add(at, d.finessGeo, d.typeCode, ok ? 'dmp_historique_succes' : 'dmp_historique_echec');
      } else if (v.kind === 'mss_ps') {
        add(at, d.finessGeo, d.typeCode, ok ? 'mss_ps_succes' : 'mss_ps_echec');
        if (d.insQualified) add(at, d.finessGeo, d.typeCode, ok ? 'mss_ps_ins_qualifie_succes' : 'mss_ps_ins_qualifie_echec');
        if (ok && d.action === 'replace') add(at, d.finessGeo, d.typeCode, 'mss_ps_remplacements');
        if (ok && d.action === 'delete') add(at, d.finessGeo, d.typeCode, 'mss_ps_suppressions');
      } else if (v.kind === 'mss_patient') {
        add(at, d.finessGeo, d.typeCode, ok ? 'mss_patient_succes' : 'mss_patient_echec');
      }
    }
  }
  for (const m of mails) {
    const finess = (finessByMailbox as Record<string, string>)[m.mailbox] ?? null;
    for (const d of m.documents) {
      if (d.mdmState === 'done') add(d.mdmAt, finess, d.typeCode, 'recus_dpi_succes');
      if (d.mdmState === 'dead') add(d.mdmAt, finess, d.typeCode, 'recus_dpi_echec');
      if (d.action === 'replace') add(m.receivedAt, finess, d.typeCode, 'recus_demandes_remplacement');
      if (d.action === 'delete') add(m.receivedAt, finess, d.typeCode, 'recus_demandes_suppression');
    }
  }
  return out;
}

function parseCsv(text: string): { header: string[]; rows: Map<string, Record<Indicator, number>> } {
  const lines = text.split('\r\n');
  assert.equal(lines.pop(), '', 'the file ends with CRLF');
  const header = lines[0]!.split(';');
  const rows = new Map<string, Record<Indicator, number>>();
  for (const line of lines.slice(1)) {
    const cells = line.split(';');
    const key = cells.slice(0, 3).join('|');
    assert.equal(rows.has(key), false, `one row per month × FINESS × type: ${key}`);
    rows.set(key, Object.fromEntries(indicators.map((i) => [i, Number(cells[header.indexOf(i)])])) as Record<Indicator, number>);
  }
  return { header, rows };
}

forEachDriver('statistics', (ctx) => {
  it('counts per FINESS × Ségur type × Paris month what the definitions give on a varied seed, for two years', async () => {
    const random = sequence(20261201);
    const docs = seedDocuments(random);
    const mails = seedInbound(random);
    await store(ctx.store, docs, mails);
    for (const year of [2025, 2026]) {
      const counts = await collectStatisticCounts(ctx.store, { year });
      const csv = statisticsCsv(buildStatisticsRows(counts, { documentTypes: segurDocumentTypes, finessByMailbox }));
      const { rows } = parseCsv(csv);
      const expected = expectedCounts(year, docs, mails);
      const zero = Object.fromEntries(indicators.map((i) => [i, 0]));
      for (const [key, values] of rows) assert.deepEqual(values, expected.get(key) ?? zero, `${year} ${key}`);
      for (const key of expected.keys()) assert.ok(rows.has(key), `${year}: row ${key} is in the CSV`);
      // Every month of the year, for each (FINESS, type) with activity that year.
      const pairs = new Set([...expected.keys()].map((k) => k.split('|').slice(1).join('|')));
      assert.equal(rows.size, pairs.size * 12);
      assert.ok(expected.size > 20, `the seed exercises the indicators (${expected.size} cells)`);
      for (const i of indicators) assert.ok([...expected.values()].some((v) => v[i] > 0), `${year}: seed reaches ${i}`);
    }
  });

  it('puts an outcome in the month of Europe/Paris, not of UTC', async () => {
    const message = await insertMessage(ctx.store.db, sampleMessage());
    const { id } = await insertDocument(ctx.store.db, sampleDocument(message.id, { finessGeo: '750000001' }));
    // 22:30 UTC on 31 March is 00:30 on 1 April in Paris (CEST).
    const at = new Date('2026-03-31T22:30:00Z');
    await ctx.store.db.insertInto('delivery').values({ document_row_id: id, kind: 'dmp', state: 'done', updated_at: at }).execute();
    const rows = buildStatisticsRows(await collectStatisticCounts(ctx.store, { year: 2026 }), { documentTypes: segurDocumentTypes });
    const active = rows.filter((r) => r.values.dmp_flux_succes > 0);
    assert.deepEqual(active.map((r) => [r.month, r.finessGeo, r.typeCode, r.values.dmp_flux_succes]), [['2026-04', '750000001', '11490-0', 1]]);
    assert.deepEqual(rows.map((r) => r.month), Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`));
  });

  it('moves a dead delivery out of the failures once it is replayed', async () => {
    const message = await insertMessage(ctx.store.db, sampleMessage());
    const { id } = await insertDocument(ctx.store.db, sampleDocument(message.id));
    const [row] = await ctx.store.db.insertInto('delivery')
      .values({ document_row_id: id, kind: 'mss_ps', recipient: 'a@x.mssante.fr', state: 'dead', updated_at: new Date('2026-05-10T10:00:00Z') })
      .returning('id').execute();
    const failures = async () => buildStatisticsRows(await collectStatisticCounts(ctx.store, { year: 2026 }), { documentTypes: segurDocumentTypes })
      .reduce((n, r) => n + r.values.mss_ps_echec, 0);
    assert.equal(await failures(), 1);
    await ctx.store.db.updateTable('delivery').set({ state: 'pending', updated_at: new Date('2026-06-01T10:00:00Z') }).where('id', '=', row!.id).execute();
    assert.equal(await failures(), 0);
  });

  it('gives no row for a year without outcomes', async () => {
    const counts = await collectStatisticCounts(ctx.store, { year: 2024 });
    assert.deepEqual(counts, { year: 2024, counts: [] });
    assert.equal(statisticsCsv(buildStatisticsRows(counts, { documentTypes: segurDocumentTypes })).split('\r\n').length, 2);
  });
});

describe('collectStatisticCounts', () => {
  it('refuses a year that is not one', async () => {
    const never = { db: undefined as never };
    await assert.rejects(collectStatisticCounts(never, { year: 26 }), { code: 'RLS_BUG' });
    await assert.rejects(collectStatisticCounts(never, { year: 2026.5 }), { code: 'RLS_BUG' });
  });
});
