/**
 * One process at a time may open an embedded (PGlite) data directory: two would corrupt it.
 * `relais start` takes a lock file holding its pid and the address of its local admin endpoint;
 * read-only commands (documents, deliveries) then ask the running node instead of opening the files.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockInfo { pid: number; adminPort: number; token: string }

const LOCK = 'relais.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, LOCK), 'utf8')) as LockInfo;
    return alive(info.pid) ? info : undefined;
  } catch {
    return undefined; // no lock file, or an unreadable one: nobody holds the directory
  }
}

/** Takes the lock or throws naming the process that holds it. A stale lock (dead pid) is taken over. */
export function takeLock(dataDir: string, info: LockInfo): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK);
  try {
    writeFileSync(file, JSON.stringify(info), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const holder = readLock(dataDir);
    if (holder && holder.pid !== process.pid) {
      throw new Error(`The data directory ${dataDir} is in use by Relais process ${holder.pid}. Stop it first, or use another --data directory.`);
    }
    writeFileSync(file, JSON.stringify(info), { mode: 0o600 }); // stale lock of a dead process
  }
  return () => rmSync(file, { force: true });
}
