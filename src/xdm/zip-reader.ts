import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { XdmErrorCode, XdmReadLimits } from './types.js';
import { unsafeEntryName } from './xdm-names.js';

/**
 * A ZIP read from a buffer with every untrusted number checked before any byte is inflated: entry count from the
 * end-of-central-directory record, declared sizes and ratios from the central directory, and, while inflating,
 * a byte counter that stops at the declared size (so a header that lies cannot make us allocate more).
 */

export const DEFAULT_XDM_LIMITS: Readonly<XdmReadLimits> = Object.freeze({
  maxEntries: 200,
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
  maxMetadataBytes: 4 * 1024 * 1024,
});

export class XdmReadError extends Error {
  constructor(readonly code: XdmErrorCode, detail: string, readonly path?: string) {
    super(detail);
  }
}

export interface ZipEntryInfo {
  /** The name as stored, folders ending in `/`. */
  name: string;
  isFolder: boolean;
  uncompressedSize: number;
  compressedSize: number;
  entry: Entry;
}

export interface OpenedZip {
  zipfile: ZipFile;
  entries: ZipEntryInfo[];
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const UNIX_HOST = 3;
const UTF8_FLAG = 0x800;

// Without the UTF-8 flag, names are CP437; the XDM names are ASCII, so latin1 is enough to refuse the others.
function decodeName(raw: Buffer, flags: number): string {
  return (flags & UTF8_FLAG) !== 0 ? raw.toString('utf8') : raw.toString('latin1');
}

function open(zip: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings: false → names stay raw bytes and are checked here with stable error codes.
    yauzl.fromBuffer(zip, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (err, zipfile) => (err === null ? resolve(zipfile) : reject(new XdmReadError('RLS_XDM_NOT_ZIP', err.message))));
  });
}

function checkEntry(name: string, e: Entry, limits: XdmReadLimits): void {
  const unsafe = unsafeEntryName(name);
  if (unsafe !== undefined) throw new XdmReadError('RLS_XDM_UNSAFE_ENTRY', unsafe, name);
  if (e.isEncrypted()) throw new XdmReadError('RLS_XDM_UNSAFE_ENTRY', 'encrypted entry', name);
  if (e.versionMadeBy >>> 8 === UNIX_HOST) {
    const type = (e.externalFileAttributes >>> 16) & S_IFMT;
    // 0 = no Unix mode recorded; otherwise only regular files and folders.
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
      throw new XdmReadError('RLS_XDM_UNSAFE_ENTRY', 'symbolic link or special file', name);
    }
  }
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8) {
    throw new XdmReadError('RLS_XDM_UNSAFE_ENTRY', `compression method ${e.compressionMethod}`, name);
  }
  if (e.uncompressedSize > limits.maxEntryBytes) {
    throw new XdmReadError('RLS_XDM_LIMIT', `entry of ${e.uncompressedSize} bytes (limit ${limits.maxEntryBytes})`, name);
  }
  if (e.uncompressedSize > limits.ratioFloorBytes && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) {
    throw new XdmReadError('RLS_XDM_LIMIT', `compression ratio above ${limits.maxRatio}`, name);
  }
}

/** Opens the archive and reads and checks its whole central directory (no file data yet). */
export async function openZip(zip: Buffer, limits: XdmReadLimits): Promise<OpenedZip> {
  const zipfile = await open(zip);
  try {
    if (zipfile.entryCount > limits.maxEntries) {
      throw new XdmReadError('RLS_XDM_LIMIT', `${zipfile.entryCount} entries (limit ${limits.maxEntries})`);
    }
    const entries: ZipEntryInfo[] = [];
    const seen = new Set<string>();
    let total = 0;
    for await (const e of zipfile.eachEntry()) {
      const name = decodeName(e.fileNameRaw, e.generalPurposeBitFlag);
      checkEntry(name, e, limits);
      // Case-insensitive: on a case-insensitive file system or in a name lookup, two such names are one file.
      const key = name.toUpperCase();
      if (seen.has(key)) throw new XdmReadError('RLS_XDM_UNSAFE_ENTRY', 'duplicate name', name);
      seen.add(key);
      total += e.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        throw new XdmReadError('RLS_XDM_LIMIT', `more than ${limits.maxTotalBytes} uncompressed bytes in all`, name);
      }
      entries.push({ name, isFolder: name.endsWith('/'), uncompressedSize: e.uncompressedSize, compressedSize: e.compressedSize, entry: e });
    }
    return { zipfile, entries };
  } catch (err) {
    zipfile.close();
    if (err instanceof XdmReadError) throw err;
    throw new XdmReadError('RLS_XDM_NOT_ZIP', err instanceof Error ? err.message : String(err));
  }
}

/**
 * Inflates one entry, never holding more than `max(declared size, cap)` bytes: yauzl stops a stream that goes
 * past its declared size, and the counter here stops at the cap whatever the header says.
 */
export async function readEntry(zipfile: ZipFile, info: ZipEntryInfo, cap: number): Promise<Buffer> {
  if (info.uncompressedSize > cap) {
    throw new XdmReadError('RLS_XDM_LIMIT', `entry of ${info.uncompressedSize} bytes (limit ${cap})`, info.name);
  }
  let stream;
  try {
    stream = await zipfile.openReadStreamPromise(info.entry);
  } catch (err) {
    throw new XdmReadError('RLS_XDM_NOT_ZIP', err instanceof Error ? err.message : String(err), info.name);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > cap || size > info.uncompressedSize) {
        throw new XdmReadError('RLS_XDM_LIMIT', 'entry inflates past its declared size or the limit', info.name);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof XdmReadError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    // yauzl stops a stream that inflates past its declared size: a bomb whose header lies.
    if (/too many bytes/i.test(message)) throw new XdmReadError('RLS_XDM_LIMIT', 'entry inflates past its declared size', info.name);
    throw new XdmReadError('RLS_XDM_NOT_ZIP', message, info.name);
  }
  return Buffer.concat(chunks, size);
}
