import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MllpClient } from '../hl7/index.js';
import { syntheticCda } from '../cda/index.js';
import { buildVoletAMessage, demoAuthor, demoOrganization, demoPatients } from '../sandbox/index.js';
import { listDocuments, openStore } from '../store/index.js';
import { startRelais } from './testing.js';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });


function messages(count: number, run: string): { controlId: string; text: string }[] {
  const patient = demoPatients[1]!;
  const template = syntheticCda({
    typeCode: '11490-0', patient, documentId: { root: '1.2.250.1.999.9.0' }, level: 'N3', pdfBytes: 20_000,
    effectiveTime: new Date('2026-11-25T08:00:00Z'), author: demoAuthor, organization: demoOrganization,
  });
  return Array.from({ length: count }, (_, i) => {
    const root = `1.2.250.1.999.9.${run}.${i}`;
    const controlId = `K${run}${i}`;
    return {
      controlId,
      text: buildVoletAMessage({
        structure: i % 2 ? 'ORU' : 'MDM', action: 'publish', controlId, timestamp: new Date(),
        cdaXml: template.split('1.2.250.1.999.9.0').join(root), documentId: { root },
        typeCode: { code: '11490-0', label: 'Lettre de liaison de sortie' }, patient,
        sender: { ...demoAuthor, finess: demoOrganization.finess, orgName: demoOrganization.name },
        recipients: [{ address: 'dr.lemaire@demo-ville.mssante.fr' }], flags: { DESTDMP: true, DESTMSSANTEPS: true },
      }),
    };
  });
}

/** Sends over several connections until `stopAfter` AAs, then SIGKILLs the server mid-load. */
async function loadThenKill(port: number, child: ChildProcess, all: { controlId: string; text: string }[], stopAfter: number): Promise<Set<string>> {
  const acked = new Set<string>();
  let next = 0;
  let killed = false;
  const worker = async () => {
    const c = new MllpClient({ host: '127.0.0.1', port, ackTimeoutMs: 20_000 });
    await c.connect();
    try {
      while (next < all.length && !killed) {
        const m = all[next++]!;
        const ack = (await c.send(m.text)).toString('utf8');
        if (ack.includes('MSA|AA|')) acked.add(m.controlId);
        if (acked.size >= stopAfter && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    } catch {
      // the server was killed under this connection: expected
    } finally {
      await c.close().catch(() => undefined);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  return acked;
}

async function resendAll(port: number, all: { controlId: string; text: string }[]): Promise<void> {
  const c = new MllpClient({ host: '127.0.0.1', port, ackTimeoutMs: 20_000 });
  await c.connect();
  for (const m of all) {
    const ack = (await c.send(m.text)).toString('utf8');
    assert.match(ack, /MSA\|AA\|/, `resent ${m.controlId}`);
  }
  await c.close();
}

async function pgReachable(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  const c = new pg.Client({ connectionString: url });
  try { await c.connect(); return true; } catch { return false; } finally { await c.end().catch(() => undefined); }
}

describe('a crash in the middle of a load', () => {
  it('loses no message that got AA on the embedded store, and a resend after restart duplicates nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'relais-crash-'));
    dirs.push(dataDir);
    const all = messages(120, `p${Date.now().toString(36)}`);
    const first = await startRelais(dataDir, { DATABASE_URL: '' });
    const acked = await loadThenKill(first.port, first.child, all, 40);
    assert.ok(acked.size >= 40);

    const second = await startRelais(dataDir, { DATABASE_URL: '' });
    try {
      await resendAll(second.port, all);
    } finally {
      const exited = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await exited;
    }
    const store = await openStore({ dataDir });
    const docs = await listDocuments(store.db, { limit: 10_000 });
    await store.close();
    const stored = new Set(docs.map((d) => d.controlId));
    for (const id of acked) assert.ok(stored.has(id), `message ${id} got AA before the crash but is missing`);
    assert.equal(docs.length, all.length, 'one document per message, none twice');
  });

  it('loses no message that got AA on PostgreSQL, and a resend after restart duplicates nothing', async (t) => {
    const url = process.env.TEST_DATABASE_URL;
    if (!(await pgReachable(url))) return t.skip('TEST_DATABASE_URL not set or not reachable');
    const schema = `crash_${process.pid}_${Date.now().toString(36)}`;
    const env = { DATABASE_URL: url!, RELAIS_STORE__SCHEMA: schema };
    const all = messages(120, `g${Date.now().toString(36)}`);
    const first = await startRelais('', env);
    const acked = await loadThenKill(first.port, first.child, all, 40);
    const second = await startRelais('', env);
    try {
      await resendAll(second.port, all);
    } finally {
      const exited = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await exited;
    }
    const store = await openStore({ databaseUrl: url!, schema });
    try {
      const docs = await listDocuments(store.db, { limit: 10_000 });
      const stored = new Set(docs.map((d) => d.controlId));
      for (const id of acked) assert.ok(stored.has(id), `message ${id} got AA before the crash but is missing`);
      assert.equal(docs.length, all.length);
    } finally {
      await store.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  });
});
