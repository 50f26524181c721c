import { notXml } from './safe-xml.js';

/**
 * The lexical rules shared by the header reader (header-scan.ts) and the whole-document check (xml-well-formed.ts):
 * names, start tags with their attributes and namespace declarations, references, comments, processing
 * instructions and the XML declaration, each checked as XML 1.0 and Namespaces in XML 1.0 require. Only the five
 * predefined entities and character references are ever expanded.
 */

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

// XML 1.0 §2.3: S is space, tab, CR and LF only (JavaScript's \s also matches NBSP, U+2028…).
const S = '[ \\t\\r\\n]';
const NAME = '[A-Za-z_\\u00C0-\\uFFFF][\\w.\\-\\u00B7\\u00C0-\\uFFFF]*';

function tagPatterns(name: string): { startTagName: RegExp; attribute: RegExp } {
  const qname = `${name}(?::${name})?`;
  return {
    startTagName: new RegExp(`<(${qname})`, 'y'),
    attribute: new RegExp(`${S}+(${qname})${S}*=${S}*(?:"([^"<]*)"|'([^'<]*)')`, 'y'),
  };
}
const anyNamePatterns = tagPatterns(NAME);
// For a text holding one character per byte of UTF-8 or ISO-8859-15, where a non-ASCII name is not yet decoded.
const asciiNamePatterns = tagPatterns('[A-Za-z_][\\w.\\-]*');
const tagClose = new RegExp(`${S}*(/?)>`, 'y');
const reference = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z_][\w.-]*));/y;
const piTarget = new RegExp(`^(${NAME}(?::${NAME})*)(?:${S}|$)`);
// XML 1.0 §2.8 XMLDecl: version, then optional encoding and standalone, in that order.
const xmlDeclaration = new RegExp(
  `^<\\?xml${S}+version${S}*=${S}*(?:"1\\.[0-9]+"|'1\\.[0-9]+')`
  + `(?:${S}+encoding${S}*=${S}*(?:"[A-Za-z][\\w.-]*"|'[A-Za-z][\\w.-]*'))?`
  + `(?:${S}+standalone${S}*=${S}*(?:"(?:yes|no)"|'(?:yes|no)'))?${S}*\\?>$`,
);
export const blank = /^[ \t\r\n]*$/;
const noAttributes: ReadonlyMap<string, string> = new Map();

const predefinedEntities: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** In-scope namespace bindings: prefix ('' for the default namespace) → namespace name, null when undeclared. */
export type Scope = Record<string, string | null>;

export function emptyScope(): Scope {
  return Object.create(null) as Scope;
}

export interface StartTag {
  qname: string;
  namespace: string | null;
  localName: string;
  /** Unprefixed attributes, references decoded and white space normalized; empty when not kept. */
  attrs: ReadonlyMap<string, string>;
  scope: Scope;
  selfClosing: boolean;
  /** Position just after the tag's '>'. */
  end: number;
}

