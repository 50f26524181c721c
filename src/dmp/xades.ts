import { createHash, type X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { Element } from '@xmldom/xmldom';
import { RelaisError } from '../domain/index.js';
import type { Credentials } from '../pki/index.js';
import { escapeAttr, escapeText, isOid } from '../xds/index.js';
import { attr, childElements, descendants, firstChild, parseXml, text } from './parse-xml.js';
import { rfc2253Name, x509KeyInfo, XMLDSIG, type SignatureHash } from './vihf.js';

/**
 * The XAdES signature document of a DMP submission (digest §C4 item 5): an IHE DSG-style ds:Signature whose
 * ds:Manifest names each document by `urn:oid:<uniqueId>` with the digest of its bytes, plus the SubmissionSet,
 * with the old XAdES 1.1.1 QualifyingProperties, signed with the ORG SIGN certificate. The structure copies the
 * two ANS samples (S4, S9), which the DMP test platform accepts: inclusive C14N with comments, RSA-SHA1 and SHA-1
 * digests by default; each algorithm is configurable for when SHA-256 is confirmed (open question G4).
 */

export const XADES_NS = 'http://uri.etsi.org/01903/v1.1.1#';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const MANIFEST_TYPE = 'http://www.w3.org/2000/09/xmldsig#Manifest';
const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903/v1.1.1#SignedProperties';
/** ASTM E1762 "Source" signature purpose, as the ANS samples send it. */
const PURPOSE_SOURCE = '1.2.840.10065.1.12.1.14';
/** Both ANS samples put this dummy digest on the SubmissionSet reference: it names the set, it cannot hash it. */
const SUBMISSION_SET_DIGEST = 'AA==';

export interface XadesDocument {
  /** The DocumentEntry uniqueId (a bare OID). */
  uniqueId: string;
  /** The exact bytes submitted. */
  content: Buffer;
}

export interface XadesOptions {
  documents: readonly XadesDocument[];
  /** The SubmissionSet uniqueId (buildSubmission's `submissionSetUniqueId`, chosen first). */
  submissionSetUniqueId: string;
  /** The signature document's uniqueId: its ds:Signature/@Id, as in S4. */
  signatureUniqueId: string;
  /** ORG SIGN credentials. */
  signer: Credentials;
  /** SignatureMethod hash; default sha1 (the samples). */
  signatureHash?: SignatureHash;
  /** Digest of the documents, the manifest, the signed properties and the certificate; default sha1 (the samples). */
  digestHash?: SignatureHash;
  /** SignedInfo canonicalization; default inclusive C14N with comments (the samples). */
  canonicalization?: 'c14n-with-comments' | 'c14n' | 'exc-c14n';
  /** SigningTime; default now. */
  now?: Date;
}

function canonicalizationUri(c: XadesOptions['canonicalization']): string {
  if (c === 'c14n') return XMLDSIG.c14n;
  if (c === 'exc-c14n') return XMLDSIG.excC14n;
  return XMLDSIG.c14nWithComments;
}

function digestUri(h: SignatureHash): string {
  return h === 'sha256' ? XMLDSIG.sha256 : XMLDSIG.sha1;
}

function checkOid(what: string, oid: string): void {
  if (!isOid(oid)) throw new RelaisError('RLS_XDS_UNIQUE_ID', `the ${what} uniqueId is not an OID`, { uniqueId: oid });
}

function manifestReference(uri: string, digestAlgorithm: string, digest: string): string {
  return `<ds:Reference URI="${escapeAttr(uri)}"><ds:DigestMethod Algorithm="${digestAlgorithm}"/>`
    + `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
}

function serialDecimal(c: X509Certificate): string {
  return BigInt(`0x${c.serialNumber}`).toString(10);
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Builds and signs the XAdES signature document; returns its exact bytes (UTF-8, with an XML declaration). */
export function buildXadesSignature(o: XadesOptions): Buffer {
  if (o.documents.length === 0) throw new RelaisError('RLS_XDS_MISSING_METADATA', 'a signature needs at least one document', { field: 'documents' });
  for (const d of o.documents) checkOid('document', d.uniqueId);
  checkOid('SubmissionSet', o.submissionSetUniqueId);
  checkOid('signature', o.signatureUniqueId);
  const digestHash = o.digestHash ?? 'sha1';
  const digestAlgorithm = digestUri(digestHash);
  const sigId = o.signatureUniqueId;
  const cert = o.signer.certificate;
  const manifest = `<ds:Manifest Id="IHEManifest">${o.documents.map((d) => manifestReference(
    `urn:oid:${d.uniqueId}`, digestAlgorithm, createHash(digestHash).update(d.content).digest('base64'))).join('')}`
    + `${manifestReference(`urn:oid:${o.submissionSetUniqueId}`, digestAlgorithm, SUBMISSION_SET_DIGEST)}</ds:Manifest>`;
  const properties = '<ds:SignatureProperties>'
    + `<ds:SignatureProperty Id="purposeOfSignature" Target="#${escapeAttr(sigId)}">${PURPOSE_SOURCE}</ds:SignatureProperty>`
    + '</ds:SignatureProperties>';
  const qualifying = `<xades:QualifyingProperties xmlns:xades="${XADES_NS}" Target="#${escapeAttr(sigId)}">`
    + '<xades:SignedProperties Id="SignedProperties"><xades:SignedSignatureProperties>'
    + `<xades:SigningTime>${iso(o.now ?? new Date())}</xades:SigningTime>`
    + '<xades:SigningCertificate><xades:Cert><xades:CertDigest>'
    + `<ds:DigestMethod Algorithm="${digestAlgorithm}"/><ds:DigestValue>${createHash(digestHash).update(cert.raw).digest('base64')}</ds:DigestValue>`
    + '</xades:CertDigest><xades:IssuerSerial>'
    + `<ds:X509IssuerName>${escapeText(rfc2253Name({ subject: cert.issuer } as X509Certificate))}</ds:X509IssuerName>`
    + `<ds:X509SerialNumber>${serialDecimal(cert)}</ds:X509SerialNumber>`
    + '</xades:IssuerSerial></xades:Cert></xades:SigningCertificate>'
    + '<xades:SignaturePolicyIdentifier><xades:SignaturePolicyImplied/></xades:SignaturePolicyIdentifier>'
    + '</xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties>';

  const sig = new SignedXml({
    privateKey: o.signer.keyPem,
    signatureAlgorithm: o.signatureHash === 'sha256' ? XMLDSIG.rsaSha256 : XMLDSIG.rsaSha1,
    canonicalizationAlgorithm: canonicalizationUri(o.canonicalization),
    getKeyInfoContent: () => x509KeyInfo(cert),
    objects: [{ content: manifest }, { content: properties }, { content: qualifying }],
  });
  // Both targets live inside the signature's own ds:Object elements (xml-crypto finds them there).
  sig.addReference({ xpath: "//*[@Id='IHEManifest']", transforms: [XMLDSIG.c14n], digestAlgorithm, type: MANIFEST_TYPE });
  sig.addReference({ xpath: "//*[local-name(.)='SignedProperties']", transforms: [XMLDSIG.c14n], digestAlgorithm, type: SIGNED_PROPERTIES_TYPE });
  // xml-crypto places a signature inside a document: an empty carrier, from which the signature is taken alone. Its
  // in-scope namespaces inside the carrier are those it has alone, so the inclusive C14N digests are the same.
  sig.computeSignature('<Carrier/>', { prefix: 'ds', attrs: { Id: sigId } });
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${sig.getSignatureXml()}`, 'utf8');
}

