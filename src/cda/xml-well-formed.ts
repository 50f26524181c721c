import { notXml, type XmlEncoding } from './safe-xml.js';
import {
  commentIsWellFormed, emptyScope, isBlankCode, isXmlDeclaration, piProblem, readReference, Scanner, type Scope, type StartTag,
} from './xml-scanner.js';

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SEMICOLON = 0x3b;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;

// Bytes converted at once for the fast reading of tags: large enough for many tags, small beside a base64 body.
const WINDOW = 8192;

const COMMENT_END = Buffer.from('-->', 'latin1');
const DOUBLE_HYPHEN = Buffer.from('--', 'latin1');
const PI_END = Buffer.from('?>', 'latin1');
const CDATA_END = Buffer.from(']]>', 'latin1');

const latin9Decoder = new TextDecoder('iso-8859-15');

function isNameEnd(c: number | undefined): boolean {
  return c === GT || c === SLASH || isBlankCode(c);
}

/**
 * Checks that a whole document is well-formed XML 1.0 with namespaces, by the same rules as the header reader
 * (xml-scanner.ts), without building a tree and without decoding its text: the document stays bytes, markup
 * being ASCII in the three accepted encodings (no byte of a multi-byte UTF-8 character is below 0x80). Only tags
 * are converted to text, to check their names, attributes and namespace bindings; a 200 KB base64 text node costs a
 * search for the next '<', '&' and ']]>'. Characters must have been checked first (sourceBytes).
 * Refusals are RLS_CDA_NOT_XML, with the byte offset as `column`.
 *
 * `resume`: the part before `at` has already been read and checked (by the header reader), and `at` is inside the
 * content of the root element, whose start tag is at `rootAt` and whose namespace bindings are `rootScope`; only
 * the rest of the root's content and what follows the root are checked.
 */
export function checkWellFormed(bytes: Buffer, encoding: XmlEncoding, resume?: { rootAt: number; at: number; rootScope: Scope }): void {
  const check = new WellFormedCheck(bytes, encoding);
  if (resume === undefined) check.run();
  else check.resume(resume.rootAt, resume.at, resume.rootScope);
}

class WellFormedCheck {
  /** Names of the open elements, as the bytes of the document read one per character (for comparing end tags). */
  private readonly open: string[] = [];
  private readonly scopes: Scope[] = [];
  private readonly tags = new Scanner('');
  /** The bytes [windowStart, windowEnd) read one character per byte, for reading ASCII tags without decoding each. */
  private readonly window = new Scanner('', true);
  private windowStart = 0;
  private windowEnd = 0;
  /** Next '&' and ']]>' at or after the current text; bytes.length when there is none. */
  private nextAmp = -1;
  private nextCdataEnd = -1;

  constructor(private readonly bytes: Buffer, private readonly encoding: XmlEncoding) {}

  run(): void {
    let pos = this.prolog();
    pos = this.startTag(pos, emptyScope());
    if (this.open.length > 0) pos = this.content(pos);
    this.epilog(pos);
  }

  resume(rootAt: number, at: number, rootScope: Scope): void {
    let nameEnd = rootAt + 1;
    while (nameEnd < this.bytes.length && !isNameEnd(this.bytes[nameEnd])) nameEnd++;
    this.open.push(this.bytes.toString('latin1', rootAt + 1, nameEnd));
    this.scopes.push(rootScope);
    this.epilog(this.content(at));
  }

  private fail(reason: string, at: number): never {
    throw notXml(reason, { column: at });
  }

  private decode(from: number, to: number): string {
    switch (this.encoding) {
      case 'utf-8':
        return this.bytes.toString('utf8', from, to);
      case 'iso-8859-1':
        return this.bytes.toString('latin1', from, to);
      case 'iso-8859-15':
        return latin9Decoder.decode(this.bytes.subarray(from, to));
    }
  }

