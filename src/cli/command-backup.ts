/**
 * `relais backup <file>`, `relais backup verify <file>` and `relais restore <file>` (SC.SSI/GEN.21; procedure in
 * docs/operations.md). The archive is the store as one consistent snapshot, driver-independent (a PGlite backup
 * restores into PostgreSQL and back), gzipped, checksummed, optionally encrypted; the configuration file rides
 * along when given, keys and certificates only with --include-keys.
 *
 * On the embedded store the data directory must not be in use: while `relais start` holds it the commands refuse
 * (stop the node, or run on PostgreSQL where a backup reads a snapshot while the node keeps working), and while
 * they run they hold its lock.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { RelaisConfig } from '../config/index.js';
import { isRelaisError } from '../domain/index.js';
import { openStore, openStoreForRestore, restoreBackup, verifyBackup, writeBackup } from '../store/index.js';
import type { BackupFile, BackupSummary } from '../store/index.js';
import { configFromOptions } from './command-start.js';
import { readLock, takeLock } from './data-lock.js';
import { version } from './version.js';

export interface BackupCommandOptions {
  config?: string; data?: string; encrypt?: boolean; includeKeys?: boolean; passphraseStdin?: boolean; json?: boolean; gzipLevel?: number;
}
export interface RestoreCommandOptions { config?: string; data?: string; passphraseStdin?: boolean; filesTo?: string; json?: boolean }

const PASSPHRASE_ENV = 'RELAIS_BACKUP_PASSPHRASE';

/** RELAIS_BACKUP_PASSPHRASE, else the whole of standard input when `fromStdin` (minus one final line break). */
async function passphrase(fromStdin: boolean): Promise<string | undefined> {
  const env = process.env[PASSPHRASE_ENV];
  if (env !== undefined && env !== '') return env;
  if (!fromStdin) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const p = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (p === '') throw new Error(`no passphrase: set ${PASSPHRASE_ENV} or give it on standard input`);
  return p;
}

/** Runs `fn` holding the embedded data directory, or refuses if a running node holds it. */
async function withDataDir<T>(config: RelaisConfig, fn: () => Promise<T>): Promise<T | 'busy'> {
  if (config.store.databaseUrl) return fn();
  const dataDir = resolve(config.store.dataDir);
  const holder = readLock(dataDir);
  if (holder) {
    process.stderr.write(`The data directory ${dataDir} is in use by Relais process ${holder.pid}: stop the node first, or run Relais on PostgreSQL (DATABASE_URL), where a backup reads a consistent snapshot while the node keeps working.\n`);
    return 'busy';
  }
  const unlock = takeLock(dataDir, { pid: process.pid, adminPort: 0, token: randomBytes(16).toString('hex') });
  try {
    return await fn();
  } finally {
    unlock();
  }
}

function storeOptions(config: RelaisConfig): { databaseUrl: string; schema: string } | { dataDir: string } {
  return config.store.databaseUrl ? { databaseUrl: config.store.databaseUrl, schema: config.store.schema } : { dataDir: config.store.dataDir };
}

/** The files a backup carries: the configuration file, and with --include-keys every file the configuration points at. */
function filesToCarry(o: BackupCommandOptions, config: RelaisConfig): BackupFile[] {
  const files: BackupFile[] = [];
  if (o.config) files.push({ role: 'config', name: o.config, content: readFileSync(o.config) });
  if (!o.includeKeys) return files;
  const seen = new Set<string>();
  const add = (path: string): void => {
    const full = resolve(path);
    if (seen.has(full) || !statSync(full, { throwIfNoEntry: false })?.isFile()) return;
    seen.add(full);
    const role = /key|\.p12$|\.pfx$/i.test(basename(full)) ? 'key' : 'certificate';
    files.push({ role, name: full, content: readFileSync(full) });
  };
  const walk = (node: unknown, key: string): void => {
    if (typeof node === 'string' && node !== '') {
      if (/File$/.test(key)) add(node);
      else if (key === 'pkiDir' && statSync(node, { throwIfNoEntry: false })?.isDirectory()) {
        for (const entry of readdirSync(node)) add(join(node, entry));
      }
    } else if (Array.isArray(node)) node.forEach((v) => walk(v, key));
    else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(config, '');
  return files;
}

function describe(s: BackupSummary, extra: Record<string, unknown>, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(JSON.stringify({
      ...extra, relaisVersion: s.header.relaisVersion, createdAt: s.header.createdAt, driver: s.header.driver, schema: s.header.schema,
      migrations: s.header.migrations, tables: Object.fromEntries(s.header.tables.map((t) => [t.name, t.rows])),
      files: s.header.files, sha256: s.sha256, contentBytes: s.contentBytes, encrypted: s.encrypted,
    }, null, 2) + '\n');
    return;
  }
  for (const [k, v] of Object.entries(extra)) process.stdout.write(`${k}: ${String(v)}\n`);
  process.stdout.write(`made by Relais ${s.header.relaisVersion} on ${s.header.driver} at ${s.header.createdAt}; `
    + `schema level ${s.header.migrations.at(-1) ?? '(none)'}; ${s.encrypted ? 'encrypted' : 'not encrypted'}\n`);
  for (const t of s.header.tables) process.stdout.write(`  ${t.name.padEnd(20)} ${String(t.rows).padStart(10)} rows\n`);
  for (const f of s.header.files) process.stdout.write(`  file ${f.role.padEnd(11)} ${f.name} (${f.bytes} bytes)\n`);
  process.stdout.write(`content SHA-256 ${s.sha256} (checked)\n`);
}

