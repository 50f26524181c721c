import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { parsePemCertificates, splitPemCertificates } from './pem.js';
import { createTestChain, type TestChain } from './igc-test-chain.js';

describe('PEM bundles', () => {
  let chain: TestChain;
  before(async () => { chain = await createTestChain(); });

  it('splits a bundle in file order and ignores private key blocks', () => {
    const blocks = splitPemCertificates(chain.authCli.keyPem + chain.authCli.chainPem);
    assert.equal(blocks.length, 2);
    const [leaf, ca] = parsePemCertificates(blocks.join(''));
    assert.match(leaf!.subject, /CN=PFI RELAIS TEST/);
    assert.match(ca!.subject, /ORGANISATIONS/);
  });

  it('throws on a damaged certificate block', () => {
    const damaged = chain.rootCaPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    assert.throws(() => parsePemCertificates(damaged));
  });
});
