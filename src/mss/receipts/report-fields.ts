/**
 * The field groups of a delivery-status (RFC 3464 §2.1) or disposition-notification (RFC 8098 §3.1) body:
 * header-style `Name: value` lines with folded continuations, groups separated by blank lines. Bounded: at most
 * `maxGroups` groups and `maxFields` fields per group; longer values are cut.
 */
export type FieldGroup = ReadonlyMap<string, string>;

export interface FieldLimits {
  maxGroups: number;
  maxFields: number;
  maxValueLength: number;
}

export const defaultFieldLimits: Readonly<FieldLimits> = Object.freeze({ maxGroups: 500, maxFields: 100, maxValueLength: 2000 });

/** Field names are lower-cased; a repeated field keeps its first value. */
export function parseFieldGroups(text: string, limits: FieldLimits = defaultFieldLimits): FieldGroup[] {
  const groups: Map<string, string>[] = [];
  let current: Map<string, string> | undefined;
  let lastName: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      current = undefined;
      lastName = undefined;
      continue;
    }
    if (/^[ \t]/.test(line)) {
      // RFC 5322 folding: a continuation of the previous field.
      if (current !== undefined && lastName !== undefined) {
        const joined = `${current.get(lastName) ?? ''} ${line.trim()}`;
        current.set(lastName, joined.slice(0, limits.maxValueLength));
      }
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    if (current === undefined) {
      if (groups.length >= limits.maxGroups) break;
      current = new Map();
      groups.push(current);
    }
    if (current.size >= limits.maxFields || current.has(name)) {
      lastName = undefined;
      continue;
    }
    current.set(name, line.slice(colon + 1).trim().slice(0, limits.maxValueLength));
    lastName = name;
  }
  return groups;
}

/** `rfc822; a@b.fr` → `a@b.fr` (the address-type is dropped; a bare value is kept as is). */
export function typedAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  const address = (semi >= 0 ? value.slice(semi + 1) : value).trim().replace(/^<(.*)>$/, '$1');
  return address === '' ? undefined : address;
}

/** The first `<…>` msg-id in a value, with its brackets; a bare `left@right` gets them. */
export function msgIdOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bracketed = /<([^<>\s]+)>/.exec(value);
  if (bracketed) return `<${bracketed[1]}>`;
  const bare = value.trim();
  return /^[^<>\s@]+@[^<>\s@]+$/.test(bare) ? `<${bare}>` : undefined;
}
