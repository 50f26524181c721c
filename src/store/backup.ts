/**
 * Backup of the store as a portable, streamed, checksummed archive (SC.SSI/GEN.21).
 *
 * The content is JSON lines, driver-independent, so a PGlite backup restores into PostgreSQL and back:
 *   1. a header: format and version, Relais version, migrations applied, creation time, driver, schema, and
 *      per table its columns and row count; the files carried along (configuration, keys if asked);
 *   2. per table, in dependency order, a line `{"table": name}` then one JSON array per row — every value
 *      as PostgreSQL's text form (exact: microseconds, numerics, jsonb), bytea as base64, NULL as null;
 *   3. per file, `{"file": name, "content": base64}`;
 *   4. a trailer with the row counts and the SHA-256 of every byte before it.
 * The lines are gzipped, then optionally encrypted (backup-crypto.ts).
 *
 * Consistency: every table is read inside one REPEATABLE READ READ ONLY transaction, so the archive is one
 * snapshot: a delivery is there with its document, a half-written intake is not there at all. Rows are
 * fetched through a cursor a few at a time and written as they come, so memory stays flat whatever the size
 * of the store. On PGlite (one connection) the backup holds the connection while it runs: other writers of
 * the same process wait for it.
 */
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { encryptingStream } from './backup-crypto.js';
import { appliedMigrations, discoverTables, type CatalogTable } from './backup-catalog.js';
import type { Store, StoreDriver } from './open-store.js';
import { quoteIdent } from './pglite-dialect.js';

export const BACKUP_FORMAT = 'relais-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** A file carried in the archive beside the store: the configuration, and keys only when asked. */
export interface BackupFile {
  readonly role: 'config' | 'key' | 'certificate';
  /** The file's name as the operator knows it (a path); restored under its base name. */
  readonly name: string;
  readonly content: Uint8Array;
}

export interface BackupTableInfo {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: string; readonly identity: boolean }[];
  readonly rows: number;
}

export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly formatVersion: number;
  readonly relaisVersion: string;
  readonly createdAt: string;
  readonly driver: StoreDriver;
  readonly schema: string;
  readonly migrations: readonly string[];
  readonly tables: readonly BackupTableInfo[];
  readonly files: readonly { readonly role: BackupFile['role']; readonly name: string; readonly bytes: number; readonly sha256: string }[];
}

export interface BackupSummary {
  readonly header: BackupHeader;
  /** SHA-256 (hex) of the archive's content before the trailer, as written in the trailer. */
  readonly sha256: string;
  /** Bytes of content before compression and encryption. */
  readonly contentBytes: number;
  readonly encrypted: boolean;
}

export interface BackupOptions {
  /** Written in the header: a restore tells which Relais made the archive. */
  readonly relaisVersion: string;
  /** Encrypt with this passphrase (AES-256-GCM, scrypt). */
  readonly passphrase?: string;
  readonly files?: readonly BackupFile[];
  /** gzip level 1–9 (default 6). */
  readonly gzipLevel?: number;
}

/** Rows per fetch: few when a row may carry a document, many otherwise. */
const FETCH_ROWS_WITH_BYTEA = 16;
const FETCH_ROWS = 1000;
const CURSOR = 'relais_backup_cursor';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the backup reads whatever tables the schema has
type AnyDb = Kysely<any>;

