import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childUuid, deterministicUuids, isOid, oidFromUuid, randomUrnUuid } from './xds-ids.js';

const V4 = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('XDS identifiers', () => {
  it('makes random urn:uuid v4 ids', () => {
    const a = randomUrnUuid();
    assert.match(a, V4);
    assert.notEqual(a, randomUrnUuid());
  });
  it('repeats the same v4-shaped sequence for the same seed, and another for another seed', () => {
    const a = deterministicUuids('s');
    const b = deterministicUuids('s');
    const first = [a(), a()];
    assert.deepEqual(first, [b(), b()]);
    assert.notEqual(first[0], first[1]);
    for (const id of first) assert.match(id, V4);
    assert.notEqual(deterministicUuids('t')(), first[0]);
  });
  it('derives stable, distinct child ids from a parent id and a position', () => {
    assert.equal(childUuid('urn:uuid:x', 'classCode'), childUuid('urn:uuid:x', 'classCode'));
    assert.notEqual(childUuid('urn:uuid:x', 'classCode'), childUuid('urn:uuid:x', 'typeCode'));
    assert.match(childUuid('urn:uuid:x', 'a'), /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('turns a UUID into a 2.25 OID (X.667) of at most 64 characters', () => {
    assert.equal(oidFromUuid('urn:uuid:00000000-0000-0000-0000-000000000010'), '2.25.16');
    const oid = oidFromUuid('urn:uuid:ffffffff-ffff-4fff-bfff-ffffffffffff');
    assert.ok(isOid(oid), oid);
  });
  it('accepts OIDs and refuses UUIDs, leading zeros and over-long values', () => {
    assert.ok(isOid('1.2.250.1.213.1.1.1.45.2024.1.1'));
    for (const bad of ['90E1C8EC-F951-4B26-A305-A34848818DD6', '1.02.3', '1', '3.1', `1.${'2'.repeat(64)}`, '1.2.']) {
      assert.equal(isOid(bad), false, bad);
    }
  });
});
