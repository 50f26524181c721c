/** Test support for pki/ tests (excluded from the build): openssl presence and odd certificates. */
import { spawnSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import * as px from '@peculiar/x509';

export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
}

export function openssl(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

export interface OddCertificate { certPem: string; keyPem: string }

/** A certificate with a chosen RSA size and hash, self-signed or signed by `issuer`. */
export async function oddCertificate(o: { bits: number; hash?: string; cn: string; ca?: boolean;
  issuer?: { certPem: string; keyPem: string } }): Promise<OddCertificate> {
  const c = webcrypto;
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: o.hash ?? 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: o.bits };
  const keys = await c.subtle.generateKey(alg, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const extensions = o.ca ? [new px.BasicConstraintsExtension(true, undefined, true), new px.KeyUsagesExtension(px.KeyUsageFlags.keyCertSign, true)] : [];
  const now = Date.now();
  let cert: px.X509Certificate;
  if (o.issuer) {
    const issuerCert = new px.X509Certificate(o.issuer.certPem);
    const issuerKey = await c.subtle.importKey('pkcs8', px.PemConverter.decodeFirst(o.issuer.keyPem), alg, false, ['sign']);
    cert = await px.X509CertificateGenerator.create({
      subject: `CN=${o.cn}`, issuer: issuerCert.subjectName, notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 86_400_000),
      signingAlgorithm: alg, publicKey: keys.publicKey, signingKey: issuerKey, extensions,
    }, c);
  } else {
    cert = await px.X509CertificateGenerator.createSelfSigned({
      name: `CN=${o.cn}`, notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 86_400_000), signingAlgorithm: alg, keys, extensions,
    }, c);
  }
  const keyPem = px.PemConverter.encode(await c.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { certPem: `${cert.toString('pem')}\n`, keyPem: `${keyPem}\n` };
}
