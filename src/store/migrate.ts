import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { RelaisError, isRelaisError } from '../domain/index.js';
import type { Logger } from './logger.js';
import * as intake from './migrations/2026-11-26-intake.js';
import * as toastLz4 from './migrations/2026-11-26-toast-lz4.js';
import * as deliveryQueue from './migrations/2026-11-27-delivery-queue.js';
import * as notification from './migrations/2026-11-28-notification.js';
import * as mss from './migrations/2026-11-29-mss.js';
import * as security from './migrations/2026-11-30-security.js';
import * as inbound from './migrations/2026-12-02-inbound.js';
import * as stats from './migrations/2026-12-03-stats.js';
import * as consoleSearch from './migrations/2026-12-04-console-search.js';
import * as consoleLogin from './migrations/2026-12-05-console-login.js';

/**
 * Every migration, listed statically so that the compiled dist/ needs no directory scan. Names start
 * with an ISO date; kysely runs them in name order and refuses a new one that sorts before an applied one.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '2026-11-26-intake': intake,
  '2026-11-26-toast-lz4': toastLz4,
  '2026-11-27-delivery-queue': deliveryQueue,
  '2026-11-28-notification': notification,
  '2026-11-29-mss': mss,
  '2026-11-30-security': security,
  '2026-12-02-inbound': inbound,
  '2026-12-03-stats': stats,
  '2026-12-04-console-search': consoleSearch,
  '2026-12-05-console-login': consoleLogin,
});

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...migrations };
  }
}

export interface MigrateOptions {
  readonly schema: string;
  readonly driver: 'pglite' | 'postgres';
  readonly log: Logger;
}

/**
 * Brings the schema to the latest migration and returns the names applied now. kysely's migrator runs
 * them in one transaction under a PostgreSQL advisory lock, so several Relais nodes starting together
 * apply each migration once. Runs on one connection with no statement timeout: a migration on a large
 * table may legitimately take longer than an ordinary query.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on an untyped database
export async function migrateToLatest(db: Kysely<any>, o: MigrateOptions): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    if (o.driver === 'postgres') await sql`set statement_timeout = 0`.execute(conn);
    let failed = false;
    try {
      const migrator = new Migrator({ db: conn, provider: new StaticMigrationProvider(), migrationTableSchema: o.schema });
      const { error, results = [] } = await migrator.migrateToLatest();
      for (const r of results) {
        const entry = { migration: r.migrationName, status: r.status, schema: o.schema };
        if (r.status === 'Success') o.log.info(entry, 'migration applied');
        else o.log.error(entry, 'migration not applied');
      }
      if (error !== undefined) {
        if (isRelaisError(error)) throw error;
        const failed = results.find((r) => r.status === 'Error')?.migrationName;
        throw new RelaisError('RLS_BUG', `migration failed${failed ? `: ${failed}` : ''}: ${error instanceof Error ? error.message : String(error)}`,
          { migration: failed }, { cause: error });
      }
      return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      if (o.driver === 'postgres') {
        // After a failure the connection may be gone: the migration error is the one to report.
        await sql`reset statement_timeout`.execute(conn).catch((resetError: unknown) => {
          if (!failed) throw resetError;
          o.log.debug({ err: String(resetError) }, 'could not reset statement_timeout after a failed migration');
        });
      }
    }
  });
}
