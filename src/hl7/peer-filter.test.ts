import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PeerFilter } from './peer-filter.js';
import { isRelaisError } from '../domain/index.js';

describe('PeerFilter', () => {
  const f = new PeerFilter(['10.1.2.3', '192.168.0.0/16', '2001:db8::/32', '::1']);

  it('allows exact IPv4 addresses and CIDR members', () => {
    assert.equal(f.allows('10.1.2.3'), true);
    assert.equal(f.allows('192.168.44.5'), true);
    assert.equal(f.allows('10.1.2.4'), false);
  });

  it('matches IPv4-mapped IPv6 peers against IPv4 rules', () => {
    assert.equal(f.allows('::ffff:10.1.2.3'), true);
    assert.equal(f.allows('::ffff:10.9.9.9'), false);
  });

  it('allows IPv6 addresses and blocks', () => {
    assert.equal(f.allows('::1'), true);
    assert.equal(f.allows('2001:db8:1::7'), true);
    assert.equal(f.allows('2001:db9::1'), false);
  });

  it('refuses an unknown or missing address', () => {
    assert.equal(f.allows(undefined), false);
    assert.equal(f.allows('localhost'), false);
  });

  it('rejects a malformed entry with RLS_CONFIG_INVALID', () => {
    for (const bad of ['10.0.0.0/33', 'host.example', '10.0.0.0/', '::1/129', '1.2.3.4/x']) {
      assert.throws(() => new PeerFilter([bad]), (e) => isRelaisError(e) && e.code === 'RLS_CONFIG_INVALID', bad);
    }
  });
});
