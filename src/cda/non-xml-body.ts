import { RelaisError } from '../domain/index.js';
import { loadSafeXml } from './safe-xml.js';
import { attr, child, fromDomElement, HL7_V3, type XmlElement } from './xml-element.js';

export interface ExtractBodyOptions {
  maxBytes?: number;
  /**
   * Also look in an N3 structuredBody for the first observationMedia whose value is application/pdf
   * (the Ségur "FR-Document-PDF-copie" section, template 1.2.250.1.213.1.1.2.243). Default false: N3 → undefined.
   */
  includeN3Copy?: boolean;
}

const base64Text = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Returns the decoded bytes and media type of an N1 nonXMLBody (the PDF of a CDA R2 N1; MSS digest B5: the
 * PDF/A mailed beside an N1 must be this very PDF), or undefined when the document has no inline nonXMLBody.
 * The document is loaded with the same refusals as readCdaHeader.
 */
export function extractNonXmlBody(xml: Buffer | string, options: ExtractBodyOptions = {}): { mediaType: string; bytes: Buffer } | undefined {
  const doc = loadSafeXml(xml, { maxBytes: options.maxBytes });
  const rootEl = doc.documentElement;
  if (rootEl === null || rootEl.localName !== 'ClinicalDocument' || rootEl.namespaceURI !== HL7_V3) {
    throw new RelaisError('RLS_CDA_NOT_CDA', undefined, { root: rootEl?.localName ?? null, namespace: rootEl?.namespaceURI ?? null });
  }
  const component = child(fromDomElement(rootEl), 'component');
  const textEl = child(child(component, 'nonXMLBody'), 'text');
  if (textEl !== undefined) return decodeEd(textEl);
  if (options.includeN3Copy !== true) return undefined;
  const structured = child(component, 'structuredBody');
  if (structured === undefined) return undefined;
  const media = rootEl.getElementsByTagNameNS(HL7_V3, 'observationMedia');
  for (let i = 0; i < media.length; i++) {
    const item = media.item(i);
    if (item === null) continue;
    const value = child(fromDomElement(item), 'value');
    if (value !== undefined && attr(value, 'mediaType') === 'application/pdf') return decodeEd(value);
  }
  return undefined;
}

/** An HL7 v3 ED: inline B64 or TXT. A reference to an external resource gives undefined (nothing inline). */
function decodeEd(el: XmlElement): { mediaType: string; bytes: Buffer } | undefined {
  if (child(el, 'reference') !== undefined && el.textContent().trim() === '') return undefined;
  const mediaType = attr(el, 'mediaType') ?? 'text/plain';
  const representation = attr(el, 'representation') ?? 'TXT';
  if (representation === 'TXT') return { mediaType, bytes: Buffer.from(el.textContent(), 'utf8') };
  if (representation !== 'B64') {
    throw new RelaisError('RLS_CDA_BAD_BODY', 'unknown ED representation', { representation });
  }
  const b64 = el.textContent().replace(/\s+/g, '');
  // Missing '=' padding is tolerated (seen in ANS examples); a length of 4n+1 cannot be base64.
  if (!base64Text.test(b64) || b64.length % 4 === 1) {
    throw new RelaisError('RLS_CDA_BAD_BODY', 'the body is not valid base64', { length: b64.length });
  }
  return { mediaType, bytes: Buffer.from(b64, 'base64') };
}
