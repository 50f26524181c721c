import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRelaisError } from '../domain/index.js';
import { credentialsFromPem, loadCredentials, loadPemCredentials, loadPkcs12Credentials } from './load-credentials.js';
import { createTestChain, type TestChain } from './igc-test-chain.js';
import { hasOpenssl, oddCertificate, openssl } from './testing.js';

const code = (c: string) => (e: unknown) => isRelaisError(e) && e.code === c;

describe('loading our key and certificate chain', () => {
  let chain: TestChain;
  let dir = '';
  before(async () => {
    chain = await createTestChain();
    dir = mkdtempSync(join(tmpdir(), 'relais-pki-cred-'));
    writeFileSync(join(dir, 'auth-cli.pem'), chain.authCli.chainPem);
    writeFileSync(join(dir, 'auth-cli.key'), chain.authCli.keyPem);
    writeFileSync(join(dir, 'sign.pem'), chain.sign.chainPem);
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('loads a plain PEM key and its chain, leaf first then the Organisations CA', () => {
    const c = loadPemCredentials({ keyFile: join(dir, 'auth-cli.key'), certFile: join(dir, 'auth-cli.pem') });
    assert.match(c.certificate.subject, /OU=990000000/);
    assert.equal(c.chain.length, 1);
    assert.match(c.chain[0]!.subject, /ORGANISATIONS/);
    assert.equal(c.certPem, chain.authCli.chainPem);
    assert.ok(c.notAfter > new Date());
  });

  it('loads one file that holds the key and the chain', () => {
    const both = join(dir, 'both.pem');
    writeFileSync(both, chain.authCli.keyPem + chain.authCli.chainPem);
    const c = loadPemCredentials({ keyFile: both, certFile: both });
    assert.match(c.certificate.subject, /CN=PFI RELAIS TEST/);
  });

  it('loads a PKCS#8 key encrypted with a passphrase', () => {
    const encrypted = createPrivateKey(chain.authCli.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' });
    const c = credentialsFromPem(encrypted, chain.authCli.chainPem, { passphrase: 'secret' });
    assert.ok(c.certificate.checkPrivateKey(c.key));
    assert.match(c.keyPem, /BEGIN PRIVATE KEY/);
  });

  it('loads a traditional PKCS#1 key encrypted with a passphrase', () => {
    const encrypted = createPrivateKey(chain.authCli.keyPem).export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'secret' });
    assert.match(encrypted.toString(), /Proc-Type: 4,ENCRYPTED/);
    const c = credentialsFromPem(encrypted, chain.authCli.chainPem, { passphrase: 'secret' });
    assert.ok(c.certificate.checkPrivateKey(c.key));
  });

  it('refuses an encrypted key with a wrong passphrase or none, as unreadable', () => {
    const encrypted = createPrivateKey(chain.authCli.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' });
    assert.throws(() => credentialsFromPem(encrypted, chain.authCli.chainPem, { passphrase: 'wrong' }),
      (e) => code('RLS_PKI_UNREADABLE')(e) && (e as { details: { reason: string } }).details.reason === 'wrong passphrase');
    assert.throws(() => credentialsFromPem(encrypted, chain.authCli.chainPem), code('RLS_PKI_UNREADABLE'));
  });

  it('refuses a missing file, naming it', () => {
    assert.throws(() => loadPemCredentials({ keyFile: join(dir, 'nope.key'), certFile: join(dir, 'auth-cli.pem') }),
      (e) => code('RLS_PKI_UNREADABLE')(e) && /nope\.key/.test((e as Error).message));
  });

  it('refuses a key that does not belong to the certificate', () => {
    assert.throws(() => loadPemCredentials({ keyFile: join(dir, 'auth-cli.key'), certFile: join(dir, 'sign.pem') }), code('RLS_PKI_KEY_MISMATCH'));
  });

  it('refuses an RSA 1024 key as weak', async () => {
    const weak = await oddCertificate({ bits: 1024, cn: 'weak' });
    assert.throws(() => credentialsFromPem(weak.keyPem, weak.certPem),
      (e) => code('RLS_PKI_WEAK_KEY')(e) && (e as { details: { bits: number } }).details.bits === 1024);
  });

  it('refuses an expired certificate', async () => {
    const expired = await createTestChain({ expiredLeaves: true });
    assert.throws(() => credentialsFromPem(expired.authCli.keyPem, expired.authCli.chainPem), code('RLS_PKI_EXPIRED'));
  });

  it('refuses a certificate that is not valid yet at the given time', () => {
    assert.throws(() => credentialsFromPem(chain.authCli.keyPem, chain.authCli.chainPem, { now: new Date(Date.now() - 30 * 86_400_000) }),
      (e) => code('RLS_PKI_EXPIRED')(e) && /not valid before/.test((e as Error).message));
  });

  describe('PKCS#12', { skip: hasOpenssl() ? false : 'openssl CLI not available to make a PKCS#12 file' }, () => {
    const p12 = (name: string, extra: string[] = []): string => {
      const out = join(dir, name);
      const r = openssl(['pkcs12', '-export', '-inkey', 'auth-cli.key', '-in', 'auth-cli.pem', '-passout', 'pass:s3cret', '-out', out, ...extra], dir);
      assert.equal(r.status, 0, r.output);
      return out;
    };

    it('loads the key and the chain from a PKCS#12 file made by openssl with its defaults (AES, PBKDF2)', () => {
      const c = loadCredentials({ format: 'pkcs12', file: p12('default.p12'), passphrase: 's3cret' });
      assert.match(c.certificate.subject, /CN=PFI RELAIS TEST/);
      assert.equal(c.chain.length, 1);
      assert.equal(c.certPem, chain.authCli.chainPem);
      assert.equal(c.keyPem, createPrivateKey(chain.authCli.keyPem).export({ type: 'pkcs8', format: 'pem' }));
    });

    it('loads a PKCS#12 file encrypted with the older SHA1-3DES scheme', () => {
      const c = loadPkcs12Credentials({ file: p12('3des.p12', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']), passphrase: 's3cret' });
      assert.equal(c.chain.length, 1);
      assert.ok(c.certificate.checkPrivateKey(c.key));
    });

    it('refuses a PKCS#12 file with a wrong passphrase', () => {
      assert.throws(() => loadPkcs12Credentials({ file: p12('wrong.p12'), passphrase: 'nope' }), code('RLS_PKI_UNREADABLE'));
    });

    it('refuses a PKCS#12 file whose bytes are damaged', () => {
      const file = p12('damaged.p12');
      const bytes = readFileSync(file);
      bytes[bytes.length - 40]! ^= 0xff;
      writeFileSync(file, bytes);
      assert.throws(() => loadPkcs12Credentials({ file, passphrase: 's3cret' }), code('RLS_PKI_UNREADABLE'));
    });
  });
});
