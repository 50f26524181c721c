import { isUtf8 } from 'node:buffer';
import { DOMParser, type Document } from '@xmldom/xmldom';
import { RelaisError } from '../domain/index.js';

export const DEFAULT_MAX_XML_BYTES = 20 * 1024 * 1024;

export interface SafeXmlOptions { maxBytes?: number }

export type XmlEncoding = 'utf-8' | 'iso-8859-1' | 'iso-8859-15';

// IANA names and the usual aliases of the three encodings a CDA may declare.
const encodingAliases: Readonly<Record<string, XmlEncoding>> = {
  'utf-8': 'utf-8', utf8: 'utf-8',
  'iso-8859-1': 'iso-8859-1', 'iso_8859-1': 'iso-8859-1', latin1: 'iso-8859-1', l1: 'iso-8859-1',
  'iso-8859-15': 'iso-8859-15', 'iso_8859-15': 'iso-8859-15', latin9: 'iso-8859-15', 'latin-9': 'iso-8859-15',
};

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const latin9Decoder = new TextDecoder('iso-8859-15');
const declarationEncoding = /^<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]*)["']/;
// XML 1.0 §2.2: C0 controls other than TAB, LF, CR are not characters of a document.
// eslint-disable-next-line no-control-regex -- matching those control characters is the point
const forbiddenChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// A surrogate not part of a pair is not a character either (only a JavaScript string can hold one).
const loneSurrogate = /[\uD800-\uDFFF]/u;
const markupDeclaration = Buffer.from('<!', 'latin1');

/**
 * A document that passed the checks that need no parsing: size, XML-looking start, encoding, no DTD.
 * Either the text (string input) or the bytes after any BOM with their encoding.
 */
export type XmlSource =
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Buffer; encoding: XmlEncoding };

/**
 * Checks input before any parsing: oversize (RLS_CDA_TOO_LARGE); non-XML, i.e. the first non-blank character is
 * not '<' (RLS_CDA_NOT_XML: the ANS placeholder sentence, PDF bytes…); UTF-16/32 or a declared encoding other than
 * UTF-8 / ISO-8859-1 / ISO-8859-15 (RLS_CDA_BAD_ENCODING); any DOCTYPE or ENTITY declaration anywhere
 * (RLS_CDA_FORBIDDEN_DTD). A CDA never needs a DTD, so refusing them is how entity expansion (XML bombs) and
 * external entities (XXE) are kept out: nothing is ever expanded or fetched.
 */
export function openXml(input: Buffer | string, options: SafeXmlOptions = {}): XmlSource {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) throw new RelaisError('RLS_CDA_TOO_LARGE', undefined, { size, maxBytes });
  if (typeof input === 'string') {
    const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    refuseNonXmlStart(text.slice(0, 256));
    refuseDtdInText(text);
    return { kind: 'text', text };
  }
  const source = sniffBytes(input);
  refuseDtdInBytes(source.bytes);
  return source;
}

/**
 * The document text, or only its start when the header is all that is wanted: `end` bytes of a byte source (cut back
 * to a character boundary) or `end` characters of a text source. Only the decoded part is checked:
 * invalid UTF-8 → RLS_CDA_BAD_ENCODING, a character XML forbids → RLS_CDA_NOT_XML (not again when
 * `charactersChecked`, sourceBytes having checked the whole document).
 */
export function sourceText(source: XmlSource, end?: number, charactersChecked = false): string {
  let text: string;
  if (source.kind === 'text') {
    text = end === undefined ? source.text : source.text.slice(0, end);
  } else {
    let bytes = source.bytes;
    if (end !== undefined && end < bytes.length) {
      let cut = end;
      // Never cut inside a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
      if (source.encoding === 'utf-8') while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
      bytes = bytes.subarray(0, cut);
    }
    text = decodeBytes(bytes, source.encoding);
  }
  if (charactersChecked) return text;
  if (forbiddenChars.test(text) || (source.kind === 'text' && loneSurrogate.test(text))) throw forbiddenCharacter();
  return text;
}

function forbiddenCharacter(): RelaisError {
  return notXml('a character XML forbids (control character)');
}

/**
 * The whole document as bytes, with the same character checks as sourceText but without decoding: invalid UTF-8 →
 * RLS_CDA_BAD_ENCODING, a character XML forbids → RLS_CDA_NOT_XML. Decoding a 400 KB document whose text is not
 * all ASCII costs about 2 ms, most of it spent on a base64 body whose characters only need checking.
 * A text source is checked as text, then encoded to UTF-8.
 */
