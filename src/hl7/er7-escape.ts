import type { Delimiters } from './delimiters.js';
import { tryDecodeBytes, type Hl7Charset } from './charset.js';

const hexPairs = /^(?:[0-9A-Fa-f]{2})+$/;

function escapeRegExpChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? '\\' + c : c;
}

const escapeMatchers = new WeakMap<Delimiters, RegExp>();
function escapeMatcher(d: Delimiters): RegExp {
  let re = escapeMatchers.get(d);
  if (re === undefined) {
    const chars = [d.field, d.component, d.repetition, d.escape, d.subcomponent, d.truncation ?? '', '\r', '\n']
      .filter((c) => c !== '').map(escapeRegExpChar).join('');
    re = new RegExp(`[${chars}]`, 'g');
    escapeMatchers.set(d, re);
  }
  return re;
}

/** HL7 v2 §2.7: delimiters inside data become \F\ \S\ \T\ \R\ \E\ (and \P\ for a v2.7 truncation
 *  character); CR and LF become \X0D\ and \X0A\ so that data can never end a segment. */
export function escapeHl7(value: string, d: Delimiters): string {
  const re = escapeMatcher(d);
  re.lastIndex = 0;
  if (!re.test(value)) return value;
  re.lastIndex = 0;
  const e = d.escape;
  return value.replace(re, (c) => {
    switch (c) {
      case d.field: return `${e}F${e}`;
      case d.component: return `${e}S${e}`;
      case d.subcomponent: return `${e}T${e}`;
      case d.repetition: return `${e}R${e}`;
      case d.escape: return `${e}E${e}`;
      case d.truncation: return `${e}P${e}`;
      case '\r': return `${e}X0D${e}`;
      default: return `${e}X0A${e}`;
    }
  });
}

/** Decodes escape sequences in one component or subcomponent (HL7 v2 §2.7).
 *  - \F\ \S\ \T\ \R\ \E\ (and \P\ when MSH-2 declares a truncation character) give the delimiter back.
 *  - \Xhh…\ gives the bytes hh… decoded in `charset` (the message charset, UTF-8 when not told); a
 *    sequence that is not whole hex pairs, or bytes invalid in the charset, is kept verbatim.
 *  - \.br\ gives '\n' (a line break in formatted text); other formatting commands (\.sp\, \.in\ …),
 *    highlighting (\H\ \N\) and character-set switches (\C…\ \M…\) and \Z…\ are kept verbatim,
 *    as is an escape character with no closing one. */
export function unescapeHl7(value: string, d: Delimiters, charset: Hl7Charset = 'UTF-8'): string {
  const e = d.escape;
  let start = value.indexOf(e);
  if (start < 0) return value;
  let out = '';
  let from = 0;
  while (start >= 0) {
    const end = value.indexOf(e, start + 1);
    if (end < 0) break;
    const seq = value.slice(start + 1, end);
    let decoded: string | undefined;
    switch (seq) {
      case 'F': decoded = d.field; break;
      case 'S': decoded = d.component; break;
      case 'T': decoded = d.subcomponent; break;
      case 'R': decoded = d.repetition; break;
      case 'E': decoded = d.escape; break;
      case 'P': decoded = d.truncation; break;
      case '.br': decoded = '\n'; break;
      default:
        if (seq.length > 1 && (seq[0] === 'X' || seq[0] === 'x') && hexPairs.test(seq.slice(1))) {
          decoded = tryDecodeBytes(Buffer.from(seq.slice(1), 'hex'), charset);
        }
    }
    if (seq === '') {
      // Two escape characters in a row open no sequence: keep the first, look again from the second.
      out += value.slice(from, end);
      from = end;
      start = end;
      continue;
    }
    if (decoded !== undefined) {
      out += value.slice(from, start) + decoded;
      from = end + 1;
    }
    start = value.indexOf(e, end + 1);
  }
  return out + value.slice(from);
}
