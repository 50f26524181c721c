/**
 * The Database types, checked by the compiler (`npx tsc --noEmit` type-checks this file): the
 * `@ts-expect-error` lines must stay errors, the others must compile. At run time the queries are only
 * compiled to SQL, on a kysely without a database.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { Insertable, Selectable } from 'kysely';
import type { DeliveryState } from '../domain/index.js';
import type { Database, DeliveryTable, DocumentTable, MessageTable } from './schema.js';

const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

describe('Database types', () => {
  it('reads ids as strings, timestamps as Dates, bytea as Buffers and nullable columns as T | null', () => {
    expectType<Equal<Selectable<MessageTable>['id'], string>>();
    expectType<Equal<Selectable<MessageTable>['received_at'], Date>>();
    expectType<Equal<Selectable<MessageTable>['raw'], Buffer>>();
    expectType<Equal<Selectable<MessageTable>['ack'], Buffer | null>>();
    expectType<Equal<Selectable<DeliveryTable>['state'], DeliveryState>>();
    expectType<Equal<Selectable<DeliveryTable>['not_before'], Date | null>>();
    assert.ok(true);
  });

  it('leaves ids and defaulted columns out of the required insert fields', () => {
    expectType<Equal<'id' extends keyof Insertable<MessageTable> ? true : false, false>>();
    const minimal: Insertable<DeliveryTable> = { document_row_id: '1', kind: 'dmp', recipient: null, recipient_id: null, state: 'held', reason: null, not_before: null };
    assert.equal(minimal.state, 'held');
  });

  it('compiles typed queries and rejects wrong columns and values', () => {
    const q = db.selectFrom('delivery').select(['id', 'state']).where('state', '=', 'pending').compile();
    assert.equal(q.sql, 'select "id", "state" from "delivery" where "state" = $1');

    // @ts-expect-error 'lost' is not a DeliveryState
    db.selectFrom('delivery').selectAll().where('state', '=', 'lost');
    // @ts-expect-error no such column
    db.selectFrom('message').select('no_such_column');
    const message: Insertable<MessageTable> = { direction: 'in', channel: 'hl7', peer: 'p', sending_app: null, sending_facility: null,
      control_id: null, message_type: null, raw: Buffer.alloc(0), ack: null, ack_code: null, status: 's', error_summary: null };
    db.insertInto('message').values(message);
    // @ts-expect-error ids are generated always: never written
    db.insertInto('message').values({ ...message, id: '1' });
    // @ts-expect-error flags are written as JSON text, not as an object
    const flags: Insertable<DocumentTable>['flags'] = { MASQUE_PS: true };
    assert.equal(flags, flags);
  });
});
