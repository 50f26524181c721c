/**
 * Restore of a backup archive (backup.ts) into an empty store, on either driver, and verification of an
 * archive without restoring it.
 *
 * The restore brings the empty schema to the archive's migration level (never beyond: the rows have that
 * level's shape), inserts every table in the archive's dependency order inside one transaction, checks the
 * SHA-256 and the row counts, moves the identity sequences past the restored ids, commits, and only then
 * migrates to this version's latest level. A damaged or altered archive rolls the whole transaction back:
 * the store is left migrated and empty, ready for another attempt.
 */
import type { Readable } from 'node:stream';
import { CompiledQuery, Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { RelaisError } from '../domain/index.js';
import { discoverTables, type CatalogTable } from './backup-catalog.js';
import type { BackupFile, BackupHeader, BackupSummary } from './backup.js';
import { readArchive } from './backup-read.js';
import { migrations } from './migrate.js';
import { openStoreWith } from './open-store.js';
import type { Store, StoreOptions } from './open-store.js';
import { quoteIdent } from './pglite-dialect.js';

export interface RestoreOptions {
  /** The schema the store was opened on (default `public`). */
  readonly schema?: string;
  readonly passphrase?: string;
}

export interface RestoreSummary extends BackupSummary {
  /** Rows inserted per table, counted again in the database before the commit. */
  readonly restored: Readonly<Record<string, number>>;
  /** Migrations applied after the restore to reach this version's level. */
  readonly migratedAfter: readonly string[];
  /** The files carried in the archive (configuration, keys), for the caller to write where it wants. */
  readonly files: readonly BackupFile[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the restore writes whatever tables the schema has
type AnyDb = Kysely<any>;

class Provider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...migrations };
  }
}

/** Opens a store without migrating it: the restore decides the level. */
export function openStoreForRestore(o: StoreOptions): Promise<Store> {
  return openStoreWith(o, { migrate: false });
}

/** Reads and checks a whole archive (checksum, structure, row counts) without touching any store. */
export function verifyBackup(input: Readable, o: { readonly passphrase?: string } = {}): Promise<BackupSummary> {
  return readArchive(input, o);
}

