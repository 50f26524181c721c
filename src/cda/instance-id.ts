import type { InstanceId } from './types.js';

/**
 * The XDS uniqueId form (MSS/DMP digest B2): `root` alone, or `root^extension`. Used as the store key and for
 * comparisons. The DMP refuses the `root^extension` form (digest C5); that check belongs to the DMP layer.
 */
export function formatInstanceId(id: InstanceId): string {
  return id.extension === undefined || id.extension === '' ? id.root : `${id.root}^${id.extension}`;
}

/**
 * The components of an HL7 v2 EI for TXA-12 / TXA-13 (volet A §2.4.6): `extension^^root^ISO` when the id has an
 * extension, otherwise `root` alone. Unescaped; the ER7 serializer escapes them.
 */
export function instanceIdToEi(id: InstanceId): string[] {
  return id.extension === undefined || id.extension === '' ? [id.root] : [id.extension, '', id.root, 'ISO'];
}
