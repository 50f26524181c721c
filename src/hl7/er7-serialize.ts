import { defaultDelimiters, encodingCharacters, type Delimiters } from './delimiters.js';
import { escapeHl7 } from './er7-escape.js';

/** A component is a string, or an array of subcomponents. */
export type ComponentValue = string | string[];
/** A field is a string (one component), an array of components, or several repetitions. */
export type FieldValue = string | ComponentValue[] | { repetitions: FieldValue[] };
export type SegmentValue = [name: string, ...fields: FieldValue[]];

function dropTrailingEmpty(parts: string[]): string[] {
  let n = parts.length;
  while (n > 0 && parts[n - 1] === '') n--;
  return n === parts.length ? parts : parts.slice(0, n);
}

function component(value: ComponentValue, d: Delimiters): string {
  if (typeof value === 'string') return escapeHl7(value, d);
  return dropTrailingEmpty(value.map((s) => escapeHl7(s, d))).join(d.subcomponent);
}

function field(value: FieldValue, d: Delimiters): string {
  if (typeof value === 'string') return escapeHl7(value, d);
  if (Array.isArray(value)) return dropTrailingEmpty(value.map((c) => component(c, d))).join(d.component);
  return value.repetitions.map((r) => field(r, d)).join(d.repetition);
}

/** Builds ER7 text: values are escaped, trailing empty fields/components are left out, and every
 *  segment ends with CR (HL7 v2 §2.5; volet A §8 item 1: emit CR).
 *  For MSH, pass fields from MSH-3 on: ['MSH', sendingApp, …]; MSH-1/2 come from `delimiters`. */
export function serializeEr7(segments: SegmentValue[], delimiters: Delimiters = defaultDelimiters): string {
  const d = delimiters;
  let out = '';
  for (const [name, ...fields] of segments) {
    const parts = dropTrailingEmpty(fields.map((f) => field(f, d)));
    if (name === 'MSH') {
      out += ['MSH' + d.field + encodingCharacters(d), ...parts].join(d.field);
    } else {
      out += [name, ...parts].join(d.field);
    }
    out += '\r';
  }
  return out;
}