function reportError(e: unknown): number {
  if (!isRelaisError(e)) throw e;
  process.stderr.write(`${e.code}: ${e.message}\n`);
  return 1;
}

export async function runBackup(file: string, o: BackupCommandOptions): Promise<number> {
  const config = configFromOptions(o);
  const target = resolve(file);
  // Written beside the target and renamed at the end: a failed backup never leaves a file that looks complete.
  const partial = `${target}.partial-${process.pid}`;
  try {
    const secret = o.encrypt ? await passphrase(true) : undefined;
    const files = filesToCarry(o, config);
    const started = Date.now();
    const result = await withDataDir(config, async () => {
      const store = await openStore(storeOptions(config));
      try {
        return await writeBackup(store, createWriteStream(partial, { flags: 'wx', mode: 0o600 }), {
          relaisVersion: version, files, ...(secret !== undefined ? { passphrase: secret } : {}),
          ...(o.gzipLevel !== undefined ? { gzipLevel: o.gzipLevel } : {}),
        });
      } finally {
        await store.close();
      }
    });
    if (result === 'busy') return 1;
    await rename(partial, target);
    describe(result, { file: target, bytes: statSync(target).size, seconds: ((Date.now() - started) / 1000).toFixed(1) }, o.json);
    return 0;
  } catch (e) {
    await rm(partial, { force: true });
    return reportError(e);
  }
}

export async function runBackupVerify(file: string, o: { passphraseStdin?: boolean; json?: boolean }): Promise<number> {
  try {
    const summary = await verifyBackup(createReadStream(file), { passphrase: await passphrase(o.passphraseStdin === true) });
    describe(summary, { file: resolve(file), verified: true }, o.json);
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

export async function runRestore(file: string, o: RestoreCommandOptions): Promise<number> {
  const config = configFromOptions(o);
  try {
    const secret = await passphrase(o.passphraseStdin === true);
    const result = await withDataDir(config, async () => {
      const options = storeOptions(config);
      const store = await openStoreForRestore(options);
      try {
        return await restoreBackup(store, createReadStream(file), { ...('schema' in options ? { schema: options.schema } : {}), passphrase: secret });
      } finally {
        await store.close();
      }
    });
    if (result === 'busy') return 1;
    const written: string[] = [];
    if (o.filesTo && result.files.length > 0) {
      await mkdir(o.filesTo, { recursive: true, mode: 0o700 });
      for (const f of result.files) {
        let name = basename(f.name);
        for (let i = 2; written.includes(name); i += 1) name = `${i}-${basename(f.name)}`;
        await writeFile(join(o.filesTo, name), f.content, { flag: 'wx', mode: 0o600 });
        written.push(name);
      }
    }
    describe(result, {
      file: resolve(file), restoredInto: config.store.databaseUrl ? `PostgreSQL schema ${config.store.schema}` : resolve(config.store.dataDir),
      migratedAfter: result.migratedAfter.join(', ') || '(none)',
      ...(result.files.length > 0 ? { files: o.filesTo ? `written to ${resolve(o.filesTo)}: ${written.join(', ')}` : 'not written (give --files-to <dir>)' } : {}),
    }, o.json);
    return 0;
  } catch (e) {
    return reportError(e);
  }
}
