import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RelaisError } from '../domain/index.js';
import { classifyDatabaseError, isConnectionLost, isUniqueViolation, toStoreError } from './store-errors.js';

function dbError(code: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`server error ${code}`), { code, ...fields });
}

describe('toStoreError', () => {
  for (const code of ['08000', '08003', '08006', '08001', '08P01', '57P01', '57P02', '57P03', '53300', '57014', '25006']) {
    it(`maps SQLSTATE ${code} to RLS_STORE_UNAVAILABLE (peer_transient)`, () => {
      const e = toStoreError(dbError(code));
      assert.equal(e.code, 'RLS_STORE_UNAVAILABLE');
      assert.equal(e.kind, 'peer_transient');
      assert.equal(e.details.sqlState, code);
    });
  }

  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']) {
    it(`maps a socket error ${code} to RLS_STORE_UNAVAILABLE`, () => {
      const e = toStoreError(Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code }));
      assert.equal(e.code, 'RLS_STORE_UNAVAILABLE');
      assert.equal(e.details.errno, code);
    });
  }

  for (const message of ['Connection terminated unexpectedly', 'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect', 'PGlite is closed', 'driver has already been destroyed',
    'Client has encountered a connection error and is not queryable']) {
    it(`maps the client message "${message}" to RLS_STORE_UNAVAILABLE`, () => {
      assert.equal(toStoreError(new Error(message)).code, 'RLS_STORE_UNAVAILABLE');
    });
  }

  it('maps an AggregateError of refused connections (IPv4 and IPv6 tried) to RLS_STORE_UNAVAILABLE', () => {
    const refused = (addr: string) => Object.assign(new Error(`connect ECONNREFUSED ${addr}`), { code: 'ECONNREFUSED' });
    assert.equal(toStoreError(new AggregateError([refused('::1:5432'), refused('127.0.0.1:5432')])).code, 'RLS_STORE_UNAVAILABLE');
  });

  for (const code of ['40001', '40P01', '55P03']) {
    it(`maps SQLSTATE ${code} to RLS_STORE_CONFLICT`, () => {
      assert.equal(toStoreError(dbError(code)).code, 'RLS_STORE_CONFLICT');
    });
  }

  it('maps a unique violation to RLS_STORE_DUPLICATE naming the constraint', () => {
    const e = toStoreError(dbError('23505', { constraint: 'message_accepted_inbound_uq', table: 'message' }));
    assert.equal(e.code, 'RLS_STORE_DUPLICATE');
    assert.deepEqual(e.details, { sqlState: '23505', constraint: 'message_accepted_inbound_uq', table: 'message' });
  });

  it('maps a CHECK violation to RLS_BUG with the constraint name', () => {
    const e = toStoreError(dbError('23514', { constraint: 'delivery_state_check' }));
    assert.equal(e.code, 'RLS_BUG');
    assert.equal(e.details.constraint, 'delivery_state_check');
  });

  it('keeps row values out of the error: no detail, no parameters, no cause for server errors', () => {
    const raw = dbError('23514', {
      constraint: 'document_action_check',
      detail: 'Failing row contains (1, 279035121518989, …)',
      params: ['279035121518989'],
      query: 'insert into document …',
    });
    const e = toStoreError(raw);
    const seen = JSON.stringify({ message: e.message, details: e.details, cause: e.cause });
    assert.ok(!seen.includes('279035121518989'), seen);
    assert.equal(e.cause, undefined);
  });

  it('drops the server message of a data exception (class 22), which quotes the value', () => {
    const e = toStoreError(Object.assign(new Error('invalid input syntax for type bigint: "279035121518989"'), { code: '22P02' }));
    assert.equal(e.code, 'RLS_BUG');
    assert.ok(!e.message.includes('279035121518989'), e.message);
  });

  it('returns a RelaisError unchanged', () => {
    const original = new RelaisError('RLS_STORE_CONFLICT');
    assert.equal(toStoreError(original), original);
  });

  it('wraps an unknown error as RLS_BUG with the error as cause', () => {
    const original = new TypeError('x is not a function');
    const e = toStoreError(original);
    assert.equal(e.code, 'RLS_BUG');
    assert.equal(e.cause, original);
  });
});

describe('classifyDatabaseError', () => {
  it('leaves an application error alone (undefined)', () => {
    assert.equal(classifyDatabaseError(new Error('validation failed')), undefined);
  });
});

describe('isUniqueViolation', () => {
  it('recognises a raw 23505 and a mapped RLS_STORE_DUPLICATE', () => {
    const raw = dbError('23505', { constraint: 'message_accepted_inbound_uq' });
    assert.equal(isUniqueViolation(raw), true);
    assert.equal(isUniqueViolation(toStoreError(raw)), true);
  });

  it('filters on the constraint name when one is given', () => {
    const mapped = toStoreError(dbError('23505', { constraint: 'message_accepted_inbound_uq' }));
    assert.equal(isUniqueViolation(mapped, 'message_accepted_inbound_uq'), true);
    assert.equal(isUniqueViolation(mapped, 'other_uq'), false);
  });

  it('is false for other errors', () => {
    assert.equal(isUniqueViolation(dbError('23514')), false);
    assert.equal(isUniqueViolation(new RelaisError('RLS_STORE_CONFLICT')), false);
    assert.equal(isUniqueViolation('23505'), false);
  });
});

describe('isConnectionLost', () => {
  it('is true when the connection itself failed (socket error, 08xxx, 57P01)', () => {
    assert.equal(isConnectionLost(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
    assert.equal(isConnectionLost(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isConnectionLost(dbError('08006')), true);
    assert.equal(isConnectionLost(dbError('57P01')), true);
  });

  it('is false for a statement that failed on a healthy connection (timeout, conflict, constraint)', () => {
    for (const code of ['57014', '40001', '23505', '23514', '42P01']) assert.equal(isConnectionLost(dbError(code)), false, code);
  });
});