export interface XadesManifestEntry {
  uri: string;
  digestAlgorithm: string;
  digest: string;
}

export interface VerifiedXades {
  signatureId: string;
  manifest: XadesManifestEntry[];
}

function invalid(reason: string, cause?: unknown): RelaisError {
  return new RelaisError('RLS_DMP_MALFORMED', undefined, { reason }, cause === undefined ? undefined : { cause });
}

/**
 * Checks a XAdES signature document (sandbox, tests): the signature verifies with `trustedCertPem`, it covers the
 * IHE manifest and the signed properties, and each given document's digest matches its manifest reference.
 */
export function verifyXadesSignature(xml: Buffer | string, trustedCertPem: string, documents: readonly XadesDocument[] = []): VerifiedXades {
  const source = typeof xml === 'string' ? xml : xml.toString('utf8');
  const root = parseXml(source).documentElement;
  if (root === null || root.namespaceURI !== DS_NS || root.localName !== 'Signature') throw invalid('the document is not a ds:Signature');
  const verifier = new SignedXml({ publicCert: trustedCertPem });
  try {
    verifier.loadSignature(root.toString());
    if (!verifier.checkSignature(source)) throw invalid('a reference digest does not match');
  } catch (e) {
    throw e instanceof RelaisError ? e : invalid('the XAdES signature does not verify', e);
  }
  const signedInfo = firstChild(root, DS_NS, 'SignedInfo') as Element;
  const types = childElements(signedInfo, DS_NS, 'Reference').map((r) => attr(r, 'Type'));
  if (!types.includes(MANIFEST_TYPE) || !types.includes(SIGNED_PROPERTIES_TYPE)) throw invalid('the signature does not cover the manifest and the signed properties');
  // Read the manifest from what was verified, not from the original tree.
  const signedManifest = verifier.getSignedReferences().map((r) => parseXml(r).documentElement)
    .find((e) => e !== null && e.localName === 'Manifest' && attr(e, 'Id') === 'IHEManifest');
  if (signedManifest === undefined || signedManifest === null) throw invalid('the IHE manifest is not signed');
  const manifest = descendants(signedManifest, DS_NS, 'Reference').map((r) => ({
    uri: attr(r, 'URI') ?? '',
    digestAlgorithm: attr(firstChild(r, DS_NS, 'DigestMethod') ?? r, 'Algorithm') ?? '',
    digest: text(firstChild(r, DS_NS, 'DigestValue')) ?? '',
  }));
  for (const d of documents) {
    const entry = manifest.find((m) => m.uri === `urn:oid:${d.uniqueId}`);
    const hash = entry?.digestAlgorithm === XMLDSIG.sha256 ? 'sha256' : 'sha1';
    if (entry === undefined || createHash(hash).update(d.content).digest('base64') !== entry.digest) {
      throw invalid('a document digest does not match the manifest');
    }
  }
  return { signatureId: attr(root, 'Id') ?? '', manifest };
}
