import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, getCiphers } from 'node:tls';
import { checkNegotiated, ecdhCurves, tls12CipherSuites, tlsProfileOptions, type NegotiatedSession } from './tls-profile.js';
import { createTestChain, type TestChain } from './igc-test-chain.js';
import { oddCertificate } from './testing.js';

function session(o: { protocol?: string; cipher?: string; eph?: object | null; peer?: X509Certificate }): NegotiatedSession {
  return {
    getProtocol: () => o.protocol ?? 'TLSv1.2',
    getCipher: () => ({ name: o.cipher ?? 'ECDHE-RSA-AES256-GCM-SHA384', standardName: '', version: 'TLSv1.2' }),
    getEphemeralKeyInfo: () => (o.eph === undefined ? { type: 'ECDH', name: 'prime256v1', size: 256 } : o.eph) as never,
    getPeerX509Certificate: () => o.peer,
  };
}

describe('the TLS profile', () => {
  let chain: TestChain;
  before(async () => { chain = await createTestChain(); });

  it('lists the six CONF.03 suites, all known to this OpenSSL', () => {
    assert.deepEqual(tls12CipherSuites.map((s) => s.openssl), [
      'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-SHA384',
      'ECDHE-RSA-AES128-SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256']);
    const known = new Set(getCiphers().map((c) => c.toUpperCase()));
    for (const s of tls12CipherSuites) assert.ok(known.has(s.openssl), s.openssl);
  });

  it('sets TLS 1.2 minimum, 2048-bit DH, the P curves, and TLS 1.3 unless switched off', () => {
    const p = tlsProfileOptions();
    assert.equal(p.minVersion, 'TLSv1.2');
    assert.equal(p.maxVersion, 'TLSv1.3');
    assert.equal(p.minDHSize, 2048);
    assert.equal(p.ecdhCurve, ecdhCurves.join(':'));
    assert.match(p.ciphers, /^TLS_AES_256_GCM_SHA384:/);
    const only12 = tlsProfileOptions({ allowTls13: false });
    assert.equal(only12.maxVersion, 'TLSv1.2');
    assert.equal(only12.ciphers, tls12CipherSuites.map((s) => s.openssl).join(':'));
  });

  it('builds a secure context that OpenSSL accepts', () => {
    assert.doesNotThrow(() => createSecureContext({ ...tlsProfileOptions(), key: chain.server.keyPem, cert: chain.server.chainPem }));
  });

  describe('checkNegotiated', () => {
    it('accepts TLS 1.2 with a profile suite, P-256 and an RSA 2048 peer', () => {
      const v = checkNegotiated(session({ peer: new X509Certificate(chain.server.certPem) }));
      assert.deepEqual(v, { ok: true, protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384' });
    });

    it('accepts TLS 1.3, and refuses it when TLS 1.3 is switched off', () => {
      const s = session({ protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
      assert.equal(checkNegotiated(s).ok, true);
      const off = checkNegotiated(s, { allowTls13: false });
      assert.equal(off.ok ? 'ok' : off.reason, 'protocol');
    });

    it('refuses TLS 1.1', () => {
      const v = checkNegotiated(session({ protocol: 'TLSv1.1' }));
      assert.equal(v.ok ? 'ok' : v.reason, 'protocol');
    });

    it('refuses a CBC-SHA1 suite', () => {
      const v = checkNegotiated(session({ cipher: 'ECDHE-RSA-AES128-SHA' }));
      assert.equal(v.ok ? 'ok' : v.reason, 'cipher');
    });

    it('refuses a 1024-bit DH group', () => {
      const v = checkNegotiated(session({ cipher: 'DHE-RSA-AES256-GCM-SHA384', eph: { type: 'DH', size: 1024 } }));
      assert.equal(v.ok ? 'ok' : v.reason, 'ephemeral_key');
    });

    it('refuses an ECDH curve outside the profile', () => {
      const v = checkNegotiated(session({ eph: { type: 'ECDH', name: 'X25519', size: 253 } }));
      assert.equal(v.ok ? 'ok' : v.reason, 'ephemeral_key');
    });

    it('refuses a peer certificate with an RSA 1024 key', async () => {
      const weak = await oddCertificate({ bits: 1024, cn: 'weak server' });
      const v = checkNegotiated(session({ peer: new X509Certificate(weak.certPem) }));
      assert.equal(v.ok ? 'ok' : v.reason, 'peer_key');
    });

    it('refuses a missing peer certificate only when one is required', () => {
      assert.equal(checkNegotiated(session({})).ok, true);
      const v = checkNegotiated(session({}), { requirePeerCertificate: true });
      assert.equal(v.ok ? 'ok' : v.reason, 'no_peer_certificate');
    });
  });
});
