import type { Element as DomElement, Node as DomNode } from '@xmldom/xmldom';

export const HL7_V3 = 'urn:hl7-org:v3';
export const DICOM_PS3_20 = 'urn:dicom-org:ps3-20';

/**
 * The few element operations the CDA readers need. Two implementations: the light tree built by header-scan.ts
 * (readCdaHeader, both scopes) and an xmldom Element (extractNonXmlBody, which needs the whole tree).
 */
export interface XmlElement {
  readonly namespace: string | null;
  readonly localName: string;
  /** An unprefixed attribute, or undefined when absent. */
  attribute(name: string): string | undefined;
  childElements(): readonly XmlElement[];
  /** The concatenated text of all descendants. */
  textContent(): string;
}

const ELEMENT_NODE = 1;

class DomXmlElement implements XmlElement {
  readonly namespace: string | null;
  readonly localName: string;
  #children: DomXmlElement[] | undefined;

  constructor(private readonly el: DomElement) {
    this.namespace = el.namespaceURI;
    this.localName = el.localName ?? el.nodeName;
  }

  attribute(name: string): string | undefined {
    const attr = this.el.getAttributeNode(name);
    return attr === null ? undefined : attr.value;
  }

  childElements(): readonly XmlElement[] {
    if (this.#children === undefined) {
      const out: DomXmlElement[] = [];
      for (let n: DomNode | null = this.el.firstChild; n !== null; n = n.nextSibling) {
        if (n.nodeType === ELEMENT_NODE) out.push(new DomXmlElement(n as DomElement));
      }
      this.#children = out;
    }
    return this.#children;
  }

  textContent(): string {
    return this.el.textContent ?? '';
  }
}

export function fromDomElement(el: DomElement): XmlElement {
  return new DomXmlElement(el);
}

/** First child element {ns}local. */
export function child(el: XmlElement | undefined, local: string, ns: string = HL7_V3): XmlElement | undefined {
  if (el === undefined) return undefined;
  for (const c of el.childElements()) if (c.localName === local && c.namespace === ns) return c;
  return undefined;
}

/** All child elements {ns}local, in document order. */
export function children(el: XmlElement | undefined, local: string, ns: string = HL7_V3): XmlElement[] {
  if (el === undefined) return [];
  return el.childElements().filter((c) => c.localName === local && c.namespace === ns);
}

/** Follows a path of HL7 v3 child elements, first match at each step. */
export function path(el: XmlElement | undefined, ...locals: string[]): XmlElement | undefined {
  let cur = el;
  for (const l of locals) cur = child(cur, l);
  return cur;
}

/** Attribute value trimmed; undefined when absent or blank. */
export function attr(el: XmlElement | undefined, name: string): string | undefined {
  const v = el?.attribute(name)?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** Text with white space runs collapsed; undefined when blank. */
export function text(el: XmlElement | undefined): string | undefined {
  if (el === undefined) return undefined;
  const v = el.textContent().replace(/\s+/g, ' ').trim();
  return v === '' ? undefined : v;
}
