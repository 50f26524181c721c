import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { RelaisError } from '../domain/index.js';

/** The largest SOAP part Relais parses (a DMP answer is a few KB; ITI-18 LeafClass lists stay well below this). */
export const DEFAULT_MAX_SOAP_BYTES = 16 * 1024 * 1024;

const markupDeclaration = Buffer.from('<!', 'latin1');

function malformed(reason: string): RelaisError {
  // Parser messages may quote document text: keep only a short reason without quoted fragments.
  return new RelaisError('RLS_DMP_MALFORMED', undefined, { reason: reason.replace(/"[^"]*"|'[^']*'/g, '…').slice(0, 160) });
}

/**
 * Parses a SOAP part or a VIHF with xmldom, strict. Any DOCTYPE or ENTITY declaration is refused before parsing
 * (the same rule as cda/safe-xml: nothing is ever expanded or fetched, so no XML bomb and no XXE); a CDATA section
 * or comment (`<![CDATA[`, `<!--`) is the only `<!` allowed.
 */
export function parseXml(input: Buffer | string, maxBytes = DEFAULT_MAX_SOAP_BYTES): Document {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.length > maxBytes) throw malformed(`the XML exceeds ${maxBytes} bytes`);
  for (let at = bytes.indexOf(markupDeclaration); at !== -1; at = bytes.indexOf(markupDeclaration, at + 2)) {
    const word = bytes.toString('latin1', at + 2, at + 9).toUpperCase();
    if (word.startsWith('DOCTYPE') || word.startsWith('ENTITY')) throw malformed('DTD declarations are refused');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw malformed('the bytes are not UTF-8');
  }
  if (!/^\s*</.test(text)) throw malformed('the content does not start with markup');
  let reported: RelaisError | undefined;
  const parser = new DOMParser({
    onError: (_level, message) => {
      reported ??= malformed(message);
      throw reported;
    },
  });
  try {
    return parser.parseFromString(text, 'text/xml');
  } catch (e) {
    throw reported ?? malformed(e instanceof Error ? e.message : 'parse failed');
  }
}

/** The element children of `parent` named {ns}local. */
export function childElements(parent: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) out.push(n as Element);
  }
  return out;
}

/** All element children of `parent`. */
export function elementChildren(parent: Element): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function firstChild(parent: Element, ns: string, local: string): Element | undefined {
  return childElements(parent, ns, local)[0];
}

/** Every descendant element named {ns}local, in document order. */
export function descendants(root: Document | Element, ns: string, local: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, local));
}

export function attr(e: Element, name: string): string | undefined {
  return e.hasAttribute(name) ? e.getAttribute(name) ?? undefined : undefined;
}

export function text(e: Element | undefined): string | undefined {
  return e === undefined ? undefined : (e.textContent ?? '').trim();
}
