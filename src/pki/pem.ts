import { X509Certificate } from 'node:crypto';

const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every CERTIFICATE block of a PEM bundle, in file order (other blocks are ignored). */
export function splitPemCertificates(pem: string | Buffer): string[] {
  return [...pem.toString('latin1').matchAll(certificateBlock)].map((m) => `${m[0]}\n`);
}

/** Parses every certificate of a PEM bundle; throws the parser's error on a damaged block. */
export function parsePemCertificates(pem: string | Buffer): X509Certificate[] {
  return splitPemCertificates(pem).map((block) => new X509Certificate(block));
}
