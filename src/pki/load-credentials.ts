/**
 * Our own key and certificate chain: the IGC Santé "ORG AUTH_CLI" certificate presented in mutual TLS
 * to the DMP and the MSSanté operators (spec digest §A3, §C2), and the "ORG SIGN" certificate that signs
 * the VIHF and XAdES (§C3). Loaded once at start, from PEM files or a PKCS#12 (.p12/.pfx) file.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { RelaisError } from '../domain/index.js';
import { describeKey, isStrongKey, keyStrength } from './key-strength.js';
import { parsePemCertificates } from './pem.js';
import { readPkcs12 } from './pkcs12-read.js';

export interface Credentials {
  readonly key: KeyObject;
  /** The certificate of `key`. */
  readonly certificate: X509Certificate;
  /** The intermediates that follow it (IGC Santé "Organisations" CA…), without the root. */
  readonly chain: readonly X509Certificate[];
  /** Unencrypted PKCS#8 PEM of `key`, for the `key` option of tls and for XML signing libraries. */
  readonly keyPem: string;
  /** The certificate then the intermediates, for the `cert` option of tls. */
  readonly certPem: string;
  readonly notAfter: Date;
}

export interface CredentialCheckOptions {
  /** Reference time for the validity check (tests). */
  now?: Date;
}

export interface PemCredentialFiles extends CredentialCheckOptions {
  keyFile: string;
  /** The certificate then its intermediates (may be the key file too). */
  certFile: string;
  passphrase?: string;
}

export interface Pkcs12CredentialFile extends CredentialCheckOptions {
  file: string;
  passphrase: string;
}

function readSource(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new RelaisError('RLS_PKI_UNREADABLE', `cannot read ${file}: ${(e as Error).message}`, { file }, { cause: e });
  }
}

function unreadable(source: string, what: string, e: unknown): RelaisError {
  const reason = (e as { code?: string }).code === 'ERR_MISSING_PASSPHRASE' ? 'the key is encrypted and no passphrase was given'
    : /bad decrypt|mac verify|wrong password|unable to decrypt/i.test((e as Error).message) ? 'wrong passphrase'
      : (e as Error).message;
  return new RelaisError('RLS_PKI_UNREADABLE', `${source}: cannot read the ${what}: ${reason}`, { file: source, reason }, { cause: e });
}

/**
 * Checks a key and its certificate chain and builds Credentials: the key matches the first certificate,
 * the key is strong enough (RSA ≥ 2048, EC ≥ 256, ANSSI/RGS B1) and the certificate is within its dates.
 */
export function checkCredentials(key: KeyObject, certificates: readonly X509Certificate[], source: string, o: CredentialCheckOptions = {}): Credentials {
  const [certificate, ...chain] = certificates;
  if (!certificate) throw new RelaisError('RLS_PKI_UNREADABLE', `${source}: no certificate found`, { file: source, reason: 'no certificate' });
  if (key.type !== 'private') throw new RelaisError('RLS_PKI_UNREADABLE', `${source}: not a private key`, { file: source, reason: 'not a private key' });
  if (!certificate.checkPrivateKey(key)) {
    throw new RelaisError('RLS_PKI_KEY_MISMATCH', `${source}: the private key does not belong to the certificate ${certificate.subject.replace(/\n/g, ', ')}`,
      { file: source, subject: certificate.subject, serial: certificate.serialNumber });
  }
  const strength = keyStrength(key);
  if (!isStrongKey(strength)) {
    throw new RelaisError('RLS_PKI_WEAK_KEY', `${source}: the key is too small (${describeKey(strength)}; RSA needs 2048 bits, EC 256)`,
      { file: source, keyType: strength.type, bits: strength.bits });
  }
  const now = o.now ?? new Date();
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (now < notBefore || now > notAfter) {
    const state = now > notAfter ? 'expired on' : 'not valid before';
    throw new RelaisError('RLS_PKI_EXPIRED', `${source}: the certificate ${state} ${(now > notAfter ? notAfter : notBefore).toISOString()}`,
      { file: source, serial: certificate.serialNumber, notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString() });
  }
  return Object.freeze({
    key,
    certificate,
    chain: Object.freeze([...chain]),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPem: certificates.map((c) => c.toString()).join(''),
    notAfter,
  });
}

