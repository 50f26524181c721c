import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { isRelaisError } from '../domain/index.js';
import { writeBackup } from './backup.js';
import { discoverTables } from './backup-catalog.js';
import { openStoreForRestore, restoreBackup, verifyBackup } from './backup-restore.js';
import { recordAcceptedIntake, type IntakeRecord } from './intake-record.js';
import type { Store, StoreDriver } from './open-store.js';
import { quoteIdent } from './pglite-dialect.js';
import { ensureTestDatabase, forEachDriver, metaFlags, sampleDocument, testDatabaseUrl, testDrivers } from './testing.js';

const VERSION = '0.0.0-test';

function record(n: number, cda: Buffer = Buffer.from(`<ClinicalDocument>${n} é ü</ClinicalDocument>`)): IntakeRecord {
  const { messageId: _unused, ...document } = sampleDocument('0', { documentId: `1.2.3.${n}`, cda, flags: metaFlags({ DESTDMP: true }) });
  return {
    message: {
      direction: 'in', channel: 'hl7', peer: 'dpi@test', sendingApp: 'DPI', sendingFacility: 'CH', controlId: `M${n}`,
      messageType: 'MDM^T02', raw: Buffer.concat([Buffer.from(`MSH|^~\\&|DPI|CH|||||MDM^T02|M${n}\r`), Buffer.from([0, 1, 0xfe, 0xff])]),
      ack: Buffer.from('MSA|AA'), ackCode: 'AA', status: 'accepted',
    },
    documents: [{ document, deliveries: [{ kind: 'dmp', state: 'pending' }, { kind: 'mss_ps', recipient: `dr${n}@x.mssante.fr`, state: 'held', reason: 'attente' }] }],
  };
}

/** A little of every kind of row: bytea with every byte value, jsonb, microsecond timestamps, a composite key. */
async function seed(store: Store, documents = 3): Promise<void> {
  for (let n = 1; n <= documents; n += 1) await recordAcceptedIntake(store.db, record(n));
  await sql`insert into attempt (delivery_id, started_at, outcome, peer_answer) select id, '2026-11-26 10:00:00.123456+01', 'failed', 'HTTP 503 « indisponible »' from delivery`.execute(store.db);
  await sql`insert into mailbox_cursor (mailbox, folder, uid_validity, last_uid) values ('bal@x.mssante.fr', 'INBOX', '42', 9007199254740993)`.execute(store.db);
  await sql`insert into account (login, role, password_hash, password_changed_at, created_at, updated_at) values ('alice', 'admin', '$argon2id$x', now(), now(), now())`.execute(store.db);
  await sql`insert into session (id_hash, account_id, csrf_token, second_factor, created_at, last_seen_at, expires_at)
            select ${randomBytes(32)}, id, 'csrf', true, now(), now(), now() + interval '1 hour' from account`.execute(store.db);
  await sql`insert into audit (at, actor, operation, result, detail) values (clock_timestamp(), 'alice', 'login', 'success', 'ok')`.execute(store.db);
}

/** Every row of every table, each value in a form that is the same on both drivers. */
async function dump(store: Store, schema: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of await discoverTables(store.db, schema)) {
    const cols = t.columns.map((c) => c.type === 'bytea' ? `encode(${quoteIdent(c.name)}, 'hex')`
      : c.type === 'timestamp with time zone' ? `(${quoteIdent(c.name)} at time zone 'UTC')::text` : `${quoteIdent(c.name)}::text`);
    const order = t.primaryKey.length ? `order by ${t.primaryKey.map(quoteIdent).join(', ')}` : '';
    const { rows } = await sql.raw<Record<string, unknown>>(`select json_build_array(${cols.join(', ')})::text as r from ${quoteIdent(schema)}.${quoteIdent(t.name)} ${order}`).execute(store.db);
    out[t.name] = rows.map((r) => String(r.r));
  }
  return out;
}

async function backupToBuffer(store: Store, o: { passphrase?: string } = {}): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  await writeBackup(store, sink as Writable, { relaisVersion: VERSION, ...o });
  return Buffer.concat(chunks);
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

let targetCounter = 0;
/** A new, empty, unmigrated store on `driver`, closed (and its schema dropped) after the file. */
async function emptyTarget(driver: StoreDriver): Promise<{ store: Store; schema: string }> {
  if (driver === 'pglite') {
    const store = await openStoreForRestore({});
    cleanups.push(() => store.close());
    return { store, schema: 'public' };
  }
  const url = testDatabaseUrl()!;
  await ensureTestDatabase(url);
  const schema = `restore_${process.pid}_${targetCounter += 1}`;
  const store = await openStoreForRestore({ databaseUrl: url, schema, poolSize: 2 });
  cleanups.push(async () => {
    await store.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
    await c.end();
  });
  return { store, schema };
}

