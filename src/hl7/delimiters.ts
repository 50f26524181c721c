import { RelaisError } from '../domain/index.js';

export interface Delimiters {
  field: string;        // MSH-1, usually '|'
  component: string;    // '^'
  repetition: string;   // '~'
  escape: string;       // '\\'
  subcomponent: string; // '&'
  truncation?: string;  // v2.7 '#', accepted if present in MSH-2
}

export const defaultDelimiters: Delimiters = Object.freeze({
  field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&',
});

/** Printable ASCII that is neither a letter, a digit nor a space (HL7 v2 §2.5.4: delimiters are
 *  single characters; we accept only these so that a look-alike such as U+02DC '˜' in the ANS
 *  volet 2.0 ORU examples is refused instead of silently becoming a data character). */
function isAsciiPunctuation(c: string): boolean {
  if (c.length !== 1) return false;
  const x = c.charCodeAt(0);
  return (x >= 0x21 && x <= 0x2f) || (x >= 0x3a && x <= 0x40) || (x >= 0x5b && x <= 0x60) || (x >= 0x7b && x <= 0x7e);
}

/** MSH-2 as written in a message: component, repetition, escape, subcomponent [, truncation]. */
export function encodingCharacters(d: Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? '');
}

/** Reads MSH-1 and MSH-2 from the start of the MSH segment ("MSH|^~\&|…"), or says which of them is unusable:
 *  MSH-1 must be one punctuation character and MSH-2 hold 4 or 5 more, all distinct. Never throws. */
export function checkDelimiters(mshLine: string): Delimiters | 'MSH^1^1' | 'MSH^1^2' {
  const field = mshLine.charAt(3);
  if (!isAsciiPunctuation(field)) return 'MSH^1^1';
  let end = mshLine.indexOf(field, 4);
  if (end < 0) end = mshLine.length;
  const chars = [...mshLine.slice(4, end)];
  const ok = (chars.length === 4 || chars.length === 5)
    && chars.every(isAsciiPunctuation)
    && new Set([field, ...chars]).size === chars.length + 1;
  if (!ok) return 'MSH^1^2';
  const [component, repetition, escape, subcomponent, truncation] = chars as [string, string, string, string, string?];
  return truncation === undefined
    ? { field, component, repetition, escape, subcomponent }
    : { field, component, repetition, escape, subcomponent, truncation };
}

/** As checkDelimiters, but throws RLS_HL7_BAD_DELIMITERS (0357 code 102 at MSH^1^1 or MSH^1^2). */
export function readDelimiters(mshLine: string): Delimiters {
  const d = checkDelimiters(mshLine);
  if (typeof d !== 'string') return d;
  throw new RelaisError('RLS_HL7_BAD_DELIMITERS', d === 'MSH^1^1'
    ? 'MSH-1 is not an ASCII punctuation character'
    : 'MSH-2 must hold 4 or 5 distinct ASCII punctuation characters', { location: d, hl7Code: '102' });
}
