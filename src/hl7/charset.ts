import { isAscii } from 'node:buffer';
import { RelaisError } from '../domain/index.js';

export type Hl7Charset = 'UTF-8' | 'ISO-8859-15' | 'ISO-8859-1' | 'ASCII';

/** HL7 table 0211 names we write in MSH-18 (volet A §2.4.1: `UNICODE UTF-8` or `8859/15`). */
const msh18Names: Record<Hl7Charset, string> = {
  'UTF-8': 'UNICODE UTF-8',
  'ISO-8859-15': '8859/15',
  'ISO-8859-1': '8859/1',
  ASCII: 'ASCII',
};

export function charsetMsh18Name(charset: Hl7Charset): string {
  return msh18Names[charset];
}

/** Maps an MSH-18 value (first repetition, first component) to a charset: '' when empty, undefined when
 *  unknown. Trimmed and case-insensitive; `UTF-8` alone is read as `UNICODE UTF-8`. */
export function lookupCharset(value: string): Hl7Charset | '' | undefined {
  const v = value.replace(/^[ \u00a0]+|[ \u00a0]+$/g, '').toUpperCase();
  switch (v) {
    case '': return '';
    case 'UNICODE UTF-8': case 'UTF-8': return 'UTF-8';
    case '8859/15': return 'ISO-8859-15';
    case '8859/1': return 'ISO-8859-1';
    case 'ASCII': return 'ASCII';
    default: return undefined;
  }
}

/** As lookupCharset, but undefined when empty, and RLS_HL7_UNKNOWN_CHARSET (0357 code 103, table
 *  value not found, at MSH^1^18) for names we do not decode. */
export function charsetFromMsh18(value: string): Hl7Charset | undefined {
  const c = lookupCharset(value);
  if (c === '') return undefined;
  if (c !== undefined) return c;
  throw new RelaisError('RLS_HL7_UNKNOWN_CHARSET', 'MSH-18 names an unsupported character set',
    { location: 'MSH^1^18', hl7Code: '103' });
}

// ISO-8859-15 differs from ISO-8859-1 at eight positions only.
const latin9FromByte: Record<number, string> = {
  0xa4: '\u20ac', 0xa6: '\u0160', 0xa8: '\u0161', 0xb4: '\u017d', 0xb8: '\u017e', 0xbc: '\u0152', 0xbd: '\u0153', 0xbe: '\u0178',
};
const latin9ToByte = new Map<string, number>(Object.entries(latin9FromByte).map(([b, c]) => [c, Number(b)]));
const latin9Differs = /[\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe]/g;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function badCharset(charset: Hl7Charset, cause?: unknown): RelaisError {
  return new RelaisError('RLS_HL7_BAD_CHARSET', `the message bytes are not valid ${charset} as declared by MSH-18`,
    { location: 'MSH^1^18', hl7Code: '102', charset }, cause === undefined ? undefined : { cause });
}

/** Strict decode: bytes that the charset cannot hold are refused (RLS_HL7_BAD_CHARSET, 102 at MSH^1^18).
 *  This is how ISO-8859-15 text sent under `UNICODE UTF-8` is caught instead of becoming U+FFFD. */
export function decodeBytes(bytes: Uint8Array, charset: Hl7Charset): string {
  switch (charset) {
    case 'UTF-8':
      try {
        return strictUtf8.decode(bytes);
      } catch (e) {
        throw badCharset(charset, e);
      }
    case 'ASCII':
      if (!isAscii(bytes)) throw badCharset(charset);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    case 'ISO-8859-1':
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    case 'ISO-8859-15': {
      const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
      return s.replace(latin9Differs, (c) => latin9FromByte[c.charCodeAt(0)] ?? c);
    }
  }
}

/** Best-effort decode for bytes inside \Xhh\ escapes and for header sniffing: never throws;
 *  returns undefined when the bytes are not valid in the charset. */
export function tryDecodeBytes(bytes: Uint8Array, charset: Hl7Charset): string | undefined {
  try {
    return decodeBytes(bytes, charset);
  } catch {
    return undefined;
  }
}

/** Lenient UTF-8 (invalid sequences become U+FFFD); for diagnostics only. */
export function decodeUtf8Lenient(bytes: Uint8Array): string {
  return lenientUtf8.decode(bytes);
}

// The `u` flag makes a character outside the BMP (or a lone surrogate) one '?' rather than two.
const notLatin9 = /[\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe\u0100-\u{10ffff}]/gu;
const hasNotLatin9 = /[\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe\u0100-\u{10ffff}]/u;
const notLatin1 = /[\u0100-\u{10ffff}]/gu;
const notAscii = /[\u0080-\u{10ffff}]/gu;

/** Encodes message text for the wire. Characters the target charset cannot hold become '?':
 *  HL7 \Xhh\ escapes carry bytes *of the message charset*, so they cannot smuggle in a character the
 *  charset lacks (e.g. '€' or 'œ' under 8859/1, any non-Latin letter under 8859/15). */
export function encodeEr7(text: string, charset: Hl7Charset): Buffer {
  switch (charset) {
    case 'UTF-8':
      return Buffer.from(text, 'utf8');
    case 'ASCII':
      return Buffer.from(text.replace(notAscii, '?'), 'latin1');
    case 'ISO-8859-1':
      return Buffer.from(text.replace(notLatin1, '?'), 'latin1');
    case 'ISO-8859-15': {
      if (!hasNotLatin9.test(text)) return Buffer.from(text, 'latin1');
      const mapped = text.replace(notLatin9, (c) => {
        const b = latin9ToByte.get(c);
        return b === undefined ? '?' : String.fromCharCode(b);
      });
      return Buffer.from(mapped, 'latin1');
    }
  }
}
