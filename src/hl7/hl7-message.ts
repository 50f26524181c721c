import type { Delimiters } from './delimiters.js';
import type { Hl7Charset } from './charset.js';
import { unescapeHl7 } from './er7-escape.js';
import type { SegmentSource } from './segment-source.js';

const SPACE = 0x20;
const NBSP = 0xa0;

/** Trims ASCII spaces and NBSP (U+00A0) at both ends (volet A checklist item 4; the ANS examples carry
 *  `ASIP-SANTE- PS`, trailing NBSPs and `^^ expandedYes-NoIndicator`). */
export function trimHl7(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b) { const c = s.charCodeAt(a); if (c !== SPACE && c !== NBSP) break; a++; }
  while (b > a) { const c = s.charCodeAt(b - 1); if (c !== SPACE && c !== NBSP) break; b--; }
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** One value: split only when the text holds the delimiter, unescape only when it holds the escape
 *  character. A 300 KB base64 OBX-5.5 thus costs a few indexOf calls, never a per-character loop. */
function pick(text: string, sep: string, index: number): string {
  if (text.indexOf(sep) < 0) return index === 1 ? text : '';
  return text.split(sep)[index - 1] ?? '';
}

function finish(text: string, d: Delimiters, charset: Hl7Charset): string {
  return trimHl7(text.indexOf(d.escape) < 0 ? text : unescapeHl7(text, d, charset));
}

/** One repetition of a field. Components and subcomponents count from 1 and default to 1. */
export class Hl7Field {
  readonly #raw: string;
  readonly #d: Delimiters;
  readonly #charset: Hl7Charset;
  #components: string[] | undefined;

  /** @internal built by Hl7Segment */
  constructor(raw: string, d: Delimiters, charset: Hl7Charset) {
    this.#raw = raw;
    this.#d = d;
    this.#charset = charset;
  }

  #comps(): string[] {
    this.#components ??= this.#raw.indexOf(this.#d.component) < 0 ? [this.#raw] : this.#raw.split(this.#d.component);
    return this.#components;
  }

  /** Unescaped, trimmed value of component.subcomponent; '' when absent. */
  get(component = 1, subcomponent = 1): string {
    const c = this.#comps()[component - 1];
    if (c === undefined) return '';
    return finish(pick(c, this.#d.subcomponent, subcomponent), this.#d, this.#charset);
  }

  /** Number of components written (trailing empty ones included as sent). */
  get componentCount(): number {
    return this.#raw === '' ? 0 : this.#comps().length;
  }

  /** Number of subcomponents written in one component. */
  subcomponentCount(component: number): number {
    const c = this.#comps()[component - 1];
    if (c === undefined || c === '') return 0;
    return c.split(this.#d.subcomponent).length;
  }

  /** Raw (escaped, untrimmed) text of this repetition. */
  raw(): string {
    return this.#raw;
  }
}

/** One segment. Fields count from 1; for MSH, MSH-1 is the field separator and MSH-2 the encoding
 *  characters, so `get(n)` always means "field n" as the standard numbers it. */
export class Hl7Segment {
  readonly name: string;
  readonly #src: SegmentSource;
  readonly #d: Delimiters;
  readonly #charset: Hl7Charset;
  readonly #isMsh: boolean;

  /** @internal built by parseEr7 */
  constructor(name: string, source: SegmentSource, d: Delimiters, charset: Hl7Charset) {
    this.name = name;
    this.#src = source;
    this.#d = d;
    this.#charset = charset;
    this.#isMsh = name === 'MSH';
  }

  /** Raw (still escaped, untrimmed) text of a field; '' when absent. MSH-1 is the field separator.
   *  Source part 0 is the segment name; field n is part n, except MSH where field n is part n - 1. */
  raw(field: number): string {
    if (field < 1) return '';
    if (this.#isMsh) {
      if (field === 1) return this.#d.field;
      return this.#src.part(field - 1) ?? '';
    }
    return this.#src.part(field) ?? '';
  }

  /** Unescaped, trimmed value of field[repetition].component.subcomponent; each position defaults to 1,
   *  so `get(3)` is the first component of the first repetition of field 3. '' when absent.
   *  MSH-1 and MSH-2 return the delimiters themselves. */
  get(field: number, component = 1, subcomponent = 1, repetition = 1): string {
    if (this.#isMsh && (field === 1 || field === 2)) return this.raw(field);
    let text = this.raw(field);
    if (text === '') return '';
    text = pick(text, this.#d.repetition, repetition);
    text = pick(text, this.#d.component, component);
    text = pick(text, this.#d.subcomponent, subcomponent);
    return finish(text, this.#d, this.#charset);
  }

  /** All repetitions of a field ([] when the field is empty). MSH-1/MSH-2 give one literal repetition. */
  repetitions(field: number): Hl7Field[] {
    const text = this.raw(field);
    if (text === '') return [];
    if (this.#isMsh && (field === 1 || field === 2)) {
      // Delimiters that cannot occur in the text, so the encoding characters come back as one value.
      const literal = { ...this.#d, component: '\u0000', subcomponent: '\u0001', escape: '\u0002' };
      return [new Hl7Field(text, literal, this.#charset)];
    }
    const reps = text.indexOf(this.#d.repetition) < 0 ? [text] : text.split(this.#d.repetition);
    return reps.map((r) => new Hl7Field(r, this.#d, this.#charset));
  }

  /** Number of the last non-empty field. */
  get fieldCount(): number {
    let n = this.#src.count - 1;
    while (n > 0 && this.#src.part(n) === '') n--;
    return this.#isMsh ? n + 1 : n;
  }

  /** The segment as received (one line, without its terminator). */
  toString(): string {
    return this.#src.line();
  }
}

export class Hl7Message {
  readonly delimiters: Delimiters;
  /** From MSH-18; when MSH-18 is empty, the parse option `defaultCharset` (ASCII unless told). */
  readonly charset: Hl7Charset;
  readonly segments: readonly Hl7Segment[];
  #byName: Map<string, Hl7Segment[]> | undefined;

  /** @internal built by parseEr7 */
  constructor(delimiters: Delimiters, charset: Hl7Charset, segments: Hl7Segment[]) {
    this.delimiters = delimiters;
    this.charset = charset;
    this.segments = Object.freeze(segments);
  }

  all(name: string): Hl7Segment[] {
    if (this.#byName === undefined) {
      this.#byName = new Map();
      for (const s of this.segments) {
        const list = this.#byName.get(s.name);
        if (list) list.push(s); else this.#byName.set(s.name, [s]);
      }
    }
    return [...(this.#byName.get(name) ?? [])];
  }

  /** First (or nth, 1-based) segment with this name, or undefined. */
  segment(name: string, occurrence = 1): Hl7Segment | undefined {
    if (occurrence === 1 && this.segments[0]?.name === name) return this.segments[0];
    return this.all(name)[occurrence - 1];
  }

  #msh(): Hl7Segment {
    // parseEr7 guarantees the first segment is MSH.
    return this.segments[0] as Hl7Segment;
  }

  /** MSH-10. */
  get controlId(): string {
    return this.#msh().get(10);
  }

  /** MSH-9: message code, trigger event, message structure. */
  get messageType(): { code: string; event: string; structure: string } {
    const m = this.#msh();
    return { code: m.get(9, 1), event: m.get(9, 2), structure: m.get(9, 3) };
  }

  /** MSH-12.1 */
  get version(): string {
    return this.#msh().get(12);
  }
}
