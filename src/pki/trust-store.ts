/**
 * One trust store per peer (the DMP, each MSSanté operator, the DPI): the anchors and intermediates we
 * accept for it, and a chain check that says why it refuses. MSSanté CONF.27 (spec digest §A2): accept only
 * an IGC Santé "Élémentaire Organisations" server certificate, so the store holds that CA and its root,
 * never the system bundle. Revocation (CRL) is a separate step.
 */
import { readFileSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import { RelaisError } from '../domain/index.js';
import { certificateUsage, extendedKeyUsages } from './certificate-usage.js';
import { describeKey, isStrongKey, keyStrength } from './key-strength.js';
import { parsePemCertificates } from './pem.js';

/** server: a TLS server we connect to; client: a TLS client (ORG AUTH_CLI); signing: ORG SIGN (VIHF, XAdES). */
export type CertificatePurpose = 'server' | 'client' | 'signing';

export const chainFailures = ['no_certificate', 'expired', 'not_yet_valid', 'unknown_issuer', 'bad_signature', 'not_a_ca',
  'wrong_key_usage', 'wrong_extended_key_usage', 'weak_key', 'weak_signature', 'too_long'] as const;
export type ChainFailure = (typeof chainFailures)[number];

export type ChainVerdict =
  | { ok: true; chain: readonly X509Certificate[]; anchor: X509Certificate }
  | { ok: false; reason: ChainFailure; message: string; subject: string | undefined };

export interface VerifyChainOptions {
  purpose?: CertificatePurpose;
  now?: Date;
}

const maxChainLength = 8;
// ANSSI guide / RGS B1: no SHA-1 (nor MD5) in signatures.
const weakHashes = new Set(['SHA-1', 'MD5', 'MD2']);

const oneLine = (dn: string): string => dn.split('\n').join(', ');

function fail(reason: ChainFailure, message: string, cert?: X509Certificate): ChainVerdict {
  return { ok: false, reason, message, subject: cert ? oneLine(cert.subject) : undefined };
}

function isSelfSigned(c: X509Certificate): boolean {
  return c.subject === c.issuer && c.verify(c.publicKey);
}

/** Dates, key size and signature hash: asked of every certificate in the path, anchors included. */
function checkCertificate(cert: X509Certificate, now: Date, isAnchor: boolean): ChainVerdict | undefined {
  const u = certificateUsage(cert);
  if (now > u.notAfter) return fail('expired', `certificate ${oneLine(cert.subject)} expired on ${u.notAfter.toISOString()}`, cert);
  if (now < u.notBefore) return fail('not_yet_valid', `certificate ${oneLine(cert.subject)} is not valid before ${u.notBefore.toISOString()}`, cert);
  const s = keyStrength(cert.publicKey);
  if (!isStrongKey(s)) return fail('weak_key', `certificate ${oneLine(cert.subject)} has a weak key (${describeKey(s)})`, cert);
  // An anchor's self-signature proves nothing, so its hash does not matter.
  if (!isAnchor && u.signatureHash && weakHashes.has(u.signatureHash)) {
    return fail('weak_signature', `certificate ${oneLine(cert.subject)} is signed with ${u.signatureHash}`, cert);
  }
  return undefined;
}

function checkIssuerRole(cert: X509Certificate): ChainVerdict | undefined {
  if (!cert.ca) return fail('not_a_ca', `certificate ${oneLine(cert.subject)} signs others but is not a CA`, cert);
  const ku = certificateUsage(cert).keyUsage;
  if (ku && !ku.has('keyCertSign')) return fail('wrong_key_usage', `CA ${oneLine(cert.subject)} lacks keyCertSign`, cert);
  return undefined;
}

/** RFC 5280: an absent extension does not restrict; a present one must allow the purpose. */
function checkPurpose(leaf: X509Certificate, purpose: CertificatePurpose): ChainVerdict | undefined {
  const { keyUsage, extendedKeyUsage } = certificateUsage(leaf);
  const needKu = purpose === 'signing' ? ['nonRepudiation', 'digitalSignature'] : ['digitalSignature', 'keyEncipherment'];
  if (keyUsage && !needKu.some((k) => keyUsage.has(k as never))) {
    return fail('wrong_key_usage', `certificate ${oneLine(leaf.subject)} key usage allows none of ${needKu.join(', ')}`, leaf);
  }
  if (purpose !== 'signing' && extendedKeyUsage) {
    const want = purpose === 'server' ? extendedKeyUsages.serverAuth : extendedKeyUsages.clientAuth;
    if (!extendedKeyUsage.includes(want) && !extendedKeyUsage.includes(extendedKeyUsages.any)) {
      return fail('wrong_extended_key_usage', `certificate ${oneLine(leaf.subject)} is not for ${purpose === 'server' ? 'serverAuth' : 'clientAuth'}`, leaf);
    }
  }
  return undefined;
}

export class TrustStore {
  readonly name: string;
  readonly anchors: readonly X509Certificate[];
  readonly intermediates: readonly X509Certificate[];

  /** `name` says which peer it is for (dmp, dpi, mss:<operator>); the bundle holds anchors and intermediates. */
  constructor(name: string, certificates: readonly X509Certificate[]) {
    this.name = name;
    this.anchors = Object.freeze(certificates.filter(isSelfSigned));
    this.intermediates = Object.freeze(certificates.filter((c) => !this.anchors.includes(c)));
    if (this.anchors.length === 0) {
      throw new RelaisError('RLS_PKI_UNREADABLE', `trust store ${name}: no self-signed root certificate in the bundle`, { trustStore: name, reason: 'no anchor' });
    }
  }

  /** PEM of every certificate, for the `ca` option of tls (OpenSSL still needs the path to end at a root). */
  get caPem(): string[] {
    return [...this.anchors, ...this.intermediates].map((c) => c.toString());
  }

  /**
   * Builds a path from `leaf` to one of our anchors, using our intermediates and those the peer sent,
   * and checks every certificate on it. Returns the first reason found, leaf first.
   */
  verifyChain(leaf: X509Certificate | undefined, intermediates: readonly X509Certificate[] = [], o: VerifyChainOptions = {}): ChainVerdict {
    if (!leaf) return fail('no_certificate', 'the peer presented no certificate');
    const now = o.now ?? new Date();
    if (o.purpose) {
      const bad = checkPurpose(leaf, o.purpose);
      if (bad) return bad;
    }
    const pool = [...intermediates, ...this.intermediates];
    const chain: X509Certificate[] = [leaf];
    let current = leaf;
    for (;;) {
      const bad = checkCertificate(current, now, false);
      if (bad) return bad;
      const anchor = this.anchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
      if (anchor) {
        if (!anchor.raw.equals(current.raw)) {
          const badAnchor = checkCertificate(anchor, now, true) ?? checkIssuerRole(anchor);
          if (badAnchor) return badAnchor;
        }
        return { ok: true, chain, anchor };
      }
      const named = [...pool, ...this.anchors].filter((c) => !chain.includes(c) && current.checkIssued(c));
      const issuer = named.find((c) => pool.includes(c) && current.verify(c.publicKey));
      if (!issuer) {
        return named.length > 0
          ? fail('bad_signature', `the signature of ${oneLine(current.subject)} does not verify with its issuer's key`, current)
          : fail('unknown_issuer', `no trusted issuer ${oneLine(current.issuer)} for ${oneLine(current.subject)} in trust store ${this.name}`, current);
      }
      const badRole = checkIssuerRole(issuer);
      if (badRole) return badRole;
      chain.push(issuer);
      if (chain.length > maxChainLength) return fail('too_long', `certificate chain longer than ${maxChainLength}`, current);
      current = issuer;
    }
  }

  /** verifyChain that throws RLS_PKI_UNTRUSTED, for callers that drop the connection on failure. */
  assertTrusted(leaf: X509Certificate | undefined, intermediates: readonly X509Certificate[] = [], o: VerifyChainOptions = {}): readonly X509Certificate[] {
    const v = this.verifyChain(leaf, intermediates, o);
    if (v.ok) return v.chain;
    throw new RelaisError('RLS_PKI_UNTRUSTED', `trust store ${this.name}: ${v.message}`, { trustStore: this.name, reason: v.reason, subject: v.subject });
  }
}

export function createTrustStore(name: string, pemBundle: string | Buffer): TrustStore {
  let certificates: X509Certificate[];
  try {
    certificates = parsePemCertificates(pemBundle);
  } catch (e) {
    throw new RelaisError('RLS_PKI_UNREADABLE', `trust store ${name}: ${(e as Error).message}`, { trustStore: name, reason: 'bad certificate' }, { cause: e });
  }
  return new TrustStore(name, certificates);
}

export function loadTrustStore(name: string, file: string): TrustStore {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    throw new RelaisError('RLS_PKI_UNREADABLE', `trust store ${name}: cannot read ${file}: ${(e as Error).message}`, { trustStore: name, file }, { cause: e });
  }
  return createTrustStore(name, pem);
}

/** One store per peer, from a map of peer name → PEM bundle file. */
export function loadTrustStores(files: Readonly<Record<string, string>>): ReadonlyMap<string, TrustStore> {
  return new Map(Object.entries(files).map(([name, file]) => [name, loadTrustStore(name, file)]));
}