/** Rewrites an archive's content (gunzipped lines) and, when asked, recomputes its checksum as a forger would. */
function rewrite(archive: Buffer, edit: (lines: string[]) => void, resum: boolean): Buffer {
  const lines = gunzipSync(archive).toString('utf8').split('\n').slice(0, -1);
  const trailer = JSON.parse(lines.pop()!) as { sha256: string };
  edit(lines);
  const body = lines.map((l) => `${l}\n`).join('');
  if (resum) trailer.sha256 = createHash('sha256').update(body).digest('hex');
  return gzipSync(Buffer.from(`${body}${JSON.stringify(trailer)}\n`));
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isRelaisError(e)) return e.code;
    throw e;
  }
  assert.fail('expected a refusal');
}

forEachDriver('backup and restore', (ctx) => {
  for (const targetDriver of testDrivers()) {
    it(`restores a ${ctx.driver} backup into ${targetDriver} with every row identical and the sequences moved on`, async () => {
      await seed(ctx.store);
      const archive = await backupToBuffer(ctx.store);
      const before = await dump(ctx.store, ctx.schema);
      assert.ok(Object.keys(before).includes('delivery') && Object.keys(before).includes('audit'));

      const target = await emptyTarget(targetDriver);
      const summary = await restoreBackup(target.store, Readable.from([archive]), { schema: target.schema });
      assert.equal(summary.restored.document, 3);
      assert.equal(summary.restored.delivery, 6);
      assert.deepEqual(await dump(target.store, target.schema), before);

      // A new intake after the restore gets fresh ids instead of colliding with restored ones.
      const r = await recordAcceptedIntake(target.store.db, record(4));
      assert.ok(r.recorded && BigInt(r.messageId) > 3n);
    });
  }

  it('verifies an archive and reports its header, checksum and row counts', async () => {
    await seed(ctx.store, 2);
    const archive = await backupToBuffer(ctx.store);
    const v = await verifyBackup(Readable.from([archive]));
    assert.equal(v.header.driver, ctx.driver);
    assert.equal(v.header.relaisVersion, VERSION);
    assert.ok(v.header.migrations.includes('2026-11-26-intake'));
    assert.equal(v.header.tables.find((t) => t.name === 'delivery')?.rows, 4);
    assert.match(v.sha256, /^[0-9a-f]{64}$/);
    // Parents come before children, so a restore inserts with its foreign keys on.
    const order = v.header.tables.map((t) => t.name);
    assert.ok(order.indexOf('message') < order.indexOf('document') && order.indexOf('document') < order.indexOf('delivery')
      && order.indexOf('delivery') < order.indexOf('attempt') && order.indexOf('account') < order.indexOf('password_history'));
    // Console sessions are not carried: a restore must not revive them.
    assert.equal(order.includes('session'), false);
  });

  it('refuses an altered archive, a truncated one and one whose counts were edited, and leaves the store empty', async () => {
    await seed(ctx.store);
    const archive = await backupToBuffer(ctx.store);
    const altered = rewrite(archive, (lines) => {
      const i = lines.findIndex((l) => l.includes('dr2@x.mssante.fr'));
      lines[i] = lines[i]!.replace('dr2@', 'evil@');
    }, false);
    assert.equal(await refusal(verifyBackup(Readable.from([altered]))), 'RLS_BACKUP_INVALID');
    const target = await emptyTarget(ctx.driver);
    assert.equal(await refusal(restoreBackup(target.store, Readable.from([altered]), { schema: target.schema })), 'RLS_BACKUP_INVALID');
    const left = await dump(target.store, target.schema);
    assert.ok(Object.keys(left).length > 0 && Object.values(left).every((rows) => rows.length === 0));

    // A row removed and the checksum forged: the header's count still gives it away.
    const dropped = rewrite(archive, (lines) => {
      lines.splice(lines.findIndex((l) => l.includes('evil@') || l.includes('dr3@')), 1);
    }, true);
    assert.equal(await refusal(verifyBackup(Readable.from([dropped]))), 'RLS_BACKUP_INVALID');
    assert.equal(await refusal(verifyBackup(Readable.from([archive.subarray(0, archive.length - 40)]))), 'RLS_BACKUP_INVALID');
    assert.equal(await refusal(verifyBackup(Readable.from([Buffer.from('not a backup at all')]))), 'RLS_BACKUP_INVALID');
  });

  it('encrypts with a passphrase: restores with it, refuses a wrong or missing one and any altered byte', async () => {
    await seed(ctx.store, 1);
    const archive = await backupToBuffer(ctx.store, { passphrase: 'correct horse battery staple' });
    assert.equal(archive.subarray(0, 16).toString('ascii'), 'RELAIS-BACKUP-E1');
    assert.ok(!archive.includes(Buffer.from('dr1@x.mssante.fr')));
    const v = await verifyBackup(Readable.from([archive]), { passphrase: 'correct horse battery staple' });
    assert.equal(v.encrypted, true);
    assert.equal(await refusal(verifyBackup(Readable.from([archive]), { passphrase: 'wrong horse' })), 'RLS_BACKUP_PASSPHRASE');
    assert.equal(await refusal(verifyBackup(Readable.from([archive]))), 'RLS_BACKUP_PASSPHRASE');
    const flipped = Buffer.from(archive);
    flipped[flipped.length - 30]! ^= 0x01;
    assert.equal(await refusal(verifyBackup(Readable.from([flipped]), { passphrase: 'correct horse battery staple' })), 'RLS_BACKUP_INVALID');
    assert.equal(await refusal(verifyBackup(Readable.from([archive.subarray(0, archive.length - 1)]), { passphrase: 'correct horse battery staple' })), 'RLS_BACKUP_INVALID');

    const target = await emptyTarget(ctx.driver);
    const r = await restoreBackup(target.store, Readable.from([archive]), { schema: target.schema, passphrase: 'correct horse battery staple' });
    assert.equal(r.restored.delivery, 2);
  });

  it('refuses to restore into a store that holds data', async () => {
    await seed(ctx.store, 1);
    const archive = await backupToBuffer(ctx.store);
    assert.equal(await refusal(restoreBackup(ctx.store, Readable.from([archive]), { schema: ctx.schema })), 'RLS_BACKUP_TARGET_NOT_EMPTY');
  });

  it('refuses an archive from a newer Relais', async () => {
    await seed(ctx.store, 1);
    const archive = rewrite(await backupToBuffer(ctx.store), (lines) => {
      const h = JSON.parse(lines[0]!) as { migrations: string[] };
      h.migrations.push('2099-01-01-future');
      lines[0] = JSON.stringify(h);
    }, true);
    const target = await emptyTarget(ctx.driver);
    assert.equal(await refusal(restoreBackup(target.store, Readable.from([archive]), { schema: target.schema })), 'RLS_BACKUP_NEWER');
  });

  it('backs up while intake runs: the restore holds every document the snapshot saw, each with all its deliveries', async () => {
    const docCda = randomBytes(20_000);
    let n = 0;
    let stop = false;
    const committed: number[] = [];
    let failure: unknown;
    const load = (async () => {
      while (!stop) {
        n += 1;
        const mine = n;
        await recordAcceptedIntake(ctx.store.db, record(mine, docCda));
        committed.push(mine);
        // In-memory PGlite answers in microtasks: let timers and the backup's stream run between intakes.
        await new Promise((r) => setImmediate(r));
      }
    })().catch((e: unknown) => { failure = e; });
    const waitFor = async (count: number) => {
      while (committed.length < count) {
        if (failure !== undefined) throw failure;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await waitFor(20);
    const before = committed.length;
    const archive = await backupToBuffer(ctx.store);
    const duringEnd = committed.length;
    await waitFor(duringEnd + 10);
    stop = true;
    await load;
    assert.equal(failure, undefined);

    const target = await emptyTarget(ctx.driver);
    const summary = await restoreBackup(target.store, Readable.from([archive]), { schema: target.schema });
    const docs = summary.restored.document!;
    assert.ok(docs >= before && docs <= duringEnd, `${docs} documents restored, ${before} committed before the backup, ${duringEnd} after`);
    const q = (s: string) => `${quoteIdent(target.schema)}.${quoteIdent(s)}`;
    const { rows } = await sql.raw<{ document_id: string; deliveries: string; message: boolean; cda_ok: boolean }>(
      `select d.document_id, (select count(*) from ${q('delivery')} v where v.document_row_id = d.id)::text as deliveries,
              exists (select 1 from ${q('message')} m where m.id = d.message_id) as message,
              encode(sha256(d.cda), 'hex') = d.cda_sha256 as cda_ok
       from ${q('document')} d order by d.id`).execute(target.store.db);
    assert.equal(rows.length, docs);
    // The first `docs` intakes, no gap, none half-written.
    assert.deepEqual(rows.map((r) => r.document_id), committed.slice(0, docs).map((i) => `1.2.3.${i}`));
    assert.ok(rows.every((r) => r.deliveries === '2' && r.message && r.cda_ok));
    assert.equal(summary.restored.delivery, docs * 2);
  });
});
