import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { criteriaNames, parseSearch } from './search-params.js';

describe('search parameters', () => {
  it('reads text criteria as trimmed strings and maps messageId to the mail Message-ID', () => {
    assert.deepEqual(parseSearch({ ipp: ' IPP-1 ', ins: "' OR 1=1 --", messageId: '<a@b>', documentId: '' }),
      { ok: true, value: { ipp: 'IPP-1', ins: "' OR 1=1 --", mailMessageId: '<a@b>' } });
  });

  it('reads dates (a day ends at the next midnight), states, kinds, limits and cursors', () => {
    const r = parseSearch({ from: '2026-11-01', to: '2026-11-02', state: 'dead', kind: 'dmp', limit: '20', before: '123' });
    assert.ok(r.ok);
    assert.equal(r.value.from?.toISOString(), '2026-11-01T00:00:00.000Z');
    assert.equal(r.value.to?.toISOString(), '2026-11-03T00:00:00.000Z');
    assert.equal(r.value.state, 'dead');
    assert.equal(r.value.limit, 20);
    assert.equal(r.value.beforeId, '123');
    assert.equal(parseSearch({ from: '2026-11-05T10:00:00Z' }).ok, true);
  });

  it('names the first bad field', () => {
    for (const [field, value] of [['from', '2026-13-45'], ['to', 'yesterday'], ['state', 'gone'], ['kind', 'fax'], ['limit', '0'],
      ['limit', '-1'], ['before', '0'], ['before', '1 OR 1=1'], ['ipp', 'x'.repeat(201)], ['ins', ['a']]] as const) {
      assert.deepEqual(parseSearch({ [field]: value }), { ok: false, field }, `${field}=${String(value)}`);
    }
    assert.deepEqual(parseSearch(null), { ok: false, field: 'search' });
    assert.deepEqual(parseSearch([]), { ok: false, field: 'search' });
  });

  it('lists criteria names for the audit trail, never values', () => {
    assert.equal(criteriaNames({ ipp: 'IPP-1', state: 'dead', limit: 5 }), 'ipp,state');
    assert.equal(criteriaNames({}), 'none');
  });
});