  private find(value: number | Buffer, from: number): number {
    const at = this.bytes.indexOf(value, from);
    return at === -1 ? this.bytes.length : at;
  }

  private startsWith(ascii: string, at: number): boolean {
    for (let i = 0; i < ascii.length; i++) if (this.bytes[at + i] !== ascii.charCodeAt(i)) return false;
    return true;
  }

  private skipBlank(at: number): number {
    let p = at;
    while (isBlankCode(this.bytes[p])) p++;
    return p;
  }

  /** XML declaration, then white space, comments and PIs; returns the position of the root start tag. */
  private prolog(): number {
    let pos = 0;
    if (this.startsWith('<?xml', 0) && isBlankCode(this.bytes[5])) {
      const end = this.bytes.indexOf('?>', 0, 'latin1');
      if (end === -1) this.fail('unterminated XML declaration', 0);
      if (!isXmlDeclaration(this.decode(0, end + 2))) this.fail('the XML declaration is not well-formed', 0);
      pos = end + 2;
    }
    for (;;) {
      pos = this.skipBlank(pos);
      if (this.bytes[pos] !== LT) this.fail('content before the root element', pos);
      const next = this.misc(pos);
      if (next === undefined) break;
      pos = next;
    }
    if (this.bytes[pos + 1] === BANG) this.fail('unexpected declaration before the root element', pos);
    return pos;
  }

  /** After the root: white space, comments and PIs only. */
  private epilog(from: number): void {
    let pos = from;
    for (;;) {
      pos = this.skipBlank(pos);
      if (pos >= this.bytes.length) return;
      const next = this.bytes[pos] === LT ? this.misc(pos) : undefined;
      if (next === undefined) this.fail('content after the root element', pos);
      pos = next;
    }
  }

  /** A comment or PI at `lt`: the position after it, or undefined when there is something else. */
  private misc(lt: number): number | undefined {
    if (this.startsWith('<!--', lt)) {
      const end = this.bytes.indexOf(COMMENT_END, lt + 4);
      if (end === -1) this.fail('unterminated comment', lt);
      if (!commentIsWellFormed(this.bytes.indexOf(DOUBLE_HYPHEN, lt + 4), end)) this.fail('comment is not well-formed', lt);
      return end + 3;
    }
    if (this.bytes[lt + 1] === QUESTION) {
      const end = this.bytes.indexOf(PI_END, lt + 2);
      if (end === -1) this.fail('unterminated processing instruction', lt);
      const problem = piProblem(this.decode(lt + 2, end));
      if (problem !== undefined) this.fail(problem, lt);
      return end + 2;
    }
    return undefined;
  }

  /** The content of the open elements, until the root's end tag; returns the position after it. */
  private content(from: number): number {
    let pos = from;
    for (;;) {
      const lt = this.bytes.indexOf(LT, pos);
      if (lt === -1) this.fail('unclosed element at end of document', pos);
      if (lt > pos) this.text(pos, lt);
      const next = this.bytes[lt + 1];
      if (next === SLASH) {
        pos = this.endTag(lt);
        if (this.open.length === 0) return pos;
      } else if (next === BANG) {
        pos = this.startsWith('<![CDATA[', lt) ? this.cdata(lt) : this.misc(lt) ?? this.fail('unexpected declaration', lt);
      } else if (next === QUESTION) {
        pos = this.misc(lt) as number;
      } else {
        pos = this.startTag(lt, this.scopes[this.scopes.length - 1] as Scope);
      }
    }
  }

