import { isUtf8 } from 'node:buffer';
import { checkDelimiters, defaultDelimiters, encodingCharacters, type Delimiters } from './delimiters.js';
import { lookupCharset, type Hl7Charset } from './charset.js';
import { unescapeHl7 } from './er7-escape.js';
import { trimHl7 } from './hl7-message.js';

/** Best-effort read of MSH fields from a message that failed to parse. Each value is the first
 *  component, unescaped and trimmed, as Hl7Segment.get() would give it. */
export interface HeaderInfo {
  sendingApp: string;        // MSH-3.1
  sendingFacility: string;   // MSH-4.1
  receivingApp: string;      // MSH-5.1
  receivingFacility: string; // MSH-6.1
  controlId: string;         // MSH-10
  processingId: string;      // MSH-11.1
  version: string;           // MSH-12.1
  event: string;             // MSH-9.2
  charset: Hl7Charset;       // MSH-18, only when it names a charset we know
  delimiters: Delimiters;    // MSH-1/2, only when they are valid
}

/** The MSH segment is never longer than this in practice; a longer first line is cut (the fields we
 *  want come first, and the rest may be a huge broken body). */
const MAX_HEADER = 8192;

function headerLine(input: Buffer | string): string {
  if (typeof input === 'string') {
    const s = input.replace(/^\ufeff?[\r\n \t]*/, '').slice(0, MAX_HEADER);
    const m = /[\r\n]/.exec(s);
    return m === null ? s : s.slice(0, m.index);
  }
  let i = input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  while (i < input.length && (input[i] === 0x0d || input[i] === 0x0a || input[i] === 0x20 || input[i] === 0x09)) i++;
  const bytes = input.subarray(i, i + MAX_HEADER);
  let end = bytes.indexOf(0x0d);
  const lf = bytes.indexOf(0x0a);
  if (end < 0 || (lf >= 0 && lf < end)) end = lf;
  const line = bytes.subarray(0, end < 0 ? bytes.length : end);
  return line.toString(isUtf8(line) ? 'utf8' : 'latin1');
}

/** Never throws: a message that reached this point is already known to be broken. MSA-2 can then
 *  still echo MSH-10 when the header is readable (volet A §2.7). */
export function sniffHeader(input: Buffer | string): Partial<HeaderInfo> {
  const out: Partial<HeaderInfo> = {};
  try {
    const line = headerLine(input);
    if (!line.startsWith('MSH') || line.length < 4) return out;
    const checked = checkDelimiters(line);
    let d: Delimiters;
    if (typeof checked === 'string') {
      // Unusable MSH-2 (e.g. '^˜\&'): still split on MSH-1 and the standard component separator.
      const field = line.charAt(3);
      if (checked === 'MSH^1^1' || encodingCharacters(defaultDelimiters).includes(field)) return out;
      d = { ...defaultDelimiters, field };
    } else {
      d = checked;
      out.delimiters = d;
    }
    const parts = line.split(d.field);
    // MSH-n is parts[n - 1].
    const value = (n: number, component = 1): string => {
      const raw = parts[n - 1]?.split(d.repetition)[0]?.split(d.component)[component - 1]?.split(d.subcomponent)[0] ?? '';
      return trimHl7(unescapeHl7(raw, d));
    };
    const fields: [keyof HeaderInfo, number, number][] = [
      ['sendingApp', 3, 1], ['sendingFacility', 4, 1], ['receivingApp', 5, 1], ['receivingFacility', 6, 1],
      ['event', 9, 2], ['controlId', 10, 1], ['processingId', 11, 1], ['version', 12, 1],
    ];
    for (const [key, n, c] of fields) {
      const v = value(n, c);
      if (v !== '') (out as Record<string, string>)[key] = v;
    }
    const charset = lookupCharset(value(18));
    if (charset) out.charset = charset;
    return out;
  } catch {
    // Best effort by contract: whatever was read before the failure is still useful for the AE.
    return out;
  }
}