/** Restores `input` into `store`, which must be empty (opened with openStoreForRestore, or freshly migrated). */
export async function restoreBackup(store: Store, input: Readable, o: RestoreOptions = {}): Promise<RestoreSummary> {
  const schema = o.schema ?? 'public';
  return store.db.connection().execute(async (conn) => {
    if (store.driver === 'postgres') await sql`set statement_timeout = 0`.execute(conn);
    try {
      await refuseNonEmpty(conn, schema);
      let targets = new Map<string, CatalogTable>();
      let header: BackupHeader | undefined;
      const inserts = new Map<string, string>();
      const files: BackupFile[] = [];
      let open = false;
      try {
        const summary = await readArchive(input, o, {
          header: async (h) => {
            header = h;
            await migrateTo(conn, schema, archiveLevel(h));
            targets = new Map((await discoverTables(conn, schema)).map((t) => [t.name, t]));
            for (const t of h.tables) inserts.set(t.name, insertStatement(schema, t, targets.get(t.name)));
            await sql`begin`.execute(conn);
            open = true;
            await sql`set local datestyle = 'ISO, YMD'`.execute(conn);
            await sql`set local intervalstyle = 'postgres'`.execute(conn);
          },
          rows: async (table, rows) => {
            await conn.executeQuery(CompiledQuery.raw(inserts.get(table)!, [`[${rows.join(',')}]`]));
          },
          file: async (name, content) => {
            const role = header?.files.find((f) => f.name === name)?.role ?? 'config';
            files.push({ role, name, content });
          },
        });
        const restored: Record<string, number> = {};
        for (const t of summary.header.tables) {
          const { rows } = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(`${schema}.${t.name}`)}`.execute(conn);
          restored[t.name] = Number(rows[0]!.n);
          if (restored[t.name] !== t.rows) {
            throw new RelaisError('RLS_BACKUP_INVALID', `table ${t.name}: ${restored[t.name]} rows restored, the archive holds ${t.rows}`, { table: t.name });
          }
          await resetSequences(conn, schema, targets.get(t.name)!);
        }
        await sql`commit`.execute(conn);
        open = false;
        const migratedAfter = await migrateTo(conn, schema, undefined);
        return { ...summary, restored, migratedAfter, files };
      } finally {
        if (open) await sql`rollback`.execute(conn).catch(() => undefined); // the first error is the one to report
      }
    } finally {
      if (store.driver === 'postgres') await sql`reset statement_timeout`.execute(conn).catch(() => undefined);
    }
  });
}

async function refuseNonEmpty(conn: AnyDb, schema: string): Promise<void> {
  for (const t of await discoverTables(conn, schema)) {
    const { rows } = await sql<{ any: boolean }>`select exists (select 1 from ${sql.table(`${schema}.${t.name}`)}) as any`.execute(conn);
    if (rows[0]?.any === true) {
      throw new RelaisError('RLS_BACKUP_TARGET_NOT_EMPTY', `the store already holds data (table ${t.name}): restore into a new data directory or an empty schema`,
        { table: t.name, schema });
    }
  }
}

/** The archive's last migration, after checking this version knows every migration it names. */
function archiveLevel(h: BackupHeader): string {
  const unknown = h.migrations.filter((m) => !(m in migrations));
  if (unknown.length > 0) {
    throw new RelaisError('RLS_BACKUP_NEWER', `the backup was made by Relais ${h.relaisVersion}, whose schema has migrations this version does not know (${unknown.join(', ')}): restore it with that version or a later one`,
      { unknown, relaisVersion: h.relaisVersion });
  }
  const sorted = [...h.migrations].sort();
  const last = sorted.at(-1);
  if (last === undefined) throw new RelaisError('RLS_BACKUP_INVALID', 'the archive names no migration');
  return last;
}

/** Migrates the schema up or down to `target` (undefined: the latest); returns the names applied. */
async function migrateTo(conn: AnyDb, schema: string, target: string | undefined): Promise<string[]> {
  const migrator = new Migrator({ db: conn, provider: new Provider(), migrationTableSchema: schema });
  const { error, results = [] } = target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error !== undefined) {
    throw new RelaisError('RLS_BUG', `migration before the restore failed: ${error instanceof Error ? error.message : String(error)}`, {}, { cause: error });
  }
  return results.filter((r) => r.status === 'Success' && r.direction === 'Up').map((r) => r.migrationName);
}

/**
 * One INSERT … SELECT for a table: the rows travel as one JSON array of arrays and the database casts each
 * text value to the target column's type (bytea from base64). Types come from the target's catalogue,
 * never from the archive; identity columns keep their archived values.
 */
function insertStatement(schema: string, archived: BackupHeader['tables'][number], target: CatalogTable | undefined): string {
  if (!target) throw new RelaisError('RLS_BACKUP_INVALID', `the archive holds table ${archived.name}, which this schema level does not have`, { table: archived.name });
  const columns = archived.columns.map((c, i) => {
    const t = target.columns.find((x) => x.name === c.name);
    if (!t) throw new RelaisError('RLS_BACKUP_INVALID', `the archive holds column ${archived.name}.${c.name}, which this schema level does not have`, { table: archived.name });
    return { ...t, expr: t.type === 'bytea' ? `decode(e->>${i}, 'base64')` : `(e->>${i})::${t.type}` };
  });
  const overriding = columns.some((c) => c.identity) ? ' overriding system value' : '';
  return `insert into ${quoteIdent(schema)}.${quoteIdent(archived.name)} (${columns.map((c) => quoteIdent(c.name)).join(', ')})${overriding} `
    + `select ${columns.map((c) => c.expr).join(', ')} from json_array_elements($1::json) as e`;
}

async function resetSequences(conn: AnyDb, schema: string, t: CatalogTable): Promise<void> {
  const qualified = `${quoteIdent(schema)}.${quoteIdent(t.name)}`;
  for (const c of t.columns.filter((x) => x.identity)) {
    await sql`select setval(pg_get_serial_sequence(${qualified}, ${c.name}),
      coalesce((select max(${sql.ref(c.name)}) from ${sql.table(`${schema}.${t.name}`)}), 0) + 1, false)`.execute(conn);
  }
}
