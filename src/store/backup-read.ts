/**
 * Reading a backup archive (backup.ts): decryption when it is encrypted, gunzip, lines, SHA-256 and
 * structure checks. A visitor receives the header, the rows table by table in batches and the files;
 * the checksum and the row counts are checked at the trailer, so a caller that writes what it receives
 * (a restore) does it inside a transaction it commits only when readArchive resolves.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { RelaisError, isRelaisError } from '../domain/index.js';
import { ENCRYPTED_MAGIC, decryptingStream } from './backup-crypto.js';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION } from './backup.js';
import type { BackupHeader, BackupSummary } from './backup.js';

export interface ArchiveVisitor {
  header?(header: BackupHeader): Promise<void>;
  /** Each row is one JSON array, as its text (the caller parses it, or hands it to the database as is). */
  rows?(table: string, rows: readonly string[]): Promise<void>;
  file?(name: string, content: Buffer): Promise<void>;
}

export interface ReadOptions {
  /** Needed for an encrypted archive; ignored for a plain one. */
  readonly passphrase?: string;
}

/** Rows handed to the visitor at once: bounded in count and in bytes (documents can be large). */
const BATCH_ROWS = 500;
const BATCH_BYTES = 4 << 20;

function invalid(message: string, details: Record<string, unknown> = {}): RelaisError {
  return new RelaisError('RLS_BACKUP_INVALID', message, details);
}

/** Reads the whole archive, calling the visitor as it goes; resolves when the trailer checks out. */
export async function readArchive(input: Readable, o: ReadOptions, visitor: ArchiveVisitor = {}): Promise<BackupSummary> {
  const source = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  while (head.length < ENCRYPTED_MAGIC.length) {
    const next = await source.next();
    if (next.done) break;
    head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  const encrypted = head.subarray(0, ENCRYPTED_MAGIC.length).equals(ENCRYPTED_MAGIC);
  if (!encrypted && !(head[0] === 0x1f && head[1] === 0x8b)) throw invalid('the file is not a Relais backup (neither gzip nor an encrypted archive)');
  if (encrypted && (o.passphrase === undefined || o.passphrase === '')) {
    throw new RelaisError('RLS_BACKUP_PASSPHRASE', 'the backup is encrypted: give its passphrase (RELAIS_BACKUP_PASSPHRASE or standard input)');
  }
  const raw = Readable.from((async function* () {
    yield head;
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  })(), { objectMode: false });

  let summary: BackupSummary | undefined;
  const consume = async (plain: AsyncIterable<Buffer>): Promise<void> => {
    summary = await consumeLines(plain, encrypted, visitor);
  };
  try {
    if (encrypted) await pipeline(raw, decryptingStream(o.passphrase!), createGunzip(), consume);
    else await pipeline(raw, createGunzip(), consume);
  } catch (e) {
    if (isRelaisError(e)) throw e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw invalid(`the archive's compressed stream is damaged or truncated (${(e as Error).message})`, { reason: code });
    }
    throw e;
  }
  if (!summary) throw invalid('the archive has no trailer');
  return summary;
}

async function* splitLines(plain: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let rest: Buffer[] = [];
  for await (const chunk of plain) {
    let from = 0;
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, from)) {
      const piece = chunk.subarray(from, at + 1);
      yield rest.length === 0 ? piece : Buffer.concat([...rest, piece]);
      rest = [];
      from = at + 1;
    }
    if (from < chunk.length) rest.push(chunk.subarray(from));
  }
  if (rest.length > 0) throw invalid('the archive ends in the middle of a line (truncated)');
}

function parseObject(line: Buffer, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(line.toString('utf8')) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw invalid(`the archive's ${what} is not a JSON object`);
}

function checkHeader(h: Record<string, unknown>): BackupHeader {
  if (h.format !== BACKUP_FORMAT) throw invalid('the file is not a Relais backup (no header)');
  if (h.formatVersion !== BACKUP_FORMAT_VERSION) {
    throw invalid(`the archive format version ${String(h.formatVersion)} is not one this Relais reads (${BACKUP_FORMAT_VERSION})`);
  }
  const tables = h.tables;
  if (!Array.isArray(h.migrations) || !h.migrations.every((m) => typeof m === 'string')
    || !Array.isArray(tables) || !tables.every((t) => typeof t?.name === 'string' && Array.isArray(t.columns) && Number.isInteger(t.rows))
    || !Array.isArray(h.files)) {
    throw invalid('the archive header is malformed');
  }
  return h as unknown as BackupHeader;
}

async function consumeLines(plain: AsyncIterable<Buffer>, encrypted: boolean, visitor: ArchiveVisitor): Promise<BackupSummary> {
  const hash = createHash('sha256');
  let contentBytes = 0;
  let header: BackupHeader | undefined;
  let table: string | undefined;
  const seen = new Map<string, number>();
  let batch: string[] = [];
  let batchBytes = 0;
  let trailer: Record<string, unknown> | undefined;

  const flush = async (): Promise<void> => {
    if (table === undefined || batch.length === 0) return;
    const rows = batch;
    batch = [];
    batchBytes = 0;
    await visitor.rows?.(table, rows);
  };

  for await (const line of splitLines(plain)) {
    if (trailer) throw invalid('lines follow the archive trailer');
    if (!header) {
      header = checkHeader(parseObject(line, 'header'));
      hash.update(line);
      contentBytes += line.length;
      await visitor.header?.(header);
      continue;
    }
    if (line[0] === 0x5b) { // '[': a row
      if (table === undefined) throw invalid('a row comes before any table');
      hash.update(line);
      contentBytes += line.length;
      seen.set(table, (seen.get(table) ?? 0) + 1);
      batch.push(line.toString('utf8', 0, line.length - 1));
      batchBytes += line.length;
      if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
      continue;
    }
    const entry = parseObject(line, 'section line');
    if (typeof entry.end === 'string') {
      await flush();
      trailer = entry;
      continue;
    }
    hash.update(line);
    contentBytes += line.length;
    if (typeof entry.table === 'string') {
      await flush();
      if (!header.tables.some((t) => t.name === entry.table) || seen.has(entry.table)) throw invalid(`the archive has an unexpected table section ${entry.table}`);
      table = entry.table;
      seen.set(table, 0);
    } else if (typeof entry.file === 'string' && typeof entry.content === 'string') {
      await flush();
      table = undefined;
      await visitor.file?.(entry.file, Buffer.from(entry.content, 'base64'));
    } else {
      throw invalid('the archive has a line it does not understand');
    }
  }

  if (!header) throw invalid('the archive is empty');
  if (!trailer) throw invalid('the archive has no trailer: it is truncated');
  const sha256 = hash.digest('hex');
  if (trailer.sha256 !== sha256) throw invalid('the archive content does not match its SHA-256 checksum: it was altered or damaged', { expected: trailer.sha256, actual: sha256 });
  for (const t of header.tables) {
    const got = seen.get(t.name) ?? 0;
    const trailed = (trailer.rows as Record<string, unknown> | undefined)?.[t.name];
    if (got !== t.rows || trailed !== t.rows) throw invalid(`table ${t.name}: the header counts ${t.rows} rows, the archive holds ${got}`, { table: t.name });
  }
  return { header, sha256, contentBytes, encrypted };
}
