/**
 * Test support (excluded from the build): runs the CLI from source as a user would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../', import.meta.url));

export interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the CLI from source, without DATABASE_URL so the embedded store is used. */
export function relais(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/entry.ts'), ...args], {
      cwd: repo, env: { ...process.env, DATABASE_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** Starts `relais start` and resolves with its MLLP port once the listener is ready (read from its JSON log). */
/** `dataDir` empty: no --data (e.g. with DATABASE_URL in `env`). */
export function startRelais(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/entry.ts'), 'start', ...(dataDir ? ['--data', dataDir] : []), '--mllp-port', '0'], {
    cwd: repo, env: { ...process.env, DATABASE_URL: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolveStart, reject) => {
    child.once('exit', (code) => reject(new Error(`relais start exited early with ${code}`)));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'MLLP listener ready' && entry.port) resolveStart({ child, port: entry.port });
    });
  });
}