/** XML 1.0 §2.3 S: space, tab, LF, CR. */
export function isBlankCode(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/**
 * The reference starting at `amp` (an '&'): its replacement text and end, `value` undefined when it names anything
 * but a predefined entity or an XML character. Undefined when no reference starts there.
 */
export function readReference(s: string, amp: number): { value: string | undefined; end: number } | undefined {
  reference.lastIndex = amp;
  const m = reference.exec(s);
  if (m === null) return undefined;
  let value: string | undefined;
  if (m[3] !== undefined) value = predefinedEntities[m[3]];
  else {
    const cp = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
    if (isXmlChar(cp)) value = String.fromCodePoint(cp);
  }
  return { value, end: reference.lastIndex };
}

/** Replaces the five predefined entities and character references; anything else is not well-formed. */
export function decodeReferences(raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  let out = '';
  let from = 0;
  for (let amp = raw.indexOf('&'); amp !== -1; amp = raw.indexOf('&', from)) {
    const ref = readReference(raw, amp);
    if (ref === undefined) throw notXml('an ampersand does not start a reference', { column: at + amp });
    if (ref.value === undefined) throw notXml('an entity or character reference is not defined', { column: at + amp });
    out += raw.slice(from, amp) + ref.value;
    from = ref.end;
  }
  return out + raw.slice(from);
}

export function normalizeNewlines(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}

function normalizeAttribute(v: string): string {
  return /[\t\r\n]/.test(v) ? v.replace(/\r\n|[\t\r\n]/g, ' ') : v;
}

/** What is wrong with a processing instruction, given the text between '<?' and '?>'; undefined when nothing. */
export function piProblem(content: string): string | undefined {
  const target = piTarget.exec(content)?.[1];
  if (target === undefined) return 'processing instruction without a valid target';
  // XML 1.0 §2.6: targets matching [Xx][Mm][Ll] are reserved; '<?xml …?>' is the declaration, allowed only first.
  if (target.toLowerCase() === 'xml') return 'an XML declaration is allowed only at the start';
  return undefined;
}

/**
 * XML 1.0 §2.5: '--' must not occur inside a comment, nor may it end with '-'; so the first '--' after '<!--' must
 * be the one of its '-->' (at `end`). An empty comment '<!---->' is well-formed.
 */
export function commentIsWellFormed(firstDoubleHyphen: number, end: number): boolean {
  return firstDoubleHyphen === end;
}

export function isXmlDeclaration(declaration: string): boolean {
  return xmlDeclaration.test(declaration);
}

/**
 * A cursor over markup text. `base` is added to positions in error details, so a scanner over a slice (one tag
 * decoded from a byte document) reports where the slice sits in the document.
 */
export class Scanner {
  pos = 0;
  base = 0;
  private readonly patterns: { startTagName: RegExp; attribute: RegExp };

  /** `asciiNames`: accept only ASCII names (a tag with another name fails and has to be decoded and read again). */
  constructor(public src: string, asciiNames = false) {
    this.patterns = asciiNames ? asciiNamePatterns : anyNamePatterns;
  }

  /** Points the scanner at another text, the first character of which is at `base` in the document. */
  reset(src: string, base: number): void {
    this.src = src;
    this.pos = 0;
    this.base = base;
  }

  fail(reason: string, at = this.pos): never {
    throw notXml(reason, { column: this.base + at });
  }

  /** Skips a comment or processing instruction at pos; returns false at anything else. */
  skipMisc(): boolean {
    const s = this.src;
    if (s.startsWith('<!--', this.pos)) {
      const end = s.indexOf('-->', this.pos + 4);
      if (end === -1) this.fail('unterminated comment');
      if (!commentIsWellFormed(s.indexOf('--', this.pos + 4), end)) this.fail('comment is not well-formed');
      this.pos = end + 3;
      return true;
    }
    if (s.startsWith('<?', this.pos)) {
      const end = s.indexOf('?>', this.pos + 2);
      if (end === -1) this.fail('unterminated processing instruction');
      const problem = piProblem(s.slice(this.pos + 2, end));
      if (problem !== undefined) this.fail(problem);
      this.pos = end + 2;
      return true;
    }
    return false;
  }

  /** Skips the XML declaration when the text starts with one, checking its syntax. */
  skipXmlDeclaration(): void {
    const s = this.src;
    if (!s.startsWith('<?xml', 0) || !/[ \t\r\n]/.test(s[5] ?? '')) return;
    const end = s.indexOf('?>');
    if (end === -1) this.fail('unterminated XML declaration');
    if (!isXmlDeclaration(s.slice(0, end + 2))) this.fail('the XML declaration is not well-formed');
    this.pos = end + 2;
  }

  /**
   * Reads the start tag at pos (which must be '<' followed by a name) without moving pos. Checks the names, the
   * quoting, references in values, namespace declarations, that every prefix is bound, and that no attribute is
   * repeated (by expanded name). `keepAttributes` false leaves `attrs` empty (the whole-document check needs none).
   */
  readStartTag(scope: Scope, keepAttributes = true): StartTag {
    const s = this.src;
    const { startTagName, attribute } = this.patterns;
    startTagName.lastIndex = this.pos;
    const nameMatch = startTagName.exec(s);
    if (nameMatch === null) this.fail('invalid start tag');
    const qname = nameMatch[1] as string;
    let at = startTagName.lastIndex;
    const names: string[] = [];
    const values: string[] = [];
    let declared: Scope | undefined;
    let prefixed = false;
    for (;;) {
      attribute.lastIndex = at;
      const m = attribute.exec(s);
      if (m === null) break;
      const name = m[1] as string;
      const raw = m[2] ?? m[3] ?? '';
      const value = raw.includes('&') ? decodeReferences(raw, this.base + at) : raw;
      if (name.startsWith('xmlns') && (name.length === 5 || name.charCodeAt(5) === 0x3a)) {
        declared ??= Object.create(scope) as Scope;
        this.declare(declared, name.length === 5 ? '' : name.slice(6), normalizeAttribute(value), at);
      } else if (name.includes(':')) {
        prefixed = true;
      }
      names.push(name);
      if (keepAttributes) values.push(value);
      at = attribute.lastIndex;
    }
    tagClose.lastIndex = at;
    const close = tagClose.exec(s);
    if (close === null) this.fail('malformed start tag', at);
    const elementScope = declared ?? scope;
    const colon = qname.indexOf(':');
    const prefix = colon === -1 ? undefined : qname.slice(0, colon);
    // Namespaces in XML 1.0 §3: element names must not have the prefix xmlns.
    if (prefix === 'xmlns') this.fail('an element name has the prefix xmlns');
    const namespace = this.resolve(elementScope, prefix);
    if (names.length > 1 || prefixed) this.refuseRepeatedAttributes(names, elementScope, prefixed);
    let attrs: ReadonlyMap<string, string> = noAttributes;
    if (keepAttributes && names.length > 0) {
      const kept = new Map<string, string>();
      names.forEach((name, i) => {
        if (!name.includes(':')) kept.set(name, normalizeAttribute(values[i] ?? ''));
      });
      attrs = kept;
    }
    return {
      qname, namespace, localName: colon === -1 ? qname : qname.slice(colon + 1), attrs, scope: elementScope,
      selfClosing: close[1] === '/', end: tagClose.lastIndex,
    };
  }

  /** Checks that the end tag at pos closes `qname`; returns the position after it. */
  readEndTag(qname: string): number {
    const s = this.src;
    let at = this.pos + 2 + qname.length;
    if (!s.startsWith(qname, this.pos + 2)) this.fail('end tag does not match the open element');
    while (isBlankCode(s.charCodeAt(at))) at++;
    if (s.charCodeAt(at) !== 0x3e) this.fail('end tag does not match the open element');
    return at + 1;
  }

  /** Namespaces in XML 1.0 §3: xmlns is never declared, xml only to its own name, and neither name is bound to another prefix. */
  private declare(scope: Scope, prefix: string, value: string, at: number): void {
    if (prefix !== '' && value === '') this.fail('a namespace prefix cannot be undeclared', at);
    if (prefix === 'xmlns' || value === XMLNS_NS || (prefix === 'xml') !== (value === XML_NS)) {
      this.fail('a reserved namespace prefix or name is bound', at);
    }
    scope[prefix] = value === '' ? null : value;
  }

  /**
   * Namespaces in XML 1.0 §6.3: no two attributes with the same name, nor with the same local name and namespace
   * (`prefixed`: some attribute other than a declaration has a prefix, which must be bound).
   */
  private refuseRepeatedAttributes(names: string[], scope: Scope, prefixed: boolean): void {
    const keys = prefixed ? names.map((name) => {
      const colon = name.indexOf(':');
      if (colon === -1 || name.startsWith('xmlns:')) return name;
      return `{${this.resolve(scope, name.slice(0, colon)) ?? ''}}${name.slice(colon + 1)}`;
    }) : names;
    for (let i = 1; i < keys.length; i++) {
      for (let j = 0; j < i; j++) if (keys[i] === keys[j]) this.fail('an attribute is repeated');
    }
  }

  resolve(scope: Scope, prefix: string | undefined): string | null {
    if (prefix === undefined) return scope[''] ?? null;
    if (prefix === 'xml') return XML_NS;
    if (prefix === 'xmlns') return XMLNS_NS;
    const ns = scope[prefix];
    if (ns === undefined || ns === null) this.fail('a namespace prefix is not bound');
    return ns;
  }
}
