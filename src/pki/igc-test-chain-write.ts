import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RelaisError } from '../domain/index.js';
import { createTestChain, testChainFiles, type TestChainOptions } from './igc-test-chain.js';

export interface WriteTestChainOptions extends TestChainOptions {
  /** Overwrite a directory that is not empty. */
  force?: boolean;
}

/** Creates a fresh test chain and writes its files into `dir`: keys 0600, certificates 0644. Returns the paths. */
export async function writeTestChain(dir: string, o: WriteTestChainOptions = {}): Promise<string[]> {
  let existing: string[] = [];
  try {
    existing = readdirSync(dir);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') {
      throw new RelaisError('RLS_PKI_UNREADABLE', `cannot read ${dir}: ${(e as Error).message}`, { file: dir }, { cause: e });
    }
  }
  if (existing.length > 0 && !o.force) {
    throw new RelaisError('RLS_PKI_OUTPUT_EXISTS', `${dir} is not empty (use --force to overwrite)`, { dir });
  }
  const chain = await createTestChain({ ...o, freshKeys: o.freshKeys ?? true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return testChainFiles.map((name) => {
    const path = join(dir, name);
    const mode = name.endsWith('.key') ? 0o600 : 0o644;
    // Removed first so that the file is created with its mode: an overwritten file would keep its old one.
    rmSync(path, { force: true });
    writeFileSync(path, chain.files[name], { mode, flag: 'wx' });
    return path;
  });
}
