import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * lz4 TOAST compression for the two large columns (performance-and-libraries.md §2.3: it doubles
 * PostgreSQL's intake throughput against the default pglz).
 *
 * Applied only where the server can do it. Rather than guess the product from `version()` (PGlite
 * also reports "PostgreSQL"), ask the server: `default_toast_compression` exists from PostgreSQL 14,
 * and its allowed values list `lz4` only when the server was built with lz4. PGlite's list is
 * {pglz}, so there the migration is a no-op and no statement fails inside the migration transaction.
 * SET COMPRESSION only affects values written afterwards; this runs right after the tables exist.
 *
 * Frozen in time: never imports application code.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen: they see no app types
export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ lz4: boolean }>`
    select exists (
      select 1 from pg_settings
      where name = 'default_toast_compression' and 'lz4' = any(enumvals)
    ) as lz4`.execute(db);
  if (rows[0]?.lz4 !== true) return;
  await sql`alter table message alter column raw set compression lz4`.execute(db);
  await sql`alter table document alter column cda set compression lz4`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ lz4: boolean }>`
    select exists (
      select 1 from pg_settings
      where name = 'default_toast_compression' and 'lz4' = any(enumvals)
    ) as lz4`.execute(db);
  if (rows[0]?.lz4 !== true) return;
  await sql`alter table message alter column raw set compression default`.execute(db);
  await sql`alter table document alter column cda set compression default`.execute(db);
}