export function sourceBytes(source: XmlSource): { bytes: Buffer; encoding: XmlEncoding } {
  if (source.kind === 'text') {
    if (forbiddenChars.test(source.text) || loneSurrogate.test(source.text)) throw forbiddenCharacter();
    return { bytes: Buffer.from(source.text, 'utf8'), encoding: 'utf-8' };
  }
  const { bytes, encoding } = source;
  if (encoding === 'utf-8') {
    if (!isUtf8(bytes)) throw new RelaisError('RLS_CDA_BAD_ENCODING', 'the bytes are not valid UTF-8', { encoding });
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF; EF leads only U+F000–U+FFFF, rare in a CDA.
    for (let at = bytes.indexOf(0xef); at !== -1; at = bytes.indexOf(0xef, at + 1)) {
      if (bytes[at + 1] === 0xbf && ((bytes[at + 2] ?? 0) & 0xfe) === 0xbe) throw forbiddenCharacter();
    }
  }
  // The C0 controls are the same bytes in UTF-8 and ISO-8859-1/15, and no other character contains those bytes.
  if (hasForbiddenControl(bytes)) throw forbiddenCharacter();
  return { bytes, encoding };
}

const ONES = 0x01010101;
const HIGH_BITS = 0x80808080 | 0;
const LOW_7_BITS = 0x7f7f7f7f;
const SPACES = 0x20202020;
const BELOW_TAB = ONES * 9;
const ABOVE_LF_LIMIT = (ONES * (127 + 13)) | 0;
const ABOVE_LF_BASE = (ONES * (127 - 10)) | 0;
const ABOVE_CR_LIMIT = (ONES * (127 + 32)) | 0;
const ABOVE_CR_BASE = (ONES * (127 - 13)) | 0;

function isForbiddenControl(c: number): boolean {
  return c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d;
}

/**
 * Non-zero when one of the four bytes of `w` is 0x00–0x08, 0x0B–0x0C or 0x0E–0x1F ("hasless"/"hasbetween", Sean
 * Anderson's Bit Twiddling Hacks: per-byte comparisons done on a whole 32-bit word).
 */
function forbiddenInWord(w: number): number {
  const low = w & LOW_7_BITS;
  return (((w - BELOW_TAB) & ~w) | ((ABOVE_LF_LIMIT - low) & ~w & (low + ABOVE_LF_BASE))
    | ((ABOVE_CR_LIMIT - low) & ~w & (low + ABOVE_CR_BASE))) & HIGH_BITS;
}

/**
 * Whether any byte is a C0 control other than TAB, LF, CR. Reads the bytes four words at a time (about three times
 * faster than a regular expression over the decoded text, which would have to be decoded first): a cheap test for
 * "any byte below 0x20", which base64 seldom passes, then the exact test, which lets the line breaks and the
 * indentation of N3 markup through.
 */
function hasForbiddenControl(bytes: Buffer): boolean {
  const head = Math.min((4 - (bytes.byteOffset & 3)) & 3, bytes.length);
  const words = (bytes.length - head) >>> 2;
  const tail = head + words * 4;
  for (let i = 0; i < head; i++) if (isForbiddenControl(bytes[i] ?? 0)) return true;
  for (let i = tail; i < bytes.length; i++) if (isForbiddenControl(bytes[i] ?? 0)) return true;
  const view = new Int32Array(bytes.buffer, bytes.byteOffset + head, words);
  const blocks = words - (words & 3);
  for (let i = 0; i < blocks; i += 4) {
    const a = view[i] as number;
    const b = view[i + 1] as number;
    const c = view[i + 2] as number;
    const d = view[i + 3] as number;
    if ((((a - SPACES) & ~a) | ((b - SPACES) & ~b) | ((c - SPACES) & ~c) | ((d - SPACES) & ~d)) & HIGH_BITS
      && (forbiddenInWord(a) | forbiddenInWord(b) | forbiddenInWord(c) | forbiddenInWord(d)) !== 0) return true;
  }
  for (let i = blocks; i < words; i++) if (forbiddenInWord(view[i] as number) !== 0) return true;
  return false;
}

/** openXml + sourceText: the whole document text, checked. */
export function decodeXml(input: Buffer | string, options: SafeXmlOptions = {}): string {
  return sourceText(openXml(input, options));
}

