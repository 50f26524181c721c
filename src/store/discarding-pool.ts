import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { isConnectionLost } from './store-errors.js';

/**
 * The pg pool as kysely's PostgresDialect sees it, except that a connection on which a statement
 * failed because the connection itself was lost (server terminated it, socket reset) is destroyed on
 * release instead of going back to the idle list. pg only notices a dead socket when its 'end' event
 * arrives, and kysely releases without an error, so the next caller could otherwise get it.
 */
export function discardingPool(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let lost = false;
      const rawQuery = client.query.bind(client) as (text: unknown, parameters?: unknown) => unknown;
      const query = (text: unknown, parameters?: unknown): unknown => {
        const result = rawQuery(text, parameters);
        if (!(result instanceof Promise)) return result;
        return result.catch((e: unknown) => {
          if (isConnectionLost(e)) lost = true;
          throw e;
        });
      };
      return {
        query: query as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy === true || lost),
      };
    },
    end: () => pool.end(),
  };
}
