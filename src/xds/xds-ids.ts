import { createHash, randomUUID } from 'node:crypto';

/** Produces `urn:uuid:` identifiers for entryUUIDs and association ids. */
export type UuidSource = () => string;

/** Random v4 UUIDs, the default. */
export const randomUrnUuid: UuidSource = () => `urn:uuid:${randomUUID()}`;

function uuidShape(hex: string, version: string): string {
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${version}${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Repeatable v4-shaped UUIDs from a seed, for tests and golden files: same seed, same sequence. */
export function deterministicUuids(seed: string): UuidSource {
  let n = 0;
  return () => {
    n += 1;
    return `urn:uuid:${uuidShape(createHash('sha256').update(`${seed}:${n}`).digest('hex'), '4')}`;
  };
}

/**
 * A name-based (v5-style, SHA-1) UUID for the Classification and ExternalIdentifier ids inside one registry
 * object: stable for a given parent id and position, and unique because the parent entryUUID is.
 */
export function childUuid(parentId: string, position: string): string {
  return `urn:uuid:${uuidShape(createHash('sha1').update(`${parentId}#${position}`).digest('hex'), '5')}`;
}

/** An OID under the `2.25` arc made from a UUID (ITU-T X.667): unique without any counter to coordinate. */
export function oidFromUuid(uuid: string): string {
  const hex = uuid.replace(/^urn:uuid:/, '').replace(/-/g, '');
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/** An ISO OID as XDS accepts it for uniqueId: numeric arcs, no leading zeros, at most 64 characters. */
export function isOid(value: string): boolean {
  return value.length <= 64 && /^[0-2](\.(0|[1-9]\d*))+$/.test(value);
}
