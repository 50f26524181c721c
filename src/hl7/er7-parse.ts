import { isAscii, isUtf8 } from 'node:buffer';
import { RelaisError } from '../domain/index.js';
import { readDelimiters, type Delimiters } from './delimiters.js';
import { charsetFromMsh18, decodeBytes, type Hl7Charset } from './charset.js';
import { Hl7Message, Hl7Segment } from './hl7-message.js';
import { ByteSegmentSource, TextSegmentSource, type SegmentSource } from './segment-source.js';

export interface ParseOptions {
  /** Charset used when MSH-18 is empty. Default 'ASCII', the HL7 v2 meaning of an empty MSH-18
   *  (strict: a byte above 0x7F is then refused). Set it per peer for a DPI that omits MSH-18. */
  defaultCharset?: Hl7Charset;
  maxSegments?: number; // default 10_000
}

const CR = 0x0d;
const LF = 0x0a;
const segmentName = /^[A-Z][A-Z0-9]{2}$/;

function noMsh(): RelaisError {
  return new RelaisError('RLS_HL7_NO_MSH', undefined, { location: 'MSH^1', hl7Code: '100' });
}

/** MSH-18, first repetition, first component, read from the header line. */
function msh18Of(header: string, d: Delimiters): string {
  const raw = header.split(d.field)[17] ?? '';
  return raw.split(d.repetition)[0]?.split(d.component)[0] ?? '';
}

function isBlankBytes(b: Buffer): boolean {
  for (const x of b) if (x !== 0x20 && x !== 0x09) return false;
  return true;
}

/** Lines of a buffer split on CR, LF or CRLF, in O(n): each terminator kind is searched once ahead. */
function byteLines(body: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let nextCr = body.indexOf(CR);
  let nextLf = body.indexOf(LF);
  let start = 0;
  while (start <= body.length) {
    if (nextCr >= 0 && nextCr < start) nextCr = body.indexOf(CR, start);
    if (nextLf >= 0 && nextLf < start) nextLf = body.indexOf(LF, start);
    const end = nextCr < 0 ? nextLf : nextLf < 0 ? nextCr : Math.min(nextCr, nextLf);
    if (end < 0) {
      lines.push(body.subarray(start));
      break;
    }
    lines.push(body.subarray(start, end));
    start = end + 1; // a CRLF leaves an empty line, skipped as blank
  }
  return lines;
}

function textLines(text: string): string[] {
  if (text.indexOf('\r') < 0) return text.split('\n');
  if (text.indexOf('\n') < 0) return text.split('\r');
  return text.split('\r').flatMap((l) => (l.indexOf('\n') < 0 ? [l] : l.split('\n')));
}

/** Refuses bytes the declared charset cannot hold (RLS_HL7_BAD_CHARSET, 102 at MSH^1^18): ISO-8859-15
 *  text sent under `UNICODE UTF-8` is caught here instead of turning into U+FFFD. */
function checkCharset(body: Buffer, charset: Hl7Charset): void {
  if (charset === 'UTF-8' ? isUtf8(body) : charset === 'ASCII' ? isAscii(body) : true) return;
  decodeBytes(body, charset); // throws the coded error, with the decoder's cause
  throw new RelaisError('RLS_HL7_BAD_CHARSET', undefined, { location: 'MSH^1^18', hl7Code: '102', charset });
}

interface Line { name: string; source: SegmentSource }

const blankText = /^[ \t]*$/;

/** Decodes bytes per MSH-18 (strict), splits segments on CR, LF or CRLF (the ANS examples use LF;
 *  volet A §6), ignores blank lines, reads delimiters from MSH-1/2. Fields are split and decoded
 *  lazily, on first access. Throws RelaisError RLS_HL7_* with details.location (ERL) and
 *  details.hl7Code (table 0357). */
export function parseEr7(input: Buffer | string, options: ParseOptions = {}): Hl7Message {
  const maxSegments = options.maxSegments ?? 10_000;
  const lines: (Line | 'blank' | 'bad')[] = [];
  let delimiters: Delimiters;
  let charset: Hl7Charset;

  if (typeof input === 'string') {
    const raw = textLines(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input);
    const header = raw.find((l) => !blankText.test(l)) ?? '';
    if (!header.startsWith('MSH')) throw noMsh();
    delimiters = readDelimiters(header);
    charset = charsetFromMsh18(msh18Of(header, delimiters)) ?? options.defaultCharset ?? 'ASCII';
    for (const l of raw) {
      if (blankText.test(l)) lines.push('blank');
      else if (!segmentName.test(l.slice(0, 3)) || (l.length > 3 && l[3] !== delimiters.field)) lines.push('bad');
      else lines.push({ name: l.slice(0, 3), source: new TextSegmentSource(l, delimiters.field) });
    }
  } else {
    const bom = input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf;
    const body = bom ? input.subarray(3) : input;
    const raw = byteLines(body);
    const header = raw.find((l) => !isBlankBytes(l))?.toString('latin1') ?? '';
    // The MSH segment is read as bytes first (latin1: one char per byte) to learn MSH-18.
    if (!header.startsWith('MSH')) throw noMsh();
    delimiters = readDelimiters(header);
    charset = charsetFromMsh18(msh18Of(header, delimiters)) ?? options.defaultCharset ?? 'ASCII';
    checkCharset(body, charset);
    const sep = delimiters.field.charCodeAt(0);
    for (const l of raw) {
      if (isBlankBytes(l)) { lines.push('blank'); continue; }
      const name = l.subarray(0, 3).toString('latin1');
      if (!segmentName.test(name) || (l.length > 3 && l[3] !== sep)) lines.push('bad');
      else lines.push({ name, source: new ByteSegmentSource(l, delimiters.field, charset) });
    }
  }

  const segments: Hl7Segment[] = [];
  const seen = new Map<string, number>();
  let previous = 'MSH^1';
  for (const line of lines) {
    if (line === 'blank') continue;
    if (line === 'bad') {
      // Often a line break inside a value (e.g. a wrapped base64 OBX-5): point at the segment before it.
      throw new RelaisError('RLS_HL7_BAD_SEGMENT', 'a line does not start with a segment name and a field separator',
        { location: previous, hl7Code: '100', segmentIndex: segments.length + 1 });
    }
    const occurrence = (seen.get(line.name) ?? 0) + 1;
    seen.set(line.name, occurrence);
    if (segments.length >= maxSegments) {
      throw new RelaisError('RLS_HL7_BAD_SEGMENT', `the message has more than ${maxSegments} segments`,
        { location: `${line.name}^${occurrence}`, hl7Code: '100', maxSegments });
    }
    segments.push(new Hl7Segment(line.name, line.source, delimiters, charset));
    previous = `${line.name}^${occurrence}`;
  }
  return new Hl7Message(delimiters, charset, segments);
}
