/**
 * What a backup holds, discovered from the database catalogue rather than listed by hand: every table of
 * the store's schema (new migrations add tables without touching the backup), in an order where a table
 * comes after every table it references, so a restore can insert table by table with its foreign keys on.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export interface CatalogColumn {
  readonly name: string;
  /** The SQL type as `format_type` writes it (`bigint`, `timestamp with time zone`, `bytea`, …). */
  readonly type: string;
  /** GENERATED … AS IDENTITY: a restore inserts with OVERRIDING SYSTEM VALUE and moves the sequence on. */
  readonly identity: boolean;
}

export interface CatalogTable {
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  /** Primary key columns; rows are read in this order. Empty when the table has none. */
  readonly primaryKey: readonly string[];
}

/** The migrator's own tables: their content is the header's migration list, rebuilt by migrating. */
export const MIGRATION_TABLES: readonly string[] = ['kysely_migration', 'kysely_migration_lock'];

/** Console sessions are not carried: a restored store must not revive them (everyone logs in again). */
export const EPHEMERAL_TABLES: readonly string[] = ['session'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- catalogue queries work on any database
type AnyDb = Kysely<any>;

/** The tables of `schema` in dependency order (parents first; ties and cycles in name order). */
export async function discoverTables(db: AnyDb, schema: string): Promise<CatalogTable[]> {
  const { rows: tables } = await sql<{ oid: number; name: string }>`
    select c.oid::int as oid, c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname`.execute(db);
  const wanted = tables.filter((t) => !MIGRATION_TABLES.includes(t.name) && !EPHEMERAL_TABLES.includes(t.name));
  if (wanted.length === 0) return [];
  const oids = wanted.map((t) => t.oid);
  // As text: both drivers bind a string the same way, not every driver binds a JavaScript array.
  const oidList = oids.join(',');

  const { rows: columns } = await sql<{ rel: number; name: string; type: string; identity: boolean }>`
    select a.attrelid::int as rel, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
           a.attidentity <> '' as identity
    from pg_attribute a
    where a.attrelid = any(string_to_array(${oidList}, ',')::oid[]) and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    order by a.attrelid, a.attnum`.execute(db);
  const { rows: keys } = await sql<{ rel: number; name: string }>`
    select i.indrelid::int as rel, a.attname as name
    from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
    where i.indrelid = any(string_to_array(${oidList}, ',')::oid[]) and i.indisprimary
    order by i.indrelid, array_position(i.indkey::int2[], a.attnum)`.execute(db);
  const { rows: references } = await sql<{ child: number; parent: number }>`
    select conrelid::int as child, confrelid::int as parent
    from pg_constraint
    where contype = 'f' and conrelid = any(string_to_array(${oidList}, ',')::oid[]) and confrelid <> conrelid`.execute(db);

  const byOid = new Map(wanted.map((t) => [t.oid, {
    name: t.name,
    columns: columns.filter((c) => c.rel === t.oid).map(({ name, type, identity }) => ({ name, type, identity })),
    primaryKey: keys.filter((k) => k.rel === t.oid).map((k) => k.name),
  } satisfies CatalogTable]));

  // Kahn's algorithm over "child references parent"; what a cycle leaves behind goes last, in name order.
  const parents = new Map(oids.map((o) => [o, new Set<number>()]));
  for (const r of references) if (byOid.has(r.parent)) parents.get(r.child)?.add(r.parent);
  const ordered: CatalogTable[] = [];
  const done = new Set<number>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const oid of oids) {
      if (done.has(oid) || [...parents.get(oid)!].some((p) => !done.has(p))) continue;
      done.add(oid);
      ordered.push(byOid.get(oid)!);
      progress = true;
    }
  }
  for (const oid of oids) if (!done.has(oid)) ordered.push(byOid.get(oid)!);
  return ordered;
}

/** The migrations applied to `schema`, in the order they were applied; empty when it has none. */
export async function appliedMigrations(db: AnyDb, schema: string): Promise<string[]> {
  const { rows: exists } = await sql<{ present: boolean }>`
    select exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                   where n.nspname = ${schema} and c.relname = 'kysely_migration') as present`.execute(db);
  if (exists[0]?.present !== true) return [];
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(`${schema}.kysely_migration`)} order by timestamp, name`.execute(db);
  return rows.map((r) => r.name);
}
