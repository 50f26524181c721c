import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import {
  SAML_NS, SOAP_NS, VIHF_ATTRIBUTE, parseXml, verifyVihf, type VihfClaims,
} from '../../dmp/index.js';
import { isRelaisError } from '../../domain/index.js';
import type { TrustStore } from '../../pki/index.js';
import { child, descendants, elements, textOf } from './xml-read.js';

/**
 * What the sandbox checks in every SOAP request before looking at the body, as the DMP does (digest §C2, §C3): a
 * SOAP 1.2 envelope, WS-Addressing Action / MessageID / To, and a VIHF in wsse:Security whose signature verifies with
 * an ORG SIGN certificate chaining to the test root, with the attributes of the automaton strategy. A failure here is
 * a SOAP Fault (Sender), not a RegistryError.
 */

export class EnvelopeFault extends Error {
  readonly subcode: string | undefined;
  constructor(subcode: string | undefined, reason: string) {
    super(reason);
    this.subcode = subcode;
  }
}

export interface CheckedEnvelope {
  messageId: string;
  action: string;
  to: string;
  /** The first element of soap:Body. */
  body: Element;
  claims: VihfClaims;
  /** The VIHF resource-id as an XDS patientId `INS^^^&OID&ISO`. */
  patientId: string;
}

const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';

const REQUIRED_ATTRIBUTES = [
  VIHF_ATTRIBUTE.version, VIHF_ATTRIBUTE.authenticationMode, VIHF_ATTRIBUTE.structureId, VIHF_ATTRIBUTE.activitySector,
  VIHF_ATTRIBUTE.subjectId, VIHF_ATTRIBUTE.role, VIHF_ATTRIBUTE.resourceId, VIHF_ATTRIBUTE.resourceUrn,
  VIHF_ATTRIBUTE.lpsName, VIHF_ATTRIBUTE.lpsVersion, VIHF_ATTRIBUTE.lpsHomologation,
] as const;

/** The ORG SIGN certificate of the assertion's KeyInfo, once it chains to the trust store. */
function signingCertificate(assertion: Element, trust: TrustStore): string {
  const signature = child(assertion, DS_NS, 'Signature');
  const b64 = signature === undefined ? undefined : textOf(descendants(signature, DS_NS, 'X509Certificate')[0]);
  if (b64 === undefined || b64 === '') throw new EnvelopeFault('wsse:InvalidSecurityToken', 'VIHF sans certificat de signature');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(b64.replace(/\s+/g, ''), 'base64'));
  } catch {
    throw new EnvelopeFault('wsse:InvalidSecurityToken', 'certificat du VIHF illisible');
  }
  const verdict = trust.verifyChain(cert, [], { purpose: 'signing' });
  if (!verdict.ok) throw new EnvelopeFault('wsse:InvalidSecurityToken', `certificat du VIHF non reconnu (${verdict.reason})`);
  return cert.toString();
}

function one(claims: VihfClaims, name: string): string {
  return claims.attributes[name]?.[0] ?? '';
}

/** resource-id `INS^^^&OID&ISO^NH` → the XDS patientId `INS^^^&OID&ISO` (digest §C3). */
function patientFromResourceId(resourceId: string): string {
  const m = /^([0-9A-Za-z]{1,20}\^\^\^&[0-9.]+&ISO)\^NH$/.exec(resourceId);
  if (m === null) throw new EnvelopeFault('wsse:FailedAuthentication', 'VIHF : resource-id n\'est pas un INS');
  return m[1] as string;
}

function checkClaims(claims: VihfClaims): string {
  for (const name of REQUIRED_ATTRIBUTES) {
    if (one(claims, name).trim() === '') throw new EnvelopeFault('wsse:FailedAuthentication', `VIHF : attribut ${name} absent`);
  }
  if (one(claims, VIHF_ATTRIBUTE.authenticationMode) !== 'INDIRECTE') {
    throw new EnvelopeFault('wsse:FailedAuthentication', 'VIHF : Authentification_Mode doit valoir INDIRECTE');
  }
  if (!/^SA\d{2}\^1\.2\.250\.1\.71\.4\.2\.4$/.test(one(claims, VIHF_ATTRIBUTE.activitySector))) {
    throw new EnvelopeFault('wsse:FailedAuthentication', 'VIHF : Secteur_Activite hors TRE_R02');
  }
  if (claims.nameId === '') throw new EnvelopeFault('wsse:FailedAuthentication', 'VIHF : Subject/NameID absent');
  return patientFromResourceId(one(claims, VIHF_ATTRIBUTE.resourceId));
}

/** Reads and checks the SOAP envelope of a request whose root part is `rootXml`; `expectedAction` per endpoint. */
export function checkEnvelope(rootXml: Buffer, expectedActions: readonly string[], trust: TrustStore): CheckedEnvelope {
  let doc;
  try {
    doc = parseXml(rootXml);
  } catch {
    throw new EnvelopeFault(undefined, 'message SOAP illisible');
  }
  const env = doc.documentElement;
  if (env === null || env.localName !== 'Envelope') throw new EnvelopeFault(undefined, 'pas d\'enveloppe SOAP');
  if (env.namespaceURI !== SOAP_NS.soap) throw new EnvelopeFault(undefined, 'enveloppe SOAP 1.2 attendue');
  const header = child(env, SOAP_NS.soap, 'Header');
  const body = child(env, SOAP_NS.soap, 'Body');
  const content = body === undefined ? undefined : elements(body)[0];
  if (header === undefined || content === undefined) throw new EnvelopeFault(undefined, 'en-tête ou corps SOAP absent');
  const action = textOf(child(header, SOAP_NS.wsa, 'Action')) ?? '';
  const messageId = textOf(child(header, SOAP_NS.wsa, 'MessageID')) ?? '';
  const to = textOf(child(header, SOAP_NS.wsa, 'To')) ?? '';
  if (action === '') throw new EnvelopeFault('wsa:MessageAddressingHeaderRequired', 'wsa:Action absent');
  if (!expectedActions.includes(action)) throw new EnvelopeFault('wsa:ActionNotSupported', 'wsa:Action non prise en charge par ce service');
  if (messageId === '') throw new EnvelopeFault('wsa:MessageAddressingHeaderRequired', 'wsa:MessageID absent');
  if (to === '') throw new EnvelopeFault('wsa:MessageAddressingHeaderRequired', 'wsa:To absent');
  const security = child(header, SOAP_NS.wsse, 'Security');
  const assertion = security === undefined ? undefined : child(security, SAML_NS, 'Assertion');
  if (assertion === undefined) throw new EnvelopeFault('wsse:InvalidSecurity', 'pas de VIHF dans wsse:Security');
  const certPem = signingCertificate(assertion, trust);
  let claims: VihfClaims;
  try {
    // The whole envelope: verifyVihf refuses a second assertion or signature anywhere in it (wrapping).
    claims = verifyVihf(rootXml, certPem);
  } catch (e) {
    if (!isRelaisError(e)) throw e;
    throw new EnvelopeFault('wsse:FailedCheck', `VIHF refusé : ${String(e.details['reason'] ?? e.code)}`);
  }
  const patientId = checkClaims(claims);
  return { messageId, action, to, body: content, claims, patientId };
}
