import { RelaisError } from '../domain/index.js';
import { HL7_V3, type XmlElement } from './xml-element.js';
import { blank, decodeReferences, emptyScope, normalizeNewlines, Scanner, type Scope, type StartTag } from './xml-scanner.js';

/**
 * A strict, namespace-aware reader for the CDA header only: prolog, root start tag, and the root's children up to
 * the first root-level <component>. It exists because xmldom spends ~5 µs per tag, so reading a 26 KB header with
 * it costs about as much as parsing the whole document; this scanner reads the same header in a fraction of that.
 * What it reads it checks as an XML parser would (xml-scanner.ts: names, quoting, duplicate attributes, tag nesting,
 * entity and character references, namespace bindings); it never expands anything but the five predefined entities.
 * After the header it only looks at the body's first elements (nonXMLBody or structuredBody, and the
 * nonXMLBody text attributes) and says where it stopped; the rest is left to xml-well-formed.ts (scope 'full').
 */

export type BodyKind = 'nonXMLBody' | 'structuredBody';
export interface BodyInfo {
  kind?: BodyKind;
  textMediaType?: string;
  textRepresentation?: string;
  /** The input ended before the body's first elements could be read (only when scanning a prefix). */
  truncated?: boolean;
}
export interface HeaderScan {
  root: XmlElement;
  body?: BodyInfo;
  /**
   * Where reading stopped, when it stopped at the root-level component rather than at the end of the document:
   * positions of the root start tag and of the component start tag in the text read, and the namespace bindings
   * in scope in the root. Whoever needs the rest of the document checked resumes there.
   */
  stoppedAt?: { rootAt: number; componentAt: number; rootScope: Scope };
}

class LightElement implements XmlElement {
  readonly content: (string | LightElement)[] = [];
  readonly elements: LightElement[] = [];
  constructor(
    readonly namespace: string | null,
    readonly localName: string,
    readonly qname: string,
    private readonly attrs: ReadonlyMap<string, string>,
  ) {}

  attribute(name: string): string | undefined {
    return this.attrs.get(name);
  }

  childElements(): readonly XmlElement[] {
    return this.elements;
  }

  textContent(): string {
    let out = '';
    for (const c of this.content) out += typeof c === 'string' ? c : c.textContent();
    return out;
  }
}

/**
 * Reads the header of a CDA text. The root must be {urn:hl7-org:v3}ClinicalDocument (else RLS_CDA_NOT_CDA);
 * malformed markup in the part read gives RLS_CDA_NOT_XML. When the document has no root-level component the
 * whole document is read (and checked).
 */
export function scanHeader(src: string): HeaderScan {
  const sc = new Scanner(src);
  sc.skipXmlDeclaration();
  // Prolog: white space, comments and processing instructions only.
  for (;;) {
    const lt = src.indexOf('<', sc.pos);
    if (lt === -1 || !blank.test(src.slice(sc.pos, lt))) sc.fail('content before the root element');
    sc.pos = lt;
    if (!sc.skipMisc()) break;
  }
  if (src.startsWith('<!', sc.pos)) sc.fail('unexpected declaration before the root element');
  const rootAt = sc.pos;
  const rootTag = sc.readStartTag(emptyScope());
  if (rootTag.localName !== 'ClinicalDocument' || rootTag.namespace !== HL7_V3) {
    throw new RelaisError('RLS_CDA_NOT_CDA', undefined, { root: rootTag.localName, namespace: rootTag.namespace });
  }
  const root = new LightElement(rootTag.namespace, rootTag.localName, rootTag.qname, rootTag.attrs);
  if (rootTag.selfClosing) {
    sc.pos = rootTag.end;
    expectEpilog(sc, src);
    return { root };
  }
  sc.pos = rootTag.end;
  const stack: { el: LightElement; scope: Scope }[] = [{ el: root, scope: rootTag.scope }];

  for (;;) {
    const top = stack[stack.length - 1] as { el: LightElement; scope: Scope };
    const lt = src.indexOf('<', sc.pos);
    if (lt === -1) sc.fail('unclosed element at end of document');
    if (lt > sc.pos) {
      const raw = src.slice(sc.pos, lt);
      if (raw.includes(']]>')) sc.fail('a CDATA end (]]>) in text');
      top.el.content.push(normalizeNewlines(decodeReferences(raw, sc.pos)));
    }
    sc.pos = lt;
    if (src.startsWith('</', lt)) {
      sc.pos = sc.readEndTag(top.el.qname);
      stack.pop();
      if (stack.length === 0) {
        expectEpilog(sc, src);
        return { root };
      }
      continue;
    }
    if (src.startsWith('<![CDATA[', lt)) {
      const end = src.indexOf(']]>', lt + 9);
      if (end === -1) sc.fail('unterminated CDATA section');
      top.el.content.push(normalizeNewlines(src.slice(lt + 9, end)));
      sc.pos = end + 3;
      continue;
    }
    if (sc.skipMisc()) continue;
    if (src.startsWith('<!', lt)) sc.fail('unexpected declaration');
    const tag = sc.readStartTag(top.scope);
    if (stack.length === 1 && tag.localName === 'component' && tag.namespace === HL7_V3) {
      return {
        root, body: tag.selfClosing ? {} : readBodyStart(sc, src, tag), stoppedAt: { rootAt, componentAt: lt, rootScope: top.scope },
      };
    }
    const el = new LightElement(tag.namespace, tag.localName, tag.qname, tag.attrs);
    top.el.content.push(el);
    top.el.elements.push(el);
    sc.pos = tag.end;
    if (!tag.selfClosing) stack.push({ el, scope: tag.scope });
  }
}

function expectEpilog(sc: Scanner, src: string): void {
  for (;;) {
    const lt = src.indexOf('<', sc.pos);
    const gap = src.slice(sc.pos, lt === -1 ? src.length : lt);
    if (!blank.test(gap)) sc.fail('content after the root element');
    if (lt === -1) return;
    sc.pos = lt;
    if (!sc.skipMisc()) sc.fail('content after the root element');
  }
}

/** Next start tag after pos, skipping white space, comments and PIs; 'eof' when the input ends first. */
function nextStartTag(sc: Scanner, src: string, scope: Scope): StartTag | 'eof' | undefined {
  for (;;) {
    const lt = src.indexOf('<', sc.pos);
    if (lt === -1) return 'eof';
    if (!blank.test(src.slice(sc.pos, lt))) return undefined;
    sc.pos = lt;
    if (sc.skipMisc()) continue;
    if (src.startsWith('</', lt) || src.startsWith('<!', lt)) return undefined;
    const tag = sc.readStartTag(scope);
    sc.pos = tag.end;
    return tag;
  }
}

function readBodyStart(sc: Scanner, src: string, component: StartTag): BodyInfo {
  sc.pos = component.end;
  const body = nextStartTag(sc, src, component.scope);
  if (body === 'eof') return { truncated: true };
  if (body === undefined || body.namespace !== HL7_V3) return {};
  if (body.localName === 'structuredBody') return { kind: 'structuredBody' };
  if (body.localName !== 'nonXMLBody') return {};
  const info: BodyInfo = { kind: 'nonXMLBody' };
  if (body.selfClosing) return info;
  const textTag = nextStartTag(sc, src, body.scope);
  if (textTag === 'eof') info.truncated = true;
  else if (textTag !== undefined && textTag.localName === 'text' && textTag.namespace === HL7_V3) {
    info.textMediaType = textTag.attrs.get('mediaType');
    info.textRepresentation = textTag.attrs.get('representation');
  }
  return info;
}
