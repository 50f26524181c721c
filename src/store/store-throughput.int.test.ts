/**
 * The intake hot path, measured: one transaction = a ~330 KB HL7 message + its ~245 KB CDA + 3
 * deliveries (three INSERTs, one of them multi-row), 200 in a row on one connection. Prints the rate
 * and latencies as test diagnostics; asserts only that every row arrived (timings vary by machine).
 */
import { after, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { insertDeliveries } from './deliveries.js';
import { insertDocument } from './documents.js';
import { insertMessage } from './messages.js';
import { openStore } from './open-store.js';
import type { Store } from './open-store.js';
import { sampleDocument, sampleMessage } from './test-fixtures.js';
import { forEachDriver } from './testing.js';

const TRANSACTIONS = 200;

/** A deterministic byte stream standing in for a deflated PDF (incompressible). */
function noise(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** ~245 KB: a structured CDA header and body (compressible) around an embedded base64 PDF. */
function cdaOf(i: number): Buffer {
  const words = ['patient', 'consultation', 'antécédents', 'traitement', 'posologie', 'examen', 'résultat', 'conclusion'];
  const sections: string[] = [];
  let n = 0;
  while (sections.join('').length < 90_000) {
    sections.push(`<component><section><code code="${10000 + (n % 97)}-${n % 10}" codeSystem="2.16.840.1.113883.6.1"/>`
      + `<title>${words[n % words.length]} ${n}</title><text>${words.map((w, k) => `${w} ${(n * 31 + k * 7 + i) % 1000}`).join(' ')}</text></section></component>`);
    n++;
  }
  const pdf = noise(112_000, i + 1).toString('base64');
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.3" extension="T${i}"/>`
    + `${sections.join('')}<component><nonXMLBody><text mediaType="application/pdf" representation="B64">${pdf}</text></nonXMLBody></component></ClinicalDocument>`);
}

function messageOf(i: number, cda: Buffer): Buffer {
  return Buffer.from(`MSH|^~\\&|DPI|HOPITAL|RELAIS|HOPITAL|20261126101500||MDM^T02^MDM_T02|T${i}|P|2.6\r`
    + `PID|1||IPP${i}^^^HOPITAL^PI\rTXA|1|11490-0\rOBX|1|ED|11490-0^Lettre^LN||^TEXT^XML^Base64^${cda.toString('base64')}||||||F\r`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function measure(t: TestContext, store: Store, label: string): Promise<void> {
  const cdas = Array.from({ length: 4 }, (_, k) => cdaOf(k));
  const inputs = cdas.map((cda, k) => ({ cda, raw: messageOf(k, cda), sha: createHash('sha256').update(cda).digest('hex') }));
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < TRANSACTIONS; i++) {
    const input = inputs[i % inputs.length];
    assert.ok(input);
    const t0 = performance.now();
    await store.transaction(async (tx) => {
      const { id: messageId } = await insertMessage(tx, sampleMessage({ controlId: `T${i}`, raw: input.raw }));
      const { id: documentRowId } = await insertDocument(tx, sampleDocument(messageId, { cda: input.cda, cdaSha256: input.sha }));
      await insertDeliveries(tx, [
        { documentRowId, kind: 'dmp', state: 'pending' },
        { documentRowId, kind: 'mss_ps', recipient: 'dr.a@hopital.mssante.fr', state: 'pending' },
        { documentRowId, kind: 'mss_patient', recipient: 'p@patient.mssante.fr', state: 'held', reason: 'ins_not_qualified' },
      ]);
    });
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const sizes = inputs[0] ? `${Math.round(inputs[0].raw.length / 1024)} KB message + ${Math.round(inputs[0].cda.length / 1024)} KB CDA` : '';
  t.diagnostic(`${label}: ${TRANSACTIONS} intake transactions (${sizes} + 3 deliveries) in ${seconds.toFixed(2)} s = `
    + `${(TRANSACTIONS / seconds).toFixed(0)} tx/s; p50 ${percentile(latencies, 0.5).toFixed(1)} ms, `
    + `p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(1)} ms`);
  const { rows } = await sql<{ m: string; d: string; l: string }>`
    select (select count(*) from message) as m, (select count(*) from document) as d, (select count(*) from delivery) as l`
    .execute(store.db);
  assert.deepEqual(rows[0], { m: String(TRANSACTIONS), d: String(TRANSACTIONS), l: String(3 * TRANSACTIONS) });
}

forEachDriver('intake write throughput', (ctx) => {
  it('commits 200 sequential intake transactions', async (t) => {
    await measure(t, ctx.store, ctx.driver === 'pglite' ? 'PGlite in memory' : 'PostgreSQL (lz4 TOAST)');
  });
});

describe('intake write throughput [pglite on disk]', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('commits 200 sequential intake transactions to a data directory', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'relais-throughput-'));
    dirs.push(dataDir);
    await using store = await openStore({ dataDir });
    await measure(t, store, 'PGlite on disk');
  });
});
