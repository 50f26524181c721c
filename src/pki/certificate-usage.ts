/**
 * What an X.509 certificate may be used for (RFC 5280 §4.2.1.3 key usage, §4.2.1.12 extended key usage),
 * and the hash of its signature. Read with @peculiar/x509: Node's X509Certificate exposes neither.
 */
import type { X509Certificate } from 'node:crypto';
import * as px from '@peculiar/x509';

export const extendedKeyUsages = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  any: '2.5.29.37.0',
} as const;

export const keyUsageNames = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
export type KeyUsageName = (typeof keyUsageNames)[number];

export interface CertificateUsage {
  /** Key usage bits; undefined when the extension is absent (no restriction). */
  keyUsage: ReadonlySet<KeyUsageName> | undefined;
  /** Extended key usage OIDs; undefined when the extension is absent (no restriction). */
  extendedKeyUsage: readonly string[] | undefined;
  notBefore: Date;
  notAfter: Date;
  /** Hash of the signature algorithm in Web Crypto spelling (SHA-256…), undefined if not recognised. */
  signatureHash: string | undefined;
}

export function certificateUsage(cert: X509Certificate): CertificateUsage {
  const p = new px.X509Certificate(cert.raw);
  const ku = p.getExtension(px.KeyUsagesExtension);
  const eku = p.getExtension(px.ExtendedKeyUsageExtension);
  let signatureHash: string | undefined;
  try {
    const alg = p.signatureAlgorithm as { hash?: { name?: string } };
    signatureHash = alg.hash?.name;
  } catch {
    // An algorithm @peculiar/x509 does not know (EdDSA…): no hash to judge; the signature check itself still runs.
    signatureHash = undefined;
  }
  return {
    keyUsage: ku ? new Set(keyUsageNames.filter((_, i) => (ku.usages & (1 << i)) !== 0)) : undefined,
    extendedKeyUsage: eku ? Array.from(eku.usages, String) : undefined,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    signatureHash,
  };
}
