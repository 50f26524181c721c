import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCatalogue, errorKinds, RelaisError } from './errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it('documents every code in docs/errors.md and documents no other', () => {
    const documented = new Set([...doc.matchAll(/^\|\s*`(RLS_[A-Z0-9_]+)`/gm)].map((m) => m[1]));
    assert.deepEqual([...documented].sort(), Object.keys(errorCatalogue).sort());
  });

  it('gives each documented code the kind of the catalogue', () => {
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      const row = new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*(\\w+)`, 'm').exec(doc);
      assert.equal(row?.[1], entry.kind, `kind of ${code} in docs/errors.md`);
      assert.ok((errorKinds as readonly string[]).includes(entry.kind));
    }
  });

  it('carries the kind of its code and freezes its details', () => {
    const e = new RelaisError('RLS_STORE_UNAVAILABLE', undefined, { attempt: 1 });
    assert.equal(e.kind, 'peer_transient');
    assert.equal(e.message, errorCatalogue.RLS_STORE_UNAVAILABLE.text);
    assert.ok(Object.isFrozen(e.details));
  });
});
