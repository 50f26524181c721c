/**
 * A TEST PKI shaped like IGC Santé (spec digest §A2, §A3, §C2, §C3): a root, an "Organisations"
 * intermediate, the ORG AUTH_CLI certificate (mutual TLS to the DMP and the MSSanté operators), the ORG SIGN
 * certificate (VIHF, XAdES) and a server certificate for the sandboxes and Relais itself. Every name says
 * TEST; none of it is trusted anywhere but in a test or a demonstration.
 */
import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';
import * as px from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const day = 86_400_000;

export const testChainFiles = ['root-ca.pem', 'org-ca.pem', 'auth-cli.pem', 'auth-cli.key', 'sign.pem', 'sign.key', 'server.pem', 'server.key'] as const;
export type TestChainFile = (typeof testChainFiles)[number];

export interface TestEstablishment {
  /** O of the ORG certificates. */
  name: string;
  /** OU: the FINESS of the establishment. */
  finess: string;
  /** CN: the service holding the certificates. */
  service: string;
}

export const defaultTestEstablishment: TestEstablishment = { name: 'CH TEST RELAIS', finess: '990000000', service: 'PFI RELAIS TEST' };

export interface TestChainOptions {
  /** Extra DNS names or IP addresses for the server certificate (localhost and 127.0.0.1 are always in). */
  serverNames?: readonly string[];
  caValidityDays?: number;
  leafValidityDays?: number;
  /** Make every leaf already expired (valid from 2 days ago to 1 day ago), for tests of the refusal. */
  expiredLeaves?: boolean;
  establishment?: TestEstablishment;
  /**
   * Keys are generated once per process and per key set, and reused: RSA 2048 generation costs tens of
   * milliseconds each. A different key set gives an unrelated PKI (for "unknown issuer" tests).
   */
  keySet?: string;
  /** Generate new keys instead of the per-process ones (what `relais pki test-init` does). */
  freshKeys?: boolean;
  now?: Date;
  /**
   * Base URL of the CRL distribution points written into the certificates: `<base>/root.crl` in the
   * Organisations CA, `<base>/org.crl` in the leaves (what a CrlCache downloads).
   */
  crlBaseUrl?: string;
}

export interface TestCrlOptions {
  /** The CA that signs the CRL: the root (its ARL) or the Organisations CA. */
  issuer: 'root' | 'org';
  /** Hexadecimal serial numbers of the revoked certificates. */
  revoked?: readonly string[];
  thisUpdate?: Date;
  /** Default: thisUpdate + 7 days. */
  nextUpdate?: Date;
}

export interface TestCredential {
  /** The leaf certificate alone. */
  certPem: string;
  /** PKCS#8, unencrypted. */
  keyPem: string;
  /** The leaf then the Organisations CA, as TLS and the `*.pem` files carry it. */
  chainPem: string;
}

export interface TestChain {
  rootCaPem: string;
  orgCaPem: string;
  /** Root then Organisations CA: a trust store bundle. */
  trustBundlePem: string;
  authCli: TestCredential;
  sign: TestCredential;
  server: TestCredential;
  /** The content of each output file. */
  files: Readonly<Record<TestChainFile, string>>;
  /** A PEM CRL signed by the root or the Organisations CA. */
  issueCrl(o: TestCrlOptions): Promise<string>;
}

type Role = 'root' | 'org' | 'authCli' | 'sign' | 'server';
const keyCache = new Map<string, Promise<CryptoKeyPair>>();

