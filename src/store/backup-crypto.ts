/**
 * Optional encryption of a backup archive with a passphrase: AES-256-GCM, key derived with scrypt,
 * the gzip stream cut into chunks of at most 1 MiB, each with its own authentication tag.
 *
 * Why chunks with their own tags rather than one tag at the end: a restore streams the archive into the
 * database, and with one final tag it would act on plaintext nobody has authenticated yet. Per-chunk tags
 * release only authenticated bytes. Each chunk's additional data binds it to the file header (salt, cost,
 * nonce prefix), to its index and to a "last chunk" flag, so chunks cannot be reordered, moved to another
 * archive, or dropped at the end (an archive that stops before its last chunk is refused).
 *
 * Layout: magic (16) · salt (16) · log2 N, r, p (3) · nonce prefix (8) · key check (16), then chunks:
 * flag (1: 0 more, 1 last) · length (uint32 BE) · ciphertext · tag (16). The key check (HMAC of the header
 * under a second derived key) tells a wrong passphrase apart from a damaged archive before any chunk.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RelaisError } from '../domain/index.js';

export const ENCRYPTED_MAGIC = Buffer.from('RELAIS-BACKUP-E1', 'ascii');
const SALT_BYTES = 16;
const PREFIX_BYTES = 8;
const CHECK_BYTES = 16;
const TAG_BYTES = 16;
const HEADER_BYTES = ENCRYPTED_MAGIC.length + SALT_BYTES + 3 + PREFIX_BYTES + CHECK_BYTES;
const CHUNK_BYTES = 1 << 20;
/** scrypt N = 2^17, r = 8, p = 1: 128 MiB and a fraction of a second per backup, OWASP's recommendation. */
const DEFAULT_COST = { log2N: 17, r: 8, p: 1 };
const MAX_LOG2N = 20;

interface Keys { encryption: Buffer; check: Buffer }

function deriveKeys(passphrase: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Keys> {
  const N = 2 ** log2N;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 64, { N, r, p, maxmem: 256 * N * r + (1 << 20) }, (err, key) => {
      if (err) reject(err);
      else resolve({ encryption: key.subarray(0, 32), check: key.subarray(32) });
    });
  });
}

function keyCheck(keys: Keys, headerBeforeCheck: Buffer): Buffer {
  return createHmac('sha256', keys.check).update(headerBeforeCheck).digest().subarray(0, CHECK_BYTES);
}

function chunkAad(header: Buffer, index: number, last: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail[4] = last ? 1 : 0;
  return Buffer.concat([header, tail]);
}

function nonce(prefix: Buffer, index: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, PREFIX_BYTES);
  return n;
}

function invalid(message: string): RelaisError {
  return new RelaisError('RLS_BACKUP_INVALID', message, { layer: 'encryption' });
}

/** A stream that encrypts what goes through it. The passphrase must not be empty. */
export function encryptingStream(passphrase: string, cost = DEFAULT_COST): Transform {
  if (passphrase === '') throw new RelaisError('RLS_BACKUP_PASSPHRASE', 'the backup passphrase is empty');
  const salt = randomBytes(SALT_BYTES);
  const prefix = randomBytes(PREFIX_BYTES);
  const headerBeforeCheck = Buffer.concat([ENCRYPTED_MAGIC, salt, Buffer.from([cost.log2N, cost.r, cost.p]), prefix]);
  const keysReady = deriveKeys(passphrase, salt, cost.log2N, cost.r, cost.p);
  let header: Buffer | undefined;
  let keys: Keys | undefined;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;

  const seal = (plain: Buffer, last: boolean): Buffer => {
    const cipher = createCipheriv('aes-256-gcm', keys!.encryption, nonce(prefix, index));
    cipher.setAAD(chunkAad(header!, index, last));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const head = Buffer.alloc(5);
    head[0] = last ? 1 : 0;
    head.writeUInt32BE(body.length, 1);
    index += 1;
    return Buffer.concat([head, body, cipher.getAuthTag()]);
  };
  const start = async (t: Transform): Promise<void> => {
    if (keys) return;
    keys = await keysReady;
    header = Buffer.concat([headerBeforeCheck, keyCheck(keys, headerBeforeCheck)]);
    t.push(header);
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      start(this).then(() => {
        pending.push(chunk);
        pendingBytes += chunk.length;
        while (pendingBytes >= CHUNK_BYTES) {
          const all = Buffer.concat(pending);
          this.push(seal(all.subarray(0, CHUNK_BYTES), false));
          pending = [all.subarray(CHUNK_BYTES)];
          pendingBytes = all.length - CHUNK_BYTES;
        }
        done();
      }, done);
    },
    flush(done: TransformCallback) {
      start(this).then(() => {
        this.push(seal(Buffer.concat(pending), true));
        pending = [];
        done();
      }, done);
    },
  });
}

