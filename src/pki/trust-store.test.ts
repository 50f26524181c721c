import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRelaisError } from '../domain/index.js';
import { createTrustStore, loadTrustStores, type ChainVerdict, type TrustStore } from './trust-store.js';
import { createTestChain, type TestChain } from './igc-test-chain.js';
import { oddCertificate } from './testing.js';

const x = (pem: string) => new X509Certificate(pem);
const reasonOf = (v: ChainVerdict) => (v.ok ? 'ok' : v.reason);

describe('TrustStore.verifyChain', () => {
  let chain: TestChain;
  let store: TrustStore;
  before(async () => {
    chain = await createTestChain();
    store = createTrustStore('dmp', chain.trustBundlePem);
  });

  it('sorts the bundle into one anchor and one intermediate', () => {
    assert.equal(store.anchors.length, 1);
    assert.match(store.anchors[0]!.subject, /TEST AC RACINE/);
    assert.equal(store.intermediates.length, 1);
    assert.equal(store.caPem.length, 2);
  });

  it('accepts the ORG AUTH_CLI certificate for client authentication, with the path to the root', () => {
    const v = store.verifyChain(x(chain.authCli.certPem), [], { purpose: 'client' });
    assert.ok(v.ok);
    assert.equal(v.chain.length, 2);
    assert.match(v.anchor.subject, /RACINE/);
  });

  it('accepts the server certificate for server authentication with the intermediate sent by the peer', async () => {
    const rootOnly = createTrustStore('mss:test', chain.rootCaPem);
    assert.equal(reasonOf(rootOnly.verifyChain(x(chain.server.certPem), [], { purpose: 'server' })), 'unknown_issuer');
    assert.equal(reasonOf(rootOnly.verifyChain(x(chain.server.certPem), [x(chain.orgCaPem)], { purpose: 'server' })), 'ok');
  });

  it('accepts the ORG SIGN certificate for signing', () => {
    assert.equal(reasonOf(store.verifyChain(x(chain.sign.certPem), [], { purpose: 'signing' })), 'ok');
  });

  it('refuses a serverAuth certificate used as a client (wrong extended key usage)', () => {
    const v = store.verifyChain(x(chain.server.certPem), [], { purpose: 'client' });
    assert.equal(reasonOf(v), 'wrong_extended_key_usage');
    assert.ok(!v.ok && /clientAuth/.test(v.message) && /CN=localhost/.test(v.subject ?? ''));
  });

  it('refuses the AUTH_CLI certificate used as a server (wrong extended key usage)', () => {
    assert.equal(reasonOf(store.verifyChain(x(chain.authCli.certPem), [], { purpose: 'server' })), 'wrong_extended_key_usage');
  });

  it('refuses an expired leaf', async () => {
    const expired = await createTestChain({ expiredLeaves: true });
    const v = store.verifyChain(x(expired.authCli.certPem), [], { purpose: 'client' });
    assert.equal(reasonOf(v), 'expired');
  });

  it('refuses a leaf checked at a time before its validity', () => {
    assert.equal(reasonOf(store.verifyChain(x(chain.authCli.certPem), [], { now: new Date(Date.now() - 3 * 86_400_000) })), 'not_yet_valid');
  });

  it('refuses an expired root', () => {
    assert.equal(reasonOf(store.verifyChain(x(chain.authCli.certPem), [], { now: new Date(Date.now() + 800 * 86_400_000) })), 'expired');
  });

  it('refuses a certificate from an unrelated PKI with the same CA names (unknown issuer)', async () => {
    const other = await createTestChain({ keySet: 'unrelated' });
    // Same issuer name, but its authority key identifier points to another key.
    assert.equal(reasonOf(store.verifyChain(x(other.authCli.certPem), [], { purpose: 'client' })), 'unknown_issuer');
    const foreign = await oddCertificate({ bits: 2048, cn: 'foreign' });
    assert.equal(reasonOf(store.verifyChain(x(foreign.certPem))), 'unknown_issuer');
  });

  it('refuses a certificate whose signature was altered (bad signature)', () => {
    const der = Buffer.from(x(chain.authCli.certPem).raw);
    der[der.length - 1]! ^= 0x01;
    const tampered = new X509Certificate(der);
    assert.equal(reasonOf(store.verifyChain(tampered, [], { purpose: 'client' })), 'bad_signature');
  });

  it('refuses a leaf with an RSA 1024 key', async () => {
    const root = await oddCertificate({ bits: 2048, cn: 'Odd root', ca: true });
    const weak = await oddCertificate({ bits: 1024, cn: 'weak leaf', issuer: root });
    assert.equal(reasonOf(createTrustStore('odd', root.certPem).verifyChain(x(weak.certPem))), 'weak_key');
  });

  it('refuses a leaf signed with SHA-1', async () => {
    const root = await oddCertificate({ bits: 2048, cn: 'Odd root', ca: true });
    const sha1 = await oddCertificate({ bits: 2048, hash: 'SHA-1', cn: 'sha1 leaf', issuer: root });
    assert.equal(reasonOf(createTrustStore('odd', root.certPem).verifyChain(x(sha1.certPem))), 'weak_signature');
  });

  it('refuses a path through a certificate that is not a CA', async () => {
    const root = await oddCertificate({ bits: 2048, cn: 'Odd root', ca: true });
    const notCa = await oddCertificate({ bits: 2048, cn: 'not a CA', issuer: root });
    const leaf = await oddCertificate({ bits: 2048, cn: 'leaf', issuer: notCa });
    const v = createTrustStore('odd', root.certPem + notCa.certPem).verifyChain(x(leaf.certPem));
    assert.equal(reasonOf(v), 'not_a_ca');
  });

  it('answers no_certificate when the peer showed none', () => {
    assert.equal(reasonOf(store.verifyChain(undefined)), 'no_certificate');
  });

  it('throws RLS_PKI_UNTRUSTED with the reason from assertTrusted', () => {
    assert.throws(() => store.assertTrusted(x(chain.server.certPem), [], { purpose: 'client' }),
      (e) => isRelaisError(e) && e.code === 'RLS_PKI_UNTRUSTED' && e.details.reason === 'wrong_extended_key_usage');
    assert.equal(store.assertTrusted(x(chain.server.certPem), [], { purpose: 'server' }).length, 2);
  });

  it('refuses a bundle without a self-signed root', () => {
    assert.throws(() => createTrustStore('dmp', chain.orgCaPem), (e) => isRelaisError(e) && e.code === 'RLS_PKI_UNREADABLE');
  });
});

describe('loadTrustStores', () => {
  let dir = '';
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('loads one store per peer from its bundle file', async () => {
    const chain = await createTestChain();
    dir = mkdtempSync(join(tmpdir(), 'relais-trust-'));
    writeFileSync(join(dir, 'dmp.pem'), chain.trustBundlePem);
    writeFileSync(join(dir, 'op.pem'), chain.rootCaPem);
    const stores = loadTrustStores({ dmp: join(dir, 'dmp.pem'), 'mss:operator': join(dir, 'op.pem') });
    assert.deepEqual([...stores.keys()], ['dmp', 'mss:operator']);
    assert.equal(stores.get('mss:operator')?.intermediates.length, 0);
    assert.throws(() => loadTrustStores({ dpi: join(dir, 'missing.pem') }), (e) => isRelaisError(e) && e.code === 'RLS_PKI_UNREADABLE');
  });
});
