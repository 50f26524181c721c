import type { Document, Element } from '@xmldom/xmldom';

/** Small DOM readers for the sandbox (namespace-aware, element nodes only). */

export function children(parent: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) out.push(n as Element);
  }
  return out;
}

export function child(parent: Element, ns: string, local: string): Element | undefined {
  return children(parent, ns, local)[0];
}

export function elements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function descendants(root: Document | Element, ns: string, local: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, local));
}

export function attribute(e: Element, name: string): string | undefined {
  return e.hasAttribute(name) ? e.getAttribute(name) ?? undefined : undefined;
}

export function textOf(e: Element | undefined): string | undefined {
  return e === undefined ? undefined : (e.textContent ?? '').trim();
}
