/**
 * Reads the private key and certificates out of a PKCS#12 file (RFC 7292), with Node's crypto only.
 * The MAC and passphrase are checked by OpenSSL first (tls.createSecureContext); this walk then
 * decrypts the bags. Supported: PBES2 (PBKDF2 + AES-CBC or 3DES, OpenSSL 3 default) and
 * pbeWithSHAAnd3-KeyTripleDES-CBC (older tools). RC2 (the "legacy" OpenSSL 1.x default for certificates)
 * is not in Node 20's OpenSSL default provider: such a file must be re-exported (see the error text).
 */
import { createDecipheriv, createHash, createPrivateKey, pbkdf2Sync, X509Certificate, type KeyObject } from 'node:crypto';
import { child, integer, octets, oid, readDer, type DerNode } from './der-read.js';

export interface Pkcs12Contents { keys: KeyObject[]; certificates: X509Certificate[] }

export class Pkcs12Error extends Error {
  override readonly name = 'Pkcs12Error';
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeSha3Des: '1.2.840.113549.1.12.1.3',
  pbeSha2Des: '1.2.840.113549.1.12.1.4',
  pbeShaRc2_128: '1.2.840.113549.1.12.1.5',
  pbeShaRc2_40: '1.2.840.113549.1.12.1.6',
} as const;

const prfHashes: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.7': 'sha1', '1.2.840.113549.2.9': 'sha256', '1.2.840.113549.2.10': 'sha384', '1.2.840.113549.2.11': 'sha512',
};
const pbes2Ciphers: Readonly<Record<string, { name: string; keyLength: number }>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};

/** RFC 7292 appendix B.2 key derivation with SHA-1 (u = 20, v = 64); id 1 = key, 2 = IV. */
function pkcs12Kdf(password: Buffer, salt: Buffer, iterations: number, id: number, size: number): Buffer {
  const u = 20;
  const v = 64;
  const fill = (b: Buffer): Buffer => {
    if (b.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(b.length / v));
    for (let i = 0; i < out.length; i++) out[i] = b[i % b.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < size; produced += u) {
    let A = createHash('sha1').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha1').update(A).digest();
    out.push(A);
    const B = fill(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, size);
}

/** PKCS#12 PBE passwords are BMPString (UTF-16BE) with a terminating NUL pair (RFC 7292 B.1). */
function bmpPassword(passphrase: string): Buffer {
  const le = Buffer.from(passphrase + '\0', 'utf16le');
  return le.swap16();
}

function decrypt(algorithm: DerNode, data: Buffer, passphrase: string): Buffer {
  const algOid = oid(child(algorithm, 0));
  const params = child(algorithm, 1);
  if (algOid === OID.pbes2) {
    const kdf = child(params, 0);
    if (oid(child(kdf, 0)) !== OID.pbkdf2) throw new Pkcs12Error('unsupported PBES2 key derivation');
    const kdfParams = child(kdf, 1);
    const salt = octets(child(kdfParams, 0, 0x04));
    const iterations = integer(child(kdfParams, 1, 0x02));
    const prfNode = kdfParams.children.find((c) => c.tag === 0x30);
    const hash = prfNode ? prfHashes[oid(child(prfNode, 0))] : 'sha1';
    const scheme = child(params, 1);
    const cipher = pbes2Ciphers[oid(child(scheme, 0))];
    if (!hash || !cipher) throw new Pkcs12Error('unsupported PBES2 cipher or PRF');
    const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, cipher.keyLength, hash);
    const d = createDecipheriv(cipher.name, key, octets(child(scheme, 1, 0x04)));
    return Buffer.concat([d.update(data), d.final()]);
  }
  if (algOid === OID.pbeSha3Des) {
    const salt = octets(child(params, 0, 0x04));
    const iterations = integer(child(params, 1, 0x02));
    const pw = bmpPassword(passphrase);
    const d = createDecipheriv('des-ede3-cbc', pkcs12Kdf(pw, salt, iterations, 1, 24), pkcs12Kdf(pw, salt, iterations, 2, 8));
    return Buffer.concat([d.update(data), d.final()]);
  }
  if (algOid === OID.pbeShaRc2_40 || algOid === OID.pbeShaRc2_128 || algOid === OID.pbeSha2Des) {
    throw new Pkcs12Error('legacy RC2/2DES encryption, not available in Node 20; re-export it: '
      + 'openssl pkcs12 -legacy -in old.p12 -nodes | openssl pkcs12 -export -out new.p12');
  }
  throw new Pkcs12Error(`unsupported PKCS#12 encryption ${algOid}`);
}

function readBags(safeContents: DerNode, passphrase: string, out: Pkcs12Contents): void {
  for (const bag of safeContents.children) {
    const bagId = oid(child(bag, 0));
    const value = child(child(bag, 1, 0xa0), 0);
    if (bagId === OID.shroudedKeyBag) {
      out.keys.push(createPrivateKey({ key: value.encoded, format: 'der', type: 'pkcs8', passphrase }));
    } else if (bagId === OID.keyBag) {
      out.keys.push(createPrivateKey({ key: value.encoded, format: 'der', type: 'pkcs8' }));
    } else if (bagId === OID.certBag) {
      if (oid(child(value, 0)) !== OID.x509Certificate) continue; // SDSI certificates: not used by IGC Santé
      out.certificates.push(new X509Certificate(octets(child(child(value, 1, 0xa0), 0))));
    }
    // CRL and secret bags carry nothing Relais needs.
  }
}

/** Extracts keys and certificates; throws Pkcs12Error (or a crypto error on a wrong passphrase). */
export function readPkcs12(pfx: Buffer, passphrase: string): Pkcs12Contents {
  const root = readDer(pfx);
  const authSafe = child(root, 1, 0x30);
  if (oid(child(authSafe, 0)) !== OID.data) throw new Pkcs12Error('public-key integrity mode is not supported');
  const safes = readDer(octets(child(child(authSafe, 1, 0xa0), 0)));
  const out: Pkcs12Contents = { keys: [], certificates: [] };
  for (const info of safes.children) {
    const type = oid(child(info, 0));
    const content = child(child(info, 1, 0xa0), 0);
    if (type === OID.data) {
      readBags(readDer(octets(content)), passphrase, out);
    } else if (type === OID.encryptedData) {
      const encryptedContentInfo = child(content, 1, 0x30);
      const algorithm = child(encryptedContentInfo, 1, 0x30);
      const encrypted = encryptedContentInfo.children[2];
      if (!encrypted) continue;
      readBags(readDer(decrypt(algorithm, octets(encrypted), passphrase)), passphrase, out);
    } else {
      throw new Pkcs12Error(`unsupported PKCS#12 content type ${type}`);
    }
  }
  return out;
}