  /** Character data in [from, to): every '&' starts a predefined entity or character reference; no ']]>'. */
  private text(from: number, to: number): void {
    if (this.nextAmp < from) this.nextAmp = this.find(AMP, from);
    while (this.nextAmp < to) {
      const amp = this.nextAmp;
      const semicolon = this.bytes.indexOf(SEMICOLON, amp + 1);
      if (semicolon === -1 || semicolon >= to) this.fail('an ampersand does not start a reference', amp);
      const ref = readReference(this.bytes.toString('latin1', amp, semicolon + 1), 0);
      if (ref === undefined) this.fail('an ampersand does not start a reference', amp);
      if (ref.value === undefined) this.fail('an entity or character reference is not defined', amp);
      this.nextAmp = this.find(AMP, semicolon + 1);
    }
    if (this.nextCdataEnd < from) this.nextCdataEnd = this.find(CDATA_END, from);
    if (this.nextCdataEnd < to) this.fail('a CDATA end (]]>) in text', this.nextCdataEnd);
  }

  private cdata(lt: number): number {
    const end = this.bytes.indexOf(CDATA_END, lt + 9);
    if (end === -1) this.fail('unterminated CDATA section', lt);
    return end + 3;
  }

  /**
   * Reads the start tag at `lt` with the shared scanner. Fast path: over a window of the bytes read one character
   * per byte (one conversion for many tags), accepting ASCII names only. A tag that fails there (a non-ASCII name or
   * a real fault), that declares namespaces (whose names must be decoded), or that is followed by no other '<'
   * within a window's length, is read from its own decoded text.
   */
  private startTag(lt: number, scope: Scope): number {
    if (lt < this.windowStart || lt >= this.windowEnd) {
      // The window ends just before a '<', so that it never cuts a tag.
      const end = lt + WINDOW >= this.bytes.length ? this.bytes.length : this.bytes.lastIndexOf(LT, lt + WINDOW);
      if (end <= lt) return this.decodedStartTag(lt, scope);
      this.windowStart = lt;
      this.windowEnd = end;
      this.window.reset(this.bytes.toString('latin1', lt, end), lt);
    }
    this.window.pos = lt - this.windowStart;
    let tag: StartTag | undefined;
    try {
      tag = this.window.readStartTag(scope, false);
    } catch {
      tag = undefined;
    }
    if (tag === undefined || tag.scope !== scope) return this.decodedStartTag(lt, scope);
    if (!tag.selfClosing) {
      this.open.push(tag.qname);
      this.scopes.push(tag.scope);
    }
    return this.windowStart + tag.end;
  }

  /** Reads the start tag at `lt` from its decoded text: up to the first '>', or, when a quoted value holds a '>', up to the next '<' (which no tag contains). */
  private decodedStartTag(lt: number, scope: Scope): number {
    const gt = this.bytes.indexOf(GT, lt + 1);
    let to = gt === -1 ? this.bytes.length : gt + 1;
    let text = this.decode(lt, to);
    this.tags.reset(text, lt);
    let tag;
    try {
      tag = this.tags.readStartTag(scope, false);
    } catch (e) {
      const nextLt = this.bytes.indexOf(LT, lt + 1);
      if (gt === -1 || (nextLt !== -1 && nextLt <= gt + 1)) throw e;
      to = nextLt === -1 ? this.bytes.length : nextLt;
      text = this.decode(lt, to);
      this.tags.reset(text, lt);
      tag = this.tags.readStartTag(scope, false);
    }
    if (!tag.selfClosing) {
      this.open.push(this.bytes.toString('latin1', lt + 1, lt + 1 + this.byteLength(tag.qname)));
      this.scopes.push(tag.scope);
    }
    return lt + this.byteLength(text.slice(0, tag.end));
  }

  private byteLength(s: string): number {
    return this.encoding === 'utf-8' ? Buffer.byteLength(s, 'utf8') : s.length;
  }

  /** The end tag at `lt` must close the innermost open element. */
  private endTag(lt: number): number {
    const name = this.open[this.open.length - 1] as string;
    if (!this.startsWith(name, lt + 2)) this.fail('end tag does not match the open element', lt);
    const gt = this.skipBlank(lt + 2 + name.length);
    if (this.bytes[gt] !== GT) this.fail('end tag does not match the open element', lt);
    this.open.pop();
    this.scopes.pop();
    return gt + 1;
  }
}
