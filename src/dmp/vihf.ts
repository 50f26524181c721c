import { randomUUID, X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { Element } from '@xmldom/xmldom';
import { RelaisError } from '../domain/index.js';
import type { Credentials } from '../pki/index.js';
import { escapeAttr, escapeText, isOid } from '../xds/index.js';
import { attr, childElements, descendants, elementChildren, firstChild, parseXml, text } from './parse-xml.js';

/**
 * The VIHF: the SAML 2.0 assertion that authenticates a PFI to the DMP in indirect authentication, "Stratégie 1 –
 * Automate" (digest §C3; volet A §2.5 for where each value comes from), signed with the ORG SIGN certificate.
 */

export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const HL7_NS = 'urn:hl7-org:v3';

export const XMLDSIG = Object.freeze({
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  c14nWithComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
});

export type SignatureHash = 'sha256' | 'sha1';

export function signatureAlgorithms(hash: SignatureHash): { signature: string; digest: string } {
  return hash === 'sha1' ? { signature: XMLDSIG.rsaSha1, digest: XMLDSIG.sha1 } : { signature: XMLDSIG.rsaSha256, digest: XMLDSIG.sha256 };
}

/** The VIHF attribute names (digest §C3 table). */
export const VIHF_ATTRIBUTE = Object.freeze({
  version: 'VIHF_Version',
  authenticationMode: 'Authentification_Mode',
  structureId: 'Identifiant_Structure',
  activitySector: 'Secteur_Activite',
  subjectId: 'urn:oasis:names:tc:xspa:1.0:subject:subject-id',
  role: 'urn:oasis:names:tc:xacml:2.0:subject:role',
  purposeOfUse: 'urn:oasis:names:tc:xspa:1.0:subject:purposeofuse',
  resourceId: 'urn:oasis:names:tc:xacml:2.0:resource:resource-id',
  resourceUrn: 'Ressource_URN',
  confidentialityCode: 'urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code',
  lpsId: 'LPS_ID',
  lpsName: 'LPS_Nom',
  lpsVersion: 'LPS_Version',
  lpsHomologation: 'LPS_ID_HOMOLOGATION_DMP',
});

export interface VihfCode {
  code: string;
  codeSystem: string;
  displayName: string;
}

/** The automaton role (digest §C3: `AUTOMATE`, codeSystem 1.2.250.1.213.1.1.4.6). */
export const AUTOMATON_ROLE: VihfCode = Object.freeze({ code: 'AUTOMATE', codeSystem: '1.2.250.1.213.1.1.4.6', displayName: 'AUTOMATE' });
const PURPOSE_NORMAL: VihfCode = { code: 'normal', codeSystem: '1.2.250.1.213.1.1.4.248', displayName: 'Accès normal' };
// JDV_J64 / TRE_A07: the only value sent, and only for a "connexion secrète" (digest §C3, §C6).
const SECRET_CONNECTION: VihfCode = {
  code: 'INVISIBLE_REPRESENTANTS_LEGAUX', codeSystem: '1.2.250.1.213.1.1.4.13',
  displayName: 'Non visible par les représentants légaux du patient',
};

/** What identifies this PFI instance in every VIHF (configuration; volet A §2.5). */
export interface VihfIdentity {
  /** Subject/NameID: the person responsible for the processing (`3<FINESS>/<local id>` or `8<RPPS>`). */
  nameId: string;
  /** Identifiant_Structure, e.g. `1<FINESS>` (PRT(SB)-8.10). */
  structureId: string;
  /** Secteur_Activite, `SAxx^1.2.250.1.71.4.2.4` (TRE_R02, JDV_J61). */
  activitySector: string;
  /** subject-id: for an automaton, software name, model, service (PRT(SB)-5.2 + 5.3). */
  subjectId: string;
  /** Default AUTOMATE. */
  roles?: readonly VihfCode[];
  /** LPS_Nom, LPS_Version, LPS_ID_HOMOLOGATION_DMP, LPS_ID (optional). */
  lps: { name: string; version: string; homologation: string; id?: string };
  /** VIHF_Version: the digest's table says 4.0, its example 3.0 (§C3, open question G4). Default '3.0'. */
  vihfVersion?: string;
  /** Default `urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified`. */
  authnContextClassRef?: string;
}

export interface VihfOptions extends VihfIdentity {
  /** The patient the request is about: INS matricule and its OID (production `.4.8`/`.4.9`, tests `.4.10`, §I.1). */
  patient: { ins: string; oid: string };
  /** HL7 flag CONNEXION_SECRETE: adds the confidentiality-code attribute. */
  secretConnection?: boolean;
  /** The ORG SIGN credentials (not the AUTH_CLI ones, digest §C2). */
  signer: Credentials;
  /** Default sha256 (RSA-SHA256 + SHA-256 digest); sha1 is the fallback of S4 (§C3). */
  hash?: SignatureHash;
  /** IssueInstant; default now. */
  now?: Date;
  /** AuthnInstant; default `now`. */
  authnInstant?: Date;
  /** When set, Conditions NotBefore = now, NotOnOrAfter = now + this (optional per §C3). */
  validitySeconds?: number;
  /** Assertion ID; default `_` + a UUID. */
  id?: string;
  /** Issuer text; default the RFC 2253 DN of the signer's certificate. */
  issuer?: string;
}

/**
 * The RFC 2253 string of a certificate subject: last RDN first, comma-separated, `ST=` for the state (never `S=`,
 * digest §C3 after S9). Node prints one RDN per line, first RDN first, values already escaped the RFC 2253 way.
 */
export function rfc2253Name(certificate: X509Certificate): string {
  return certificate.subject.split('\n').filter((l) => l !== '').reverse()
    .map((rdn) => rdn.replace(/^S=/, 'ST=')).join(',');
}

/** The VIHF resource-id of an INS: `<matricule>^^^&<OID>&ISO^NH` (digest §C3). */
export function vihfResourceId(patient: { ins: string; oid: string }): string {
  if (!/^[0-9A-Za-z]{1,20}$/.test(patient.ins) || !isOid(patient.oid)) {
    throw new RelaisError('RLS_XDS_PATIENT_ID', 'the VIHF patient is not an INS with an OID');
  }
  return `${patient.ins}^^^&${patient.oid}&ISO^NH`;
}

/** The INS and OID of an XDS patientId `INS^^^&OID&ISO`. */
export function vihfPatientFromXds(patientId: string): { ins: string; oid: string } {
  const m = /^([0-9A-Za-z]{1,20})\^\^\^&([0-9.]+)&ISO$/.exec(patientId);
  if (m === null) throw new RelaisError('RLS_XDS_PATIENT_ID', 'the XDS patientId is not an INS CX');
  return { ins: m[1] as string, oid: m[2] as string };
}

function stringAttribute(name: string, value: string): string {
  return `<saml:Attribute Name="${escapeAttr(name)}"><saml:AttributeValue>${escapeText(value)}</saml:AttributeValue></saml:Attribute>`;
}

function codedAttribute(name: string, element: string, values: readonly VihfCode[]): string {
  const v = values.map((c) => `<saml:AttributeValue><${element} xmlns="${HL7_NS}" xsi:type="CE" code="${escapeAttr(c.code)}" `
    + `codeSystem="${escapeAttr(c.codeSystem)}" displayName="${escapeAttr(c.displayName)}"/></saml:AttributeValue>`);
  return `<saml:Attribute Name="${escapeAttr(name)}">${v.join('')}</saml:Attribute>`;
}

function iso(d: Date): string {
  // SAML 2.0 §1.3.3: UTC with Z; no fractional seconds, as the ANS example.
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function required(name: string, value: string): string {
  if (value.trim() === '') throw new RelaisError('RLS_CONFIG_INVALID', `the VIHF ${name} is empty`, { key: name });
  return value;
}

/** The unsigned assertion text (exported for the golden tests and the sandbox). */
export function vihfAssertionXml(o: Omit<VihfOptions, 'signer' | 'hash'> & { issuer: string }): string {
  const now = o.now ?? new Date();
  const id = o.id ?? `_${randomUUID()}`;
  const A = VIHF_ATTRIBUTE;
  const lps = o.lps;
  const attributes = [
    stringAttribute(A.version, o.vihfVersion ?? '3.0'),
    stringAttribute(A.authenticationMode, 'INDIRECTE'),
    stringAttribute(A.structureId, required('structureId', o.structureId)),
    stringAttribute(A.activitySector, required('activitySector', o.activitySector)),
    stringAttribute(A.subjectId, required('subjectId', o.subjectId)),
    codedAttribute(A.role, 'Role', o.roles ?? [AUTOMATON_ROLE]),
    codedAttribute(A.purposeOfUse, 'PurposeOfUse', [PURPOSE_NORMAL]),
    stringAttribute(A.resourceId, vihfResourceId(o.patient)),
    stringAttribute(A.resourceUrn, 'urn:dmp'),
    ...(o.secretConnection === true ? [codedAttribute(A.confidentialityCode, 'ConfidentialityCode', [SECRET_CONNECTION])] : []),
    ...(lps.id === undefined ? [] : [stringAttribute(A.lpsId, lps.id)]),
    stringAttribute(A.lpsName, required('lps.name', lps.name)),
    stringAttribute(A.lpsVersion, required('lps.version', lps.version)),
    stringAttribute(A.lpsHomologation, required('lps.homologation', lps.homologation)),
  ];
  const conditions = o.validitySeconds === undefined ? ''
    : `<saml:Conditions NotBefore="${iso(now)}" NotOnOrAfter="${iso(new Date(now.getTime() + o.validitySeconds * 1000))}"/>`;
  return `<saml:Assertion xmlns:saml="${SAML_NS}" xmlns:xsi="${XSI_NS}" ID="${escapeAttr(id)}" IssueInstant="${iso(now)}" Version="2.0">`
    + `<saml:Issuer Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName">${escapeText(o.issuer)}</saml:Issuer>`
    + '<saml:Subject>'
    + `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${escapeText(required('nameId', o.nameId))}</saml:NameID>`
    + '</saml:Subject>'
    + conditions
    + `<saml:AuthnStatement AuthnInstant="${iso(o.authnInstant ?? now)}"><saml:AuthnContext>`
    + `<saml:AuthnContextClassRef>${escapeText(o.authnContextClassRef ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified')}</saml:AuthnContextClassRef>`
    + '</saml:AuthnContext></saml:AuthnStatement>'
    + `<saml:AttributeStatement>${attributes.join('')}</saml:AttributeStatement>`
    + '</saml:Assertion>';
}

/** `<ds:X509Data>` with the signing certificate only (not its chain), as KeyInfo content. */
export function x509KeyInfo(certificate: X509Certificate, prefix = 'ds'): string {
  return `<${prefix}:X509Data><${prefix}:X509Certificate>${certificate.raw.toString('base64')}</${prefix}:X509Certificate></${prefix}:X509Data>`;
}

/**
 * Builds and signs the VIHF (digest §C3): enveloped XML-DSig placed after Issuer (SAML schema order), exclusive
 * C14N, RSA-SHA256 with SHA-256 digests by default, KeyInfo/X509Data/X509Certificate = the ORG SIGN certificate.
 */
export function buildVihf(o: VihfOptions): string {
  const xml = vihfAssertionXml({ ...o, issuer: o.issuer ?? rfc2253Name(o.signer.certificate) });
  const alg = signatureAlgorithms(o.hash ?? 'sha256');
  const sig = new SignedXml({
    privateKey: o.signer.keyPem,
    signatureAlgorithm: alg.signature,
    canonicalizationAlgorithm: XMLDSIG.excC14n,
    getKeyInfoContent: () => x509KeyInfo(o.signer.certificate),
  });
  sig.addReference({ xpath: "/*[local-name(.)='Assertion']", transforms: [XMLDSIG.enveloped, XMLDSIG.excC14n], digestAlgorithm: alg.digest });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}

/** What a verified VIHF says, read from the signed bytes only. */
export interface VihfClaims {
  id: string;
  issueInstant: string;
  issuer: string;
  nameId: string;
  authnInstant?: string;
  /** Attribute name → values; a coded value (Role, PurposeOfUse…) is given by its `code`. */
  attributes: Record<string, string[]>;
}

export interface VerifyVihfOptions {
  /** Accept RSA-SHA1 / SHA-1 (the S4 fallback). Default false. */
  allowSha1?: boolean;
}

function invalid(reason: string, cause?: unknown): RelaisError {
  return new RelaisError('RLS_DMP_VIHF_INVALID', undefined, { reason }, cause === undefined ? undefined : { cause });
}

function algorithmOf(parent: Element, local: string): string | undefined {
  const e = firstChild(parent, DS_NS, local);
  return e === undefined ? undefined : attr(e, 'Algorithm');
}

function readClaims(assertion: Element): VihfClaims {
  const attributes: Record<string, string[]> = {};
  for (const a of descendants(assertion, SAML_NS, 'Attribute')) {
    const name = attr(a, 'Name') ?? '';
    const values = childElements(a, SAML_NS, 'AttributeValue').map((v) => {
      const coded = elementChildren(v)[0];
      return coded === undefined ? text(v) ?? '' : attr(coded, 'code') ?? '';
    });
    (attributes[name] ??= []).push(...values);
  }
  const subject = firstChild(assertion, SAML_NS, 'Subject');
  const authn = firstChild(assertion, SAML_NS, 'AuthnStatement');
  const authnInstant = authn === undefined ? undefined : attr(authn, 'AuthnInstant');
  return {
    id: attr(assertion, 'ID') ?? '',
    issueInstant: attr(assertion, 'IssueInstant') ?? '',
    issuer: text(firstChild(assertion, SAML_NS, 'Issuer')) ?? '',
    nameId: subject === undefined ? '' : text(firstChild(subject, SAML_NS, 'NameID')) ?? '',
    ...(authnInstant === undefined ? {} : { authnInstant }),
    attributes,
  };
}

/**
 * Verifies a VIHF, alone or inside a SOAP envelope, against the ORG SIGN certificate the caller trusts (the KeyInfo
 * certificate is not used to verify). Guards against signature wrapping: the document must hold exactly one
 * assertion and one signature; that signature must be a child of the assertion, with a single reference whose URI is
 * `#` + the assertion ID and whose transforms are enveloped + exclusive C14N; and the claims are read from the bytes
 * xml-crypto reports as signed, never from the original tree.
 */
export function verifyVihf(xml: string | Buffer, trustedCertPem: string, options: VerifyVihfOptions = {}): VihfClaims {
  const source = typeof xml === 'string' ? xml : xml.toString('utf8');
  let doc;
  try {
    doc = parseXml(source);
  } catch (e) {
    throw invalid('the VIHF is not well-formed XML', e);
  }
  const assertions = descendants(doc, SAML_NS, 'Assertion');
  if (assertions.length !== 1) throw invalid(`expected one saml:Assertion, found ${assertions.length}`);
  const assertion = assertions[0] as Element;
  const id = attr(assertion, 'ID');
  if (id === undefined || id === '') throw invalid('the assertion has no ID');
  const signatures = descendants(doc, DS_NS, 'Signature');
  if (signatures.length !== 1) throw invalid(`expected one ds:Signature, found ${signatures.length}`);
  const signature = signatures[0] as Element;
  if (signature.parentNode !== assertion) throw invalid('the signature is not a child of the assertion');
  const signedInfo = firstChild(signature, DS_NS, 'SignedInfo');
  if (signedInfo === undefined) throw invalid('no SignedInfo');
  const references = childElements(signedInfo, DS_NS, 'Reference');
  if (references.length !== 1 || attr(references[0] as Element, 'URI') !== `#${id}`) {
    throw invalid('the signature does not reference the assertion by its ID');
  }
  const transforms = childElements(firstChild(references[0] as Element, DS_NS, 'Transforms') ?? signedInfo, DS_NS, 'Transform')
    .map((t) => attr(t, 'Algorithm'));
  if (transforms.length !== 2 || transforms[0] !== XMLDSIG.enveloped || transforms[1] !== XMLDSIG.excC14n) {
    throw invalid('unexpected reference transforms');
  }
  const allowed = new Set<string>([XMLDSIG.rsaSha256, XMLDSIG.sha256, ...(options.allowSha1 === true ? [XMLDSIG.rsaSha1, XMLDSIG.sha1] : [])]);
  const used = [algorithmOf(signedInfo, 'SignatureMethod'), algorithmOf(references[0] as Element, 'DigestMethod')];
  if (used.some((a) => a === undefined || !allowed.has(a))) throw invalid('signature or digest algorithm not accepted');

  let trusted: X509Certificate;
  try {
    trusted = new X509Certificate(trustedCertPem);
  } catch (e) {
    throw new RelaisError('RLS_PKI_UNREADABLE', 'the trusted VIHF certificate cannot be read', { reason: 'bad PEM' }, { cause: e });
  }
  const verifier = new SignedXml({ publicCert: trusted.toString() });
  const signedReferences: string[] = [];
  try {
    verifier.loadSignature(signature.toString());
    if (!verifier.checkSignature(source)) throw invalid('a reference digest does not match');
    signedReferences.push(...verifier.getSignedReferences());
  } catch (e) {
    throw e instanceof RelaisError ? e : invalid('the signature does not verify', e);
  }
  if (signedReferences.length !== 1) throw invalid('the signature covers more than the assertion');
  // Read from what was verified: the canonical bytes of the referenced element (signature removed).
  const signedRoot = parseXml(signedReferences[0] as string).documentElement;
  if (signedRoot === null || signedRoot.namespaceURI !== SAML_NS || signedRoot.localName !== 'Assertion' || attr(signedRoot, 'ID') !== id) {
    throw invalid('the signed element is not the assertion');
  }
  return readClaims(signedRoot);
}
