import { isAscii } from 'node:buffer';
import type { Hl7Charset } from './charset.js';
import { decodeBytes } from './charset.js';

/** The raw text of one segment, split at the field separator. parts(0) is the segment name. */
export interface SegmentSource {
  readonly count: number;
  part(index: number): string | undefined;
  line(): string;
}

/** A segment already decoded to text. */
export class TextSegmentSource implements SegmentSource {
  readonly #line: string;
  readonly #sep: string;
  #parts: string[] | undefined;

  constructor(line: string, fieldSeparator: string) {
    this.#line = line;
    this.#sep = fieldSeparator;
  }

  #split(): string[] {
    this.#parts ??= this.#line.split(this.#sep);
    return this.#parts;
  }

  get count(): number {
    return this.#split().length;
  }

  part(index: number): string | undefined {
    return this.#split()[index];
  }

  line(): string {
    return this.#line;
  }
}

/**
 * A segment kept as bytes (already validated for its charset) and decoded one field at a time, on first
 * access. A 300 KB base64 OBX-5 is thus decoded only if someone reads OBX-5, and as a one-byte string
 * (ASCII fast path) even when another field of the same segment holds 'é'. Splitting on the field
 * separator byte is safe: delimiters are ASCII and no UTF-8 multi-byte sequence contains an ASCII byte.
 */
export class ByteSegmentSource implements SegmentSource {
  readonly #bytes: Buffer;
  readonly #sep: number;
  readonly #charset: Hl7Charset;
  #bounds: number[] | undefined; // start offsets of each part, then bytes.length + 1
  #cache: (string | undefined)[] = [];

  constructor(bytes: Buffer, fieldSeparator: string, charset: Hl7Charset) {
    this.#bytes = bytes;
    this.#sep = fieldSeparator.charCodeAt(0);
    this.#charset = charset;
  }

  #split(): number[] {
    if (this.#bounds === undefined) {
      const b: number[] = [0];
      let i = this.#bytes.indexOf(this.#sep);
      while (i >= 0) {
        b.push(i + 1);
        i = this.#bytes.indexOf(this.#sep, i + 1);
      }
      b.push(this.#bytes.length + 1);
      this.#bounds = b;
    }
    return this.#bounds;
  }

  get count(): number {
    return this.#split().length - 1;
  }

  part(index: number): string | undefined {
    const b = this.#split();
    if (index < 0 || index >= b.length - 1) return undefined;
    let s = this.#cache[index];
    if (s === undefined) {
      s = decodeField(this.#bytes.subarray(b[index] as number, (b[index + 1] as number) - 1), this.#charset);
      this.#cache[index] = s;
    }
    return s;
  }

  line(): string {
    return decodeField(this.#bytes, this.#charset);
  }
}

/** Bytes already validated for the charset. ASCII bytes read as latin1 are the same text in every
 *  charset we support, and latin1 makes a compact one-byte string quickly. */
function decodeField(bytes: Buffer, charset: Hl7Charset): string {
  if (bytes.length === 0) return '';
  if (charset === 'ASCII' || charset === 'ISO-8859-1' || isAscii(bytes)) return bytes.toString('latin1');
  return decodeBytes(bytes, charset);
}
