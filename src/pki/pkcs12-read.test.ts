import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pkcs12Error, readPkcs12 } from './pkcs12-read.js';
import { createTestChain, type TestChain } from './igc-test-chain.js';
import { hasOpenssl, openssl } from './testing.js';

describe('readPkcs12', { skip: hasOpenssl() ? false : 'openssl CLI not available to make PKCS#12 files' }, () => {
  let chain: TestChain;
  let dir = '';
  const make = (name: string, extra: string[]): Buffer => {
    const r = openssl(['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-passout', 'pass:pw', '-out', name, ...extra], dir);
    assert.equal(r.status, 0, r.output);
    return readFileSync(join(dir, name));
  };
  before(async () => {
    chain = await createTestChain();
    dir = mkdtempSync(join(tmpdir(), 'relais-p12-'));
    writeFileSync(join(dir, 'k.pem'), chain.sign.keyPem);
    writeFileSync(join(dir, 'c.pem'), chain.sign.chainPem);
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('decrypts PBES2 bags (PBKDF2-SHA256, AES-256-CBC)', () => {
    const out = readPkcs12(make('aes.p12', []), 'pw');
    assert.equal(out.keys.length, 1);
    assert.equal(out.certificates.length, 2);
    assert.ok(out.certificates.some((c) => c.checkPrivateKey(out.keys[0]!)));
  });

  it('decrypts pbeWithSHAAnd3-KeyTripleDES-CBC bags with the RFC 7292 key derivation', () => {
    const out = readPkcs12(make('3des.p12', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']), 'pw');
    assert.equal(out.certificates.length, 2);
    assert.equal(out.keys[0]!.export({ type: 'pkcs8', format: 'pem' }), chain.sign.keyPem);
  });

  it('reads unencrypted bags', () => {
    const out = readPkcs12(make('plain.p12', ['-keypbe', 'NONE', '-certpbe', 'NONE']), 'pw');
    assert.equal(out.keys.length, 1);
    assert.equal(out.certificates.length, 2);
  });

  it('fails to decrypt the certificates with a wrong passphrase', () => {
    assert.throws(() => readPkcs12(make('wrong.p12', []), 'other'));
  });

  it('names the re-export command for RC2-encrypted (legacy) files', (t) => {
    const r = openssl(['pkcs12', '-export', '-legacy', '-inkey', 'k.pem', '-in', 'c.pem', '-passout', 'pass:pw', '-out', 'legacy.p12'], dir);
    if (r.status !== 0) { t.skip('this openssl cannot write legacy RC2 files'); return; }
    assert.throws(() => readPkcs12(readFileSync(join(dir, 'legacy.p12')), 'pw'), (e) => e instanceof Pkcs12Error && /re-export/.test(e.message));
  });

  it('refuses bytes that are not ASN.1', () => {
    assert.throws(() => readPkcs12(Buffer.from('not a pkcs12 file'), 'pw'));
  });
});