function keyPair(role: Role, o: TestChainOptions): Promise<CryptoKeyPair> {
  const generate = () => crypto.subtle.generateKey(rsa, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
  if (o.freshKeys) return generate();
  const id = `${o.keySet ?? 'default'}/${role}`;
  let p = keyCache.get(id);
  if (!p) {
    p = generate();
    keyCache.set(id, p);
  }
  return p;
}

function serial(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[0] = (b[0]! & 0x7f) | 0x10; // positive, fixed length (RFC 5280 §4.1.2.2)
  return Buffer.from(b).toString('hex');
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  return `${px.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY')}\n`;
}

const pem = (c: px.X509Certificate): string => `${c.toString('pem')}\n`;

/** Builds the whole chain in memory (about 0.1 s with cached keys; first call also generates five RSA keys). */
export async function createTestChain(o: TestChainOptions = {}): Promise<TestChain> {
  const now = o.now ?? new Date();
  const est = o.establishment ?? defaultTestEstablishment;
  const caDays = o.caValidityDays ?? 730;
  const leafDays = o.leafValidityDays ?? 365;
  const [rootKeys, orgKeys, authKeys, signKeys, serverKeys] = await Promise.all([
    keyPair('root', o), keyPair('org', o), keyPair('authCli', o), keyPair('sign', o), keyPair('server', o)]);
  // Backdated a little so that a clock a few minutes behind does not reject a fresh chain.
  const caFrom = new Date(now.getTime() - 7 * day);
  const caTo = new Date(now.getTime() + caDays * day);
  const leafFrom = o.expiredLeaves ? new Date(now.getTime() - 2 * day) : new Date(now.getTime() - 3_600_000);
  const leafTo = o.expiredLeaves ? new Date(now.getTime() - day) : new Date(now.getTime() + leafDays * day);

  const igc = { C: ['FR'], O: ['RELAIS TEST'], OU: ['IGC-SANTE TEST'] };
  const rootName: px.JsonName = [{ C: igc.C }, { O: igc.O }, { OU: igc.OU }, { CN: ['TEST AC RACINE IGC-SANTE ELEMENTAIRE'] }];
  const orgName: px.JsonName = [{ C: igc.C }, { O: igc.O }, { OU: igc.OU }, { CN: ['TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS'] }];
  // IGC Santé ORG certificates: O = the establishment, OU = its FINESS, CN = the service (brief for Relais).
  const orgLeafName = (cn: string): px.JsonName => [{ C: ['FR'] }, { ST: ['TEST'] }, { O: [est.name] }, { OU: [est.finess] }, { CN: [cn] }];

  const caUsage = px.KeyUsageFlags.keyCertSign | px.KeyUsageFlags.cRLSign;
  const crlPoint = (file: string): px.Extension[] => (o.crlBaseUrl ? [new px.CRLDistributionPointsExtension([`${o.crlBaseUrl}/${file}`])] : []);
  const root = await px.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: rootName, notBefore: caFrom, notAfter: caTo, signingAlgorithm: rsa, keys: rootKeys,
    extensions: [
      new px.BasicConstraintsExtension(true, undefined, true),
      new px.KeyUsagesExtension(caUsage, true),
      await px.SubjectKeyIdentifierExtension.create(rootKeys.publicKey, false, crypto),
    ],
  }, crypto);

  const issue = async (subject: px.JsonName, keys: CryptoKeyPair, issuer: px.X509Certificate, issuerKey: CryptoKey,
    from: Date, to: Date, extensions: px.Extension[]): Promise<px.X509Certificate> => px.X509CertificateGenerator.create({
    serialNumber: serial(), subject, issuer: issuer.subjectName, notBefore: from, notAfter: to, signingAlgorithm: rsa,
    publicKey: keys.publicKey, signingKey: issuerKey,
    extensions: [
      ...extensions,
      await px.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      await px.AuthorityKeyIdentifierExtension.create(issuer.publicKey, false, crypto),
    ],
  }, crypto);

  const org = await issue(orgName, orgKeys, root, rootKeys.privateKey, caFrom, caTo, [
    new px.BasicConstraintsExtension(true, 0, true),
    new px.KeyUsagesExtension(caUsage, true),
    ...crlPoint('root.crl'),
  ]);
  const leafCa = new px.BasicConstraintsExtension(false, undefined, true);
  const orgCrlPoint = crlPoint('org.crl');
  const authCli = await issue(orgLeafName(est.service), authKeys, org, orgKeys.privateKey, leafFrom, leafTo, [
    leafCa, ...orgCrlPoint,
    new px.KeyUsagesExtension(px.KeyUsageFlags.digitalSignature | px.KeyUsageFlags.keyEncipherment, true),
    new px.ExtendedKeyUsageExtension([px.ExtendedKeyUsage.clientAuth], false),
  ]);
  const sign = await issue(orgLeafName(est.service), signKeys, org, orgKeys.privateKey, leafFrom, leafTo, [
    leafCa, ...orgCrlPoint,
    new px.KeyUsagesExtension(px.KeyUsageFlags.nonRepudiation | px.KeyUsageFlags.digitalSignature, true),
  ]);
  const names = ['localhost', '127.0.0.1', ...(o.serverNames ?? [])].filter((n, i, all) => n && all.indexOf(n) === i);
  const server = await issue([{ C: ['FR'] }, { O: ['RELAIS TEST'] }, { OU: [est.finess] }, { CN: [names.find((n) => !isIP(n)) ?? 'localhost'] }],
    serverKeys, org, orgKeys.privateKey, leafFrom, leafTo, [
      leafCa, ...orgCrlPoint,
      new px.KeyUsagesExtension(px.KeyUsageFlags.digitalSignature | px.KeyUsageFlags.keyEncipherment, true),
      new px.ExtendedKeyUsageExtension([px.ExtendedKeyUsage.serverAuth], false),
      new px.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? 'ip' as const : 'dns' as const, value: n })), false),
    ]);

  const orgCaPem = pem(org);
  const leaf = async (c: px.X509Certificate, k: CryptoKeyPair): Promise<TestCredential> =>
    ({ certPem: pem(c), keyPem: await pkcs8Pem(k.privateKey), chainPem: pem(c) + orgCaPem });
  const a = await leaf(authCli, authKeys);
  const s = await leaf(sign, signKeys);
  const v = await leaf(server, serverKeys);
  const rootCaPem = pem(root);
  const issueCrl = async (c: TestCrlOptions): Promise<string> => {
    const [issuer, key] = c.issuer === 'root' ? [root, rootKeys.privateKey] : [org, orgKeys.privateKey];
    const thisUpdate = c.thisUpdate ?? new Date(now.getTime() - 3_600_000);
    const crl = await px.X509CrlGenerator.create({
      issuer: issuer.subjectName, thisUpdate, nextUpdate: c.nextUpdate ?? new Date(thisUpdate.getTime() + 7 * day),
      signingAlgorithm: rsa, signingKey: key,
      entries: (c.revoked ?? []).map((serialNumber) => ({ serialNumber, revocationDate: thisUpdate })),
      extensions: [await px.AuthorityKeyIdentifierExtension.create(issuer.publicKey, false, crypto)],
    }, crypto);
    // OpenSSL (Node's `crl` option) reads only the `X509 CRL` PEM label.
    return `${px.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`;
  };
  return {
    issueCrl,
    rootCaPem, orgCaPem, trustBundlePem: rootCaPem + orgCaPem, authCli: a, sign: s, server: v,
    files: {
      'root-ca.pem': rootCaPem, 'org-ca.pem': orgCaPem,
      'auth-cli.pem': a.chainPem, 'auth-cli.key': a.keyPem,
      'sign.pem': s.chainPem, 'sign.key': s.keyPem,
      'server.pem': v.chainPem, 'server.key': v.keyPem,
    },
  };
}