function sniffBytes(input: Buffer): XmlSource & { kind: 'bytes' } {
  const first = input[0];
  const second = input[1];
  if ((first === 0xfe && second === 0xff) || (first === 0xff && second === 0xfe) || first === 0 || second === 0) {
    throw new RelaisError('RLS_CDA_BAD_ENCODING', 'UTF-16/UTF-32 documents are not accepted', { encoding: 'utf-16' });
  }
  const hasBom = first === 0xef && second === 0xbb && input[2] === 0xbf;
  const bytes = hasBom ? input.subarray(3) : input;
  const head = bytes.subarray(0, 256).toString('latin1');
  refuseNonXmlStart(head);
  const declared = declarationEncoding.exec(head)?.[1];
  const encoding = declared === undefined ? 'utf-8' : encodingAliases[declared.toLowerCase()];
  if (encoding === undefined) {
    throw new RelaisError('RLS_CDA_BAD_ENCODING', 'the XML declaration names an unsupported encoding', { encoding: declared });
  }
  if (hasBom && encoding !== 'utf-8') {
    throw new RelaisError('RLS_CDA_BAD_ENCODING', 'a UTF-8 byte order mark contradicts the declared encoding', { encoding });
  }
  return { kind: 'bytes', bytes, encoding };
}

function decodeBytes(bytes: Buffer, encoding: XmlEncoding): string {
  switch (encoding) {
    case 'utf-8':
      try {
        return utf8Decoder.decode(bytes);
      } catch {
        throw new RelaisError('RLS_CDA_BAD_ENCODING', 'the bytes are not valid UTF-8', { encoding });
      }
    case 'iso-8859-1':
      return bytes.toString('latin1');
    case 'iso-8859-15':
      return latin9Decoder.decode(bytes);
  }
}

function refuseNonXmlStart(head: string): void {
  const m = /\S/.exec(head);
  if (m === null || m[0] !== '<') throw notXml('the content does not start with markup');
}

function refuseDeclaration(word: string): void {
  const upper = word.toUpperCase();
  if (upper.startsWith('DOCTYPE') || upper.startsWith('ENTITY')) {
    throw new RelaisError('RLS_CDA_FORBIDDEN_DTD', undefined, { declaration: upper.startsWith('ENTITY') ? 'ENTITY' : 'DOCTYPE' });
  }
}

function refuseDtdInText(text: string): void {
  for (let at = text.indexOf('<!'); at !== -1; at = text.indexOf('<!', at + 2)) refuseDeclaration(text.slice(at + 2, at + 9));
}

/** Both declarations are ASCII, identical in the three accepted encodings: the bytes are scanned directly. */
function refuseDtdInBytes(bytes: Buffer): void {
  for (let at = bytes.indexOf(markupDeclaration); at !== -1; at = bytes.indexOf(markupDeclaration, at + 2)) {
    refuseDeclaration(bytes.toString('latin1', at + 2, at + 9));
  }
}

/** Quoted fragments of parser messages may hold document text (patient data): they are elided. */
function safeReason(message: string): string {
  return message.replace(/"[^"]*"|'[^']*'/g, '…').slice(0, 160);
}

export function notXml(reason: string, position?: { line?: number; column?: number }): RelaisError {
  return new RelaisError('RLS_CDA_NOT_XML', undefined, { reason: safeReason(reason), ...position });
}

/**
 * Parses already-checked text with xmldom made strict: warnings, errors and fatal errors all stop the parse
 * (xmldom alone accepts text before the root, unknown entities, unquoted attributes…).
 */
export function parseXmlStrict(text: string): Document {
  // xmldom wraps whatever onError throws into its own ParseError, so the first report is kept aside.
  let reported: RelaisError | undefined;
  const parser = new DOMParser({
    onError: (_level, message, context: unknown) => {
      const locator = (context as { locator?: { lineNumber?: number; columnNumber?: number } } | undefined)?.locator;
      reported ??= notXml(message, { line: locator?.lineNumber, column: locator?.columnNumber });
      throw reported;
    },
  });
  try {
    return parser.parseFromString(text, 'text/xml');
  } catch (e) {
    throw reported ?? notXml(e instanceof Error ? e.message : 'parse failed');
  }
}

/** decodeXml + parseXmlStrict. */
export function loadSafeXml(input: Buffer | string, options: SafeXmlOptions = {}): Document {
  return parseXmlStrict(decodeXml(input, options));
}
