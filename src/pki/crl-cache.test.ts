import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import * as px from '@peculiar/x509';
import { createTestChain, type TestChain } from './igc-test-chain.js';
import { createCrlCache, crlDistributionPoints } from './crl-cache.js';
import { createTrustStore } from './trust-store.js';

let chain: TestChain;
let http: Server;
let base: string;
let dir: string;
const served = new Map<string, string | number>();

before(async () => {
  chain = await createTestChain();
  dir = mkdtempSync(join(tmpdir(), 'relais-crl-'));
  http = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (body === undefined) { res.writeHead(404).end(); return; }
    if (typeof body === 'number') { res.writeHead(body).end(); return; }
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
after(() => {
  http.close();
  rmSync(dir, { recursive: true, force: true });
});

const issuers = () => createTrustStore('mss:test', chain.trustBundlePem);

describe('CrlCache', () => {
  it('downloads one CRL per CA over HTTP, checks the signature, and returns them as X509 CRL PEM', async () => {
    served.set('/a/root.crl', await chain.issueCrl({ issuer: 'root' }));
    served.set('/a/org.crl', await chain.issueCrl({ issuer: 'org', revoked: ['1234abcd'] }));
    const cache = createCrlCache({ locations: [{ url: `${base}/a/root.crl` }, { url: `${base}/a/org.crl` }], issuers: issuers() });
    const pems = await cache.crlPem();
    assert.equal(pems.length, 2);
    assert.ok(pems.every((p) => p.startsWith('-----BEGIN X509 CRL-----')));
    assert.deepEqual(cache.status().map((s) => s.revokedCount), [0, 1]);
  });

  it('reads a DER CRL from a file', async () => {
    const pem = await chain.issueCrl({ issuer: 'org' });
    const file = join(dir, 'org.crl');
    writeFileSync(file, Buffer.from(px.PemConverter.decodeFirst(pem)));
    const cache = createCrlCache({ locations: [{ file }], issuers: [new X509Certificate(chain.orgCaPem)] });
    assert.equal((await cache.crlPem()).length, 1);
  });

  it('keeps the last valid CRL when a download fails', async () => {
    served.set('/b/org.crl', await chain.issueCrl({ issuer: 'org' }));
    let now = new Date();
    const cache = createCrlCache({ locations: [{ url: `${base}/b/org.crl` }], issuers: issuers(), now: () => now, retryAfterMs: 0 });
    const first = await cache.crlPem();
    served.set('/b/org.crl', 503);
    // Inside the refresh margin: a download is attempted, fails, and the kept CRL is still valid.
    now = new Date(Date.now() + 7 * 86_400_000 - 90 * 60_000);
    assert.deepEqual(await cache.crlPem(), first);
    assert.match(cache.status()[0]!.lastError ?? '', /HTTP 503/);
  });

  it('refuses an expired CRL when no replacement can be downloaded', async () => {
    served.set('/c/org.crl', await chain.issueCrl({ issuer: 'org' }));
    let now = new Date();
    const cache = createCrlCache({ locations: [{ url: `${base}/c/org.crl` }], issuers: issuers(), now: () => now, retryAfterMs: 0 });
    await cache.crlPem();
    served.delete('/c/org.crl');
    now = new Date(Date.now() + 8 * 86_400_000);
    await assert.rejects(cache.crlPem(), (e: { code?: string; details?: { reason?: string } }) => e.code === 'RLS_PKI_CRL' && e.details?.reason === 'expired');
  });

  it('refreshes before nextUpdate and takes the newer CRL', async () => {
    const t0 = new Date();
    served.set('/d/org.crl', await chain.issueCrl({ issuer: 'org', thisUpdate: new Date(t0.getTime() - 3_600_000), nextUpdate: new Date(t0.getTime() + 2 * 3_600_000) }));
    let now = t0;
    const cache = createCrlCache({ locations: [{ url: `${base}/d/org.crl` }], issuers: issuers(), now: () => now });
    await cache.crlPem();
    served.set('/d/org.crl', await chain.issueCrl({ issuer: 'org', revoked: ['0badc0de'], thisUpdate: t0 }));
    now = new Date(t0.getTime() + 90 * 60_000);
    await cache.crlPem();
    assert.equal(cache.status()[0]!.revokedCount, 1);
  });

  it('rejects a CRL signed by a CA outside the trust store and reports having none', async () => {
    const other = await createTestChain({ keySet: 'crl-other' });
    served.set('/e/org.crl', await other.issueCrl({ issuer: 'org' }));
    const cache = createCrlCache({ locations: [{ url: `${base}/e/org.crl` }], issuers: [new X509Certificate(chain.orgCaPem), new X509Certificate(chain.rootCaPem)] });
    await assert.rejects(cache.crlPem(), (e: { code?: string; details?: { reason?: string } }) => e.code === 'RLS_PKI_CRL' && e.details?.reason === 'missing');
    assert.match(cache.status()[0]!.lastError ?? '', /signature|not a trusted CA/);
  });

  it('puts the distribution points in the test chain when asked', async () => {
    const c = await createTestChain({ crlBaseUrl: 'http://crl.test/igc' });
    assert.deepEqual(crlDistributionPoints(new X509Certificate(c.server.certPem)), ['http://crl.test/igc/org.crl']);
    assert.deepEqual(crlDistributionPoints(new X509Certificate(c.orgCaPem)), ['http://crl.test/igc/root.crl']);
    assert.deepEqual(crlDistributionPoints(new X509Certificate(c.rootCaPem)), []);
  });
});
