import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { certificateUsage, extendedKeyUsages } from './certificate-usage.js';
import { createTestChain, testChainFiles } from './igc-test-chain.js';
import { parsePemCertificates } from './pem.js';

describe('createTestChain', () => {
  it('names every CA TEST and shapes them like IGC Santé (root, then Organisations)', async () => {
    const c = await createTestChain();
    const root = new X509Certificate(c.rootCaPem);
    const org = new X509Certificate(c.orgCaPem);
    assert.match(root.subject, /CN=TEST AC RACINE IGC-SANTE ELEMENTAIRE/);
    assert.match(org.subject, /CN=TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS/);
    assert.match(root.subject, /OU=IGC-SANTE TEST/);
    assert.equal(root.ca, true);
    assert.equal(org.ca, true);
    assert.ok(org.checkIssued(root) && org.verify(root.publicKey));
  });

  it('gives the ORG certificates O = establishment, OU = FINESS, CN = service, and RSA 2048 SHA-256', async () => {
    const c = await createTestChain({ establishment: { name: 'CH TEST AILLEURS', finess: '990000018', service: 'SERVICE TEST' } });
    for (const pem of [c.authCli.certPem, c.sign.certPem]) {
      const cert = new X509Certificate(pem);
      assert.match(cert.subject, /O=CH TEST AILLEURS\nOU=990000018\nCN=SERVICE TEST/);
      assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
      assert.equal(certificateUsage(cert).signatureHash, 'SHA-256');
    }
  });

  it('makes AUTH_CLI a clientAuth certificate and SIGN a nonRepudiation one', async () => {
    const c = await createTestChain();
    const auth = certificateUsage(new X509Certificate(c.authCli.certPem));
    const sign = certificateUsage(new X509Certificate(c.sign.certPem));
    assert.deepEqual(auth.extendedKeyUsage, [extendedKeyUsages.clientAuth]);
    assert.ok(auth.keyUsage?.has('digitalSignature'));
    assert.ok(sign.keyUsage?.has('nonRepudiation'));
  });

  it('puts localhost, 127.0.0.1 and the extra names in the server certificate', async () => {
    const c = await createTestChain({ serverNames: ['relais.test', '10.0.0.5'] });
    const cert = new X509Certificate(c.server.certPem);
    assert.equal(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, DNS:relais.test, IP Address:10.0.0.5');
    assert.equal(cert.checkHost('relais.test'), 'relais.test');
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.deepEqual(certificateUsage(cert).extendedKeyUsage, [extendedKeyUsages.serverAuth]);
  });

  it('ends each leaf file with the Organisations CA, and gives a key that matches', async () => {
    const c = await createTestChain();
    for (const name of ['auth-cli', 'sign', 'server'] as const) {
      const [leaf, ca] = parsePemCertificates(c.files[`${name}.pem`]);
      assert.equal(ca?.toString(), new X509Certificate(c.orgCaPem).toString());
      assert.ok(leaf!.checkPrivateKey((await import('node:crypto')).createPrivateKey(c.files[`${name}.key`])));
    }
    assert.deepEqual(Object.keys(c.files).sort(), [...testChainFiles].sort());
  });

  it('honours the validity options and can make expired leaves', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const c = await createTestChain({ now, caValidityDays: 10, leafValidityDays: 3 });
    assert.equal(new Date(new X509Certificate(c.orgCaPem).validTo).toISOString(), '2030-01-11T00:00:00.000Z');
    assert.equal(new Date(new X509Certificate(c.authCli.certPem).validTo).toISOString(), '2030-01-04T00:00:00.000Z');
    const expired = await createTestChain({ expiredLeaves: true });
    assert.ok(new Date(new X509Certificate(expired.server.certPem).validTo) < new Date());
    assert.ok(new Date(new X509Certificate(expired.orgCaPem).validTo) > new Date());
  });

  it('reuses the keys of a key set within the process, so a before() does not generate RSA keys again', async () => {
    const a = await createTestChain({ keySet: 'reuse' });
    const b = await createTestChain({ keySet: 'reuse' });
    const publicKey = (pem: string) => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    assert.equal(publicKey(a.authCli.certPem), publicKey(b.authCli.certPem));
    assert.equal(publicKey(a.server.certPem), publicKey(b.server.certPem));
  });

  it('gives unrelated keys to another key set and to freshKeys', async () => {
    const a = new X509Certificate((await createTestChain()).rootCaPem);
    const b = new X509Certificate((await createTestChain({ keySet: 'other' })).rootCaPem);
    const c = new X509Certificate((await createTestChain({ freshKeys: true })).rootCaPem);
    const same = new X509Certificate((await createTestChain()).rootCaPem);
    const spki = (x: X509Certificate) => x.publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
    assert.equal(spki(a), spki(same));
    assert.notEqual(spki(a), spki(b));
    assert.notEqual(spki(a), spki(c));
  });
});
