import { randomUUID } from 'node:crypto';
import { escapeText } from '../xds/index.js';

/** Namespaces of the DMP SOAP exchanges (digest §C2). */
export const SOAP_NS = Object.freeze({
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  xop: 'http://www.w3.org/2004/08/xop/include',
});

/** The SOAP actions of the transactions a PFI may use (digest §C1). */
export const SOAP_ACTION = Object.freeze({
  provideAndRegister: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
  registryStoredQuery: 'urn:ihe:iti:2007:RegistryStoredQuery',
  updateDocumentSet: 'urn:ihe:iti:2010:UpdateDocumentSet',
});

const ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

export interface SoapEnvelopeInput {
  /** wsa:Action (one of SOAP_ACTION). */
  action: string;
  /** wsa:To: the endpoint URL. */
  to: string;
  /** wsa:MessageID; default a new `urn:uuid:`. */
  messageId?: string;
  /** The signed VIHF (saml:Assertion), inserted verbatim in wsse:Security. */
  vihf: string;
  /** The Body content (one element). */
  body: string;
}

/** A `urn:uuid:` MessageID, the correlation key kept with the raw message. */
export function newMessageId(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** The assertion text without an XML declaration, which may not appear inside another document. */
function withoutDeclaration(xml: string): string {
  return xml.replace(/^\uFEFF?\s*<\?xml[^?]*\?>\s*/, '');
}

/**
 * A SOAP 1.2 envelope for the DMP (digest §C2): WS-Addressing Action, MessageID and To with mustUnderstand="true",
 * ReplyTo anonymous, and a wsse:Security header holding the signed VIHF and nothing else (no WS-Security signature
 * over the body). The VIHF is inserted byte for byte: its signature uses exclusive C14N, so the envelope's
 * namespaces do not change its digest.
 */
export function soapEnvelope(input: SoapEnvelopeInput): { xml: string; messageId: string } {
  const messageId = input.messageId ?? newMessageId();
  const mu = 'soap:mustUnderstand="true"';
  const xml = `<soap:Envelope xmlns:soap="${SOAP_NS.soap}" xmlns:wsa="${SOAP_NS.wsa}">`
    + '<soap:Header>'
    + `<wsa:Action ${mu}>${escapeText(input.action)}</wsa:Action>`
    + `<wsa:MessageID ${mu}>${escapeText(messageId)}</wsa:MessageID>`
    + `<wsa:ReplyTo><wsa:Address>${ANONYMOUS}</wsa:Address></wsa:ReplyTo>`
    + `<wsa:To ${mu}>${escapeText(input.to)}</wsa:To>`
    + `<wsse:Security xmlns:wsse="${SOAP_NS.wsse}">${withoutDeclaration(input.vihf)}</wsse:Security>`
    + '</soap:Header>'
    + `<soap:Body>${input.body}</soap:Body>`
    + '</soap:Envelope>';
  return { xml, messageId };
}
