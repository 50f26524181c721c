import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { insertDocument } from './documents.js';
import { insertMessage } from './messages.js';
import { countDeliveryOutcomes, deliveryOutcomesQuery } from './stats-queries.js';
import { forEachDriver, sampleDocument, sampleMessage } from './testing.js';

forEachDriver('stats-queries', (ctx) => {
  it('classes a historical document by its effective date against the outcome date minus five years, malformed dates included', async () => {
    const message = await insertMessage(ctx.store.db, sampleMessage());
    const outcome = new Date('2026-06-15T10:00:00Z');
    const cases: [string, string | null][] = [['EDGE', '20210615120000+0200'], ['OLDER', '20210614235959+0200'], ['BAD', 'garbage'], ['NONE', null]];
    for (const [name, effectiveTime] of cases) {
      const { id } = await insertDocument(ctx.store.db, sampleDocument(message.id, {
        documentId: `1.2.3^${name}`, historical: true, effectiveTime, typeCode: name,
      }));
      await ctx.store.db.insertInto('delivery').values({ document_row_id: id, kind: 'dmp', state: 'done', updated_at: outcome }).execute();
    }
    const rows = await countDeliveryOutcomes(ctx.store.db, 2026);
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.typeCode, r.age])), { EDGE: 'historical', OLDER: 'too_old', BAD: 'too_old', NONE: 'too_old' });
  });

  it('lets the year query read the partial index on delivery outcomes', async () => {
    const plan = await ctx.store.db.connection().execute(async (conn) => {
      // With a handful of rows the planner prefers a scan; forbidding it shows whether the index can serve the query.
      await sql`set enable_seqscan = off`.execute(conn);
      try {
        return (await deliveryOutcomesQuery(conn, 2026).explain()).map((r) => Object.values(r).join(' ')).join('\n');
      } finally {
        await sql`reset enable_seqscan`.execute(conn);
      }
    });
    assert.match(plan, /delivery_outcome_idx/);
  });
});
