import { deflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';

/**
 * A byte-level ZIP writer for hostile test archives: names yazl refuses (`../x`, `/abs`, backslashes), duplicate
 * names, encryption flags, symbolic links, and sizes that lie.
 */
export interface RawEntry {
  name: string;
  /** The uncompressed bytes; ignored when `compressed` is given. */
  data?: Buffer;
  /** Ready-made deflate data (method 8): lets a test build a bomb without holding its inflated bytes. */
  compressed?: Buffer;
  /** Default `data.length`; a lie makes a bomb whose header understates what it inflates to. */
  declaredSize?: number;
  /** Default deflate when `data` is given. */
  method?: 'store' | 'deflate';
  /** Sets general purpose bit 0 (traditional encryption). */
  encrypted?: boolean;
  /** Unix mode written in the external attributes with "made by Unix", e.g. 0o120777 for a symbolic link. */
  unixMode?: number;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function rawZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = e.data ?? Buffer.alloc(0);
    const method = e.compressed !== undefined || (e.method ?? 'deflate') === 'deflate' ? 8 : 0;
    const body = e.compressed ?? (method === 8 ? deflateRawSync(data) : data);
    const size = e.declaredSize ?? data.length;
    const crc = e.compressed !== undefined ? 0 : crc32(data);
    const flags = 0x800 | (e.encrypted === true ? 1 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x5a21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.unixMode === undefined ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x5a21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(e.unixMode === undefined ? 0 : (e.unixMode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Every file of a (trusted, test-made) zip, in order. */
export async function unzipAll(zip: Buffer): Promise<{ name: string; data: Buffer }[]> {
  const zipfile = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const out: { name: string; data: Buffer }[] = [];
  for await (const entry of zipfile.eachEntry()) {
    if (entry.fileName.endsWith('/')) continue;
    const stream = await zipfile.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
  }
  zipfile.close();
  return out;
}
