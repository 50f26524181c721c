import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRelaisError } from '../domain/index.js';
import { writeTestChain } from './igc-test-chain-write.js';
import { testChainFiles } from './igc-test-chain.js';
import { loadPemCredentials } from './load-credentials.js';
import { loadTrustStore } from './trust-store.js';
import { hasOpenssl, openssl } from './testing.js';

describe('writeTestChain', () => {
  let base = '';
  before(() => { base = mkdtempSync(join(tmpdir(), 'relais-pki-write-')); });
  after(() => { if (base) rmSync(base, { recursive: true, force: true }); });

  it('writes exactly the eight files into a new directory, keys in mode 0600', async () => {
    const dir = join(base, 'new');
    const paths = await writeTestChain(dir);
    assert.deepEqual(paths, testChainFiles.map((f) => join(dir, f)));
    for (const f of testChainFiles) {
      const mode = statSync(join(dir, f)).mode & 0o777;
      assert.equal(mode, f.endsWith('.key') ? 0o600 : 0o644, f);
    }
  });

  it('writes files that load as credentials and as a trust store', async () => {
    const dir = join(base, 'load');
    await writeTestChain(dir, { freshKeys: false });
    const store = loadTrustStore('dmp', join(dir, 'root-ca.pem'));
    const auth = loadPemCredentials({ keyFile: join(dir, 'auth-cli.key'), certFile: join(dir, 'auth-cli.pem') });
    assert.equal(store.verifyChain(auth.certificate, auth.chain, { purpose: 'client' }).ok, true);
    const server = loadPemCredentials({ keyFile: join(dir, 'server.key'), certFile: join(dir, 'server.pem') });
    assert.equal(store.verifyChain(server.certificate, server.chain, { purpose: 'server' }).ok, true);
  });

  it('refuses a directory that is not empty, and overwrites it with force', async () => {
    const dir = join(base, 'full');
    mkdirSync(dir);
    writeFileSync(join(dir, 'server.key'), 'old', { mode: 0o644 });
    await assert.rejects(writeTestChain(dir), (e) => isRelaisError(e) && e.code === 'RLS_PKI_OUTPUT_EXISTS');
    assert.equal(readFileSync(join(dir, 'server.key'), 'utf8'), 'old');
    await writeTestChain(dir, { force: true, freshKeys: false });
    assert.match(readFileSync(join(dir, 'server.key'), 'utf8'), /BEGIN PRIVATE KEY/);
    assert.equal(statSync(join(dir, 'server.key')).mode & 0o777, 0o600);
  });

  it('writes a chain that openssl verify accepts', { skip: hasOpenssl() ? false : 'openssl CLI not available' }, async () => {
    const dir = join(base, 'openssl');
    await writeTestChain(dir, { serverNames: ['relais.test'], freshKeys: false });
    for (const [leaf, purpose] of [['auth-cli.pem', 'sslclient'], ['server.pem', 'sslserver'], ['sign.pem', 'any']] as const) {
      const r = openssl(['verify', '-CAfile', 'root-ca.pem', '-untrusted', 'org-ca.pem', '-purpose', purpose, leaf], dir);
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, new RegExp(`${leaf}: OK`));
    }
    const wrong = openssl(['verify', '-CAfile', 'root-ca.pem', '-untrusted', 'org-ca.pem', '-purpose', 'sslserver', 'auth-cli.pem'], dir);
    assert.notEqual(wrong.status, 0);
  });
});
