import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { certificateUsage, extendedKeyUsages } from './certificate-usage.js';
import { createTestChain, type TestChain } from './igc-test-chain.js';

describe('certificateUsage', () => {
  let chain: TestChain;
  before(async () => { chain = await createTestChain(); });

  it('reads clientAuth and digitalSignature on the ORG AUTH_CLI certificate', () => {
    const u = certificateUsage(new X509Certificate(chain.authCli.certPem));
    assert.deepEqual(u.extendedKeyUsage, [extendedKeyUsages.clientAuth]);
    assert.ok(u.keyUsage?.has('digitalSignature'));
    assert.equal(u.signatureHash, 'SHA-256');
  });

  it('reads nonRepudiation and no extended key usage on the ORG SIGN certificate', () => {
    const u = certificateUsage(new X509Certificate(chain.sign.certPem));
    assert.equal(u.extendedKeyUsage, undefined);
    assert.deepEqual([...(u.keyUsage ?? [])].sort(), ['digitalSignature', 'nonRepudiation']);
  });

  it('reads keyCertSign and cRLSign on a CA', () => {
    const u = certificateUsage(new X509Certificate(chain.orgCaPem));
    assert.deepEqual([...(u.keyUsage ?? [])].sort(), ['cRLSign', 'keyCertSign']);
  });
});