/**
 * A stream that decrypts and authenticates an encrypted archive chunk by chunk. Fails with
 * RLS_BACKUP_PASSPHRASE on a wrong passphrase, RLS_BACKUP_INVALID on a damaged, altered or truncated archive.
 */
export function decryptingStream(passphrase: string): Transform {
  let buffered: Buffer = Buffer.alloc(0);
  let header: Buffer | undefined;
  let keys: Keys | undefined;
  let prefix: Buffer | undefined;
  let index = 0;
  let ended = false;

  const readHeader = async (): Promise<void> => {
    header = buffered.subarray(0, HEADER_BYTES);
    buffered = buffered.subarray(HEADER_BYTES);
    if (!header.subarray(0, ENCRYPTED_MAGIC.length).equals(ENCRYPTED_MAGIC)) throw invalid('not an encrypted Relais backup');
    let at = ENCRYPTED_MAGIC.length;
    const salt = header.subarray(at, at += SALT_BYTES);
    const [log2N, r, p] = [header[at]!, header[at + 1]!, header[at + 2]!];
    at += 3;
    prefix = header.subarray(at, at += PREFIX_BYTES);
    if (log2N < 10 || log2N > MAX_LOG2N || r < 1 || r > 32 || p < 1 || p > 16) throw invalid('the encryption header names an unusable scrypt cost');
    keys = await deriveKeys(passphrase, salt, log2N, r, p);
    const expected = keyCheck(keys, header.subarray(0, at));
    if (!timingSafeEqual(expected, header.subarray(at, at + CHECK_BYTES))) {
      throw new RelaisError('RLS_BACKUP_PASSPHRASE', 'the passphrase does not open this backup (wrong passphrase, or the header was altered)');
    }
  };

  const openChunks = (t: Transform): void => {
    while (buffered.length >= 5) {
      if (ended) throw invalid('bytes follow the last encrypted chunk');
      const flag = buffered[0]!;
      const length = buffered.readUInt32BE(1);
      if (flag > 1 || length > CHUNK_BYTES) throw invalid('an encrypted chunk header is malformed');
      if (buffered.length < 5 + length + TAG_BYTES) return;
      const body = buffered.subarray(5, 5 + length);
      const tag = buffered.subarray(5 + length, 5 + length + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', keys!.encryption, nonce(prefix!, index));
      decipher.setAAD(chunkAad(header!, index, flag === 1));
      decipher.setAuthTag(tag);
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        throw invalid(`encrypted chunk ${index} fails authentication: the archive was altered or damaged`);
      }
      t.push(plain);
      buffered = buffered.subarray(5 + length + TAG_BYTES);
      index += 1;
      if (flag === 1) ended = true;
    }
  };

  const feed = async (t: Transform): Promise<void> => {
    if (!keys) {
      if (buffered.length < HEADER_BYTES) return;
      await readHeader();
    }
    openChunks(t);
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      feed(this).then(() => done(), done);
    },
    flush(done: TransformCallback) {
      feed(this).then(() => {
        if (!keys) throw invalid('the encrypted archive is shorter than its header');
        if (!ended || buffered.length > 0) throw invalid('the encrypted archive is truncated (its last chunk is missing)');
        done();
      }).catch(done);
    },
  });
}
