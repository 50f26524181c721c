/**
 * A small BER/DER reader: just enough ASN.1 to walk a PKCS#12 file (X.690). PKCS#12 files from some
 * tools use BER indefinite lengths and constructed OCTET STRINGs, so both are accepted.
 */

export interface DerNode {
  /** Tag number with class and constructed bits, as the first identifier octet (e.g. 0x30 SEQUENCE, 0xa0 [0]). */
  readonly tag: number;
  readonly constructed: boolean;
  /** Content octets (for an indefinite-length node: its children's encodings). */
  readonly content: Buffer;
  /** Whole encoding, identifier and length included. */
  readonly encoded: Buffer;
  readonly children: readonly DerNode[];
}

export class DerError extends Error {
  override readonly name = 'DerError';
}

const maxDepth = 32;

function readNode(buf: Buffer, start: number, depth: number): { node: DerNode; next: number } {
  if (depth > maxDepth) throw new DerError('ASN.1 nesting too deep');
  if (start + 2 > buf.length) throw new DerError('truncated ASN.1 header');
  const tag = buf[start]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte ASN.1 tags are not expected here');
  const constructed = (tag & 0x20) !== 0;
  let pos = start + 1;
  const first = buf[pos++]!;
  if (first === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive value');
    const children: DerNode[] = [];
    for (;;) {
      if (pos + 2 > buf.length) throw new DerError('unterminated indefinite length');
      if (buf[pos] === 0 && buf[pos + 1] === 0) { pos += 2; break; }
      const r = readNode(buf, pos, depth + 1);
      children.push(r.node);
      pos = r.next;
    }
    return { node: { tag, constructed, content: buf.subarray(start + 2, pos - 2), encoded: buf.subarray(start, pos), children }, next: pos };
  }
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4 || pos + n > buf.length) throw new DerError('unsupported ASN.1 length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++]!;
  }
  const end = pos + length;
  if (end > buf.length) throw new DerError('ASN.1 length runs past the end of the data');
  const content = buf.subarray(pos, end);
  const children: DerNode[] = [];
  if (constructed) {
    let p = 0;
    while (p < content.length) {
      const r = readNode(content, p, depth + 1);
      children.push(r.node);
      p = r.next;
    }
  }
  return { node: { tag, constructed, content, encoded: buf.subarray(start, end), children }, next: end };
}

/** Parses one ASN.1 value that must fill the whole buffer. */
export function readDer(buf: Buffer): DerNode {
  const { node, next } = readNode(buf, 0, 0);
  if (next !== buf.length) throw new DerError('trailing bytes after the ASN.1 value');
  return node;
}

export function child(node: DerNode, index: number, tag?: number): DerNode {
  const c = node.children[index];
  if (!c) throw new DerError(`missing ASN.1 element ${index}`);
  if (tag !== undefined && c.tag !== tag) throw new DerError(`unexpected ASN.1 tag 0x${c.tag.toString(16)} (expected 0x${tag.toString(16)})`);
  return c;
}

/** OCTET STRING bytes (primitive 0x04, constructed 0x24, or an implicit context tag), segments joined. */
export function octets(node: DerNode): Buffer {
  return node.constructed ? Buffer.concat(node.children.map(octets)) : node.content;
}

export function oid(node: DerNode): string {
  if (node.tag !== 0x06) throw new DerError('expected an OBJECT IDENTIFIER');
  const b = node.content;
  if (b.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const parts: number[] = [];
  let value = 0;
  for (const byte of b) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) { parts.push(value); value = 0; }
  }
  const firstArc = parts[0]!;
  const head = firstArc < 40 ? [0, firstArc] : firstArc < 80 ? [1, firstArc - 40] : [2, firstArc - 80];
  return [...head, ...parts.slice(1)].join('.');
}

export function integer(node: DerNode): number {
  if (node.tag !== 0x02) throw new DerError('expected an INTEGER');
  if (node.content.length > 6) throw new DerError('INTEGER too large');
  return node.content.readUIntBE(0, node.content.length);
}