/** Key and chain from PEM text (key PKCS#1, PKCS#8 or SEC1, encrypted or not). `source` names it in errors. */
export function credentialsFromPem(keyPem: string | Buffer, certPem: string | Buffer, o: CredentialCheckOptions & { passphrase?: string; source?: string } = {}): Credentials {
  const source = o.source ?? 'PEM';
  let key: KeyObject;
  try {
    key = createPrivateKey(o.passphrase === undefined ? { key: keyPem } : { key: keyPem, passphrase: o.passphrase });
  } catch (e) {
    throw unreadable(source, 'private key', e);
  }
  let certificates: X509Certificate[];
  try {
    certificates = parsePemCertificates(certPem);
  } catch (e) {
    throw unreadable(source, 'certificate', e);
  }
  return checkCredentials(key, certificates, source, o);
}

export function loadPemCredentials(o: PemCredentialFiles): Credentials {
  const keyPem = readSource(o.keyFile);
  const certPem = o.certFile === o.keyFile ? keyPem : readSource(o.certFile);
  return credentialsFromPem(keyPem, certPem, { ...o, source: o.certFile === o.keyFile ? o.certFile : `${o.certFile} + ${o.keyFile}` });
}

/**
 * Key and chain from PKCS#12 bytes. OpenSSL checks the MAC and passphrase first, as a TLS handshake would;
 * then the bags are read. The leaf is the certificate that matches the key; the others follow as its chain.
 */
export function credentialsFromPkcs12(pfx: Buffer, passphrase: string, o: CredentialCheckOptions & { source?: string } = {}): Credentials {
  const source = o.source ?? 'PKCS#12';
  try {
    createSecureContext({ pfx, passphrase });
  } catch (e) {
    throw unreadable(source, 'PKCS#12 file', e);
  }
  let contents;
  try {
    contents = readPkcs12(pfx, passphrase);
  } catch (e) {
    throw unreadable(source, 'PKCS#12 file', e);
  }
  const key = contents.keys[0];
  if (!key || contents.keys.length > 1) {
    throw new RelaisError('RLS_PKI_UNREADABLE', `${source}: expected one private key, found ${contents.keys.length}`, { file: source, reason: 'key count' });
  }
  const leaf = contents.certificates.find((c) => c.checkPrivateKey(key));
  const ordered = leaf ? [leaf, ...orderChain(leaf, contents.certificates.filter((c) => c !== leaf))] : contents.certificates;
  return checkCredentials(key, ordered, source, o);
}

/** Issuer after subject, from the leaf up; self-signed roots are left out (the peer has them). */
function orderChain(leaf: X509Certificate, others: X509Certificate[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  let current = leaf;
  for (;;) {
    const issuer = others.find((c) => !out.includes(c) && current.checkIssued(c) && c.subject !== c.issuer);
    if (!issuer) return out;
    out.push(issuer);
    current = issuer;
  }
}

export function loadPkcs12Credentials(o: Pkcs12CredentialFile): Credentials {
  return credentialsFromPkcs12(readSource(o.file), o.passphrase, { ...o, source: o.file });
}

/** One entry point for configuration: PEM files or a PKCS#12 file. */
export type CredentialSource = ({ format: 'pem' } & PemCredentialFiles) | ({ format: 'pkcs12' } & Pkcs12CredentialFile);

export function loadCredentials(source: CredentialSource): Credentials {
  return source.format === 'pkcs12' ? loadPkcs12Credentials(source) : loadPemCredentials(source);
}