/** Writes a backup of `store` to `out` (which it ends) and returns what it wrote. */
export async function writeBackup(store: Store, out: Writable, o: BackupOptions): Promise<BackupSummary> {
  return store.db.connection().execute(async (conn) => {
    await sql`begin isolation level repeatable read, read only`.execute(conn);
    try {
      // A large table takes longer to read than the pool's per-statement limit allows an ordinary query.
      if (store.driver === 'postgres') await sql`set local statement_timeout = 0`.execute(conn);
      // Values travel as their text form: fix every setting that shapes it, whatever the server's defaults.
      for (const setting of ["datestyle = 'ISO, YMD'", "timezone = 'UTC'", "intervalstyle = 'postgres'", 'extra_float_digits = 3', "bytea_output = 'hex'"]) {
        await sql.raw(`set local ${setting}`).execute(conn);
      }
      const { rows: [current] } = await sql<{ schema: string }>`select current_schema() as schema`.execute(conn);
      const schema = current!.schema;
      const tables = await discoverTables(conn, schema);
      const counted: BackupTableInfo[] = [];
      for (const t of tables) {
        const { rows } = await sql<{ n: string }>`select count(*)::text as n from ${sql.id(t.name)}`.execute(conn);
        counted.push({ name: t.name, columns: t.columns, rows: Number(rows[0]!.n) });
      }
      const files = o.files ?? [];
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        relaisVersion: o.relaisVersion,
        createdAt: new Date().toISOString(),
        driver: store.driver,
        schema,
        migrations: await appliedMigrations(conn, schema),
        tables: counted,
        files: files.map((f) => ({ role: f.role, name: f.name, bytes: f.content.byteLength, sha256: createHash('sha256').update(f.content).digest('hex') })),
      };

      const hash = createHash('sha256');
      let contentBytes = 0;
      const line = (text: string): Buffer => {
        const b = Buffer.from(`${text}\n`, 'utf8');
        hash.update(b);
        contentBytes += b.length;
        return b;
      };
      let sha256 = '';
      async function* content(): AsyncGenerator<Buffer> {
        yield line(JSON.stringify(header));
        const rowsSeen: Record<string, number> = {};
        for (const t of tables) {
          yield line(JSON.stringify({ table: t.name }));
          let n = 0;
          for await (const batch of readTable(conn, t)) {
            const text = batch.map((r) => JSON.stringify(r)).join('\n');
            n += batch.length;
            yield line(text);
          }
          rowsSeen[t.name] = n;
        }
        for (const f of files) yield line(JSON.stringify({ file: f.name, content: Buffer.from(f.content).toString('base64') }));
        sha256 = hash.digest('hex');
        // The trailer is not part of what it checksums.
        yield Buffer.from(`${JSON.stringify({ end: BACKUP_FORMAT, rows: rowsSeen, sha256 })}\n`, 'utf8');
      }

      const gzip = createGzip({ level: o.gzipLevel ?? 6, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
      if (o.passphrase !== undefined) await pipeline(Readable.from(content()), gzip, encryptingStream(o.passphrase), out);
      else await pipeline(Readable.from(content()), gzip, out);
      await sql`commit`.execute(conn);
      return { header, sha256, contentBytes, encrypted: o.passphrase !== undefined };
    } catch (e) {
      await sql`rollback`.execute(conn).catch(() => undefined); // the first error is the one to report
      throw e;
    }
  });
}

/** The rows of one table, in primary-key order, as arrays of text / base64 / null, a batch per fetch. */
async function* readTable(conn: AnyDb, t: CatalogTable): AsyncGenerator<(string | null)[][]> {
  const bytea = t.columns.map((c) => c.type === 'bytea');
  const select = t.columns.map((c, i) => (bytea[i] ? `${quoteIdent(c.name)} as c${i}` : `${quoteIdent(c.name)}::text as c${i}`)).join(', ');
  const order = t.primaryKey.length > 0 ? ` order by ${t.primaryKey.map(quoteIdent).join(', ')}` : '';
  const fetchRows = bytea.some(Boolean) ? FETCH_ROWS_WITH_BYTEA : FETCH_ROWS;
  await sql.raw(`declare ${CURSOR} no scroll cursor for select ${select} from ${quoteIdent(t.name)}${order}`).execute(conn);
  try {
    for (;;) {
      const { rows } = await sql.raw<Record<string, unknown>>(`fetch forward ${fetchRows} from ${CURSOR}`).execute(conn);
      if (rows.length === 0) return;
      yield rows.map((r) => t.columns.map((_, i) => {
        const v = r[`c${i}`];
        if (v === null || v === undefined) return null;
        if (bytea[i]) {
          const u = v as Uint8Array;
          return Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
        }
        return String(v);
      }));
    }
  } finally {
    await sql.raw(`close ${CURSOR}`).execute(conn);
  }
}
