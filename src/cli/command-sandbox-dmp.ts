import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isRelaisError } from '../domain/index.js';
import { createTrustStore, loadPemCredentials } from '../pki/index.js';
import { DmpSandbox, readEntries, type SandboxEntry } from '../sandbox/index.js';
import { createLogger } from './logger.js';

export interface SandboxDmpOptions {
  port: number;
  /** The directory written by `relais pki test-init` (root-ca.pem, org-ca.pem, server.pem, server.key). */
  pki: string;
  /** The sandbox data directory (entries.json, requests/). */
  data: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Plain-HTTP admin port on 127.0.0.1 for POST /_sandbox/fault; none by default. */
  adminPort?: number;
  /** Default info. */
  logLevel?: string;
}

/** `relais sandbox dmp`: serves the DMP sandbox until SIGTERM or SIGINT. */
export async function runSandboxDmp(o: SandboxDmpOptions): Promise<number> {
  const pki = resolve(o.pki);
  let sandbox: DmpSandbox;
  try {
    // The org CA is needed to check VIHF signers: a VIHF carries its ORG SIGN certificate alone (digest §C3).
    const bundle = ['root-ca.pem', 'org-ca.pem'].map((n) => join(pki, n)).filter((p, i) => i === 0 || existsSync(p))
      .map((p) => readFileSync(p, 'utf8')).join('\n');
    sandbox = await DmpSandbox.start({
      port: o.port, dataDir: resolve(o.data), trustStore: createTrustStore('sandbox-dmp', bundle),
      credentials: loadPemCredentials({ certFile: join(pki, 'server.pem'), keyFile: join(pki, 'server.key') }),
      logger: createLogger(o.logLevel ?? 'info'),
      ...(o.host === undefined ? {} : { host: o.host }),
      ...(o.adminPort === undefined ? {} : { adminPort: o.adminPort }),
    });
  } catch (e) {
    if (!isRelaisError(e) && (e as { code?: string }).code !== 'ENOENT') throw e;
    process.stderr.write(`${isRelaisError(e) ? e.code : 'ENOENT'}: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`Bac à sable DMP (TEST) : ${sandbox.baseUrl}`
    + `${sandbox.adminPort === undefined ? '' : ` — administration http://127.0.0.1:${sandbox.adminPort}/_sandbox/fault`}\n`);
  await new Promise<void>((done) => {
    process.once('SIGTERM', () => done());
    process.once('SIGINT', () => done());
  });
  await sandbox.close();
  return 0;
}

export interface SandboxDmpListOptions {
  data: string;
  json?: boolean;
}

const COLUMNS: readonly (keyof SandboxEntry)[] = ['receivedAt', 'uniqueId', 'typeCode', 'kind', 'status', 'entryUUID', 'patientId'];

/** `relais sandbox dmp-list`: the entries of a sandbox data directory (the server may be running). */
export async function runSandboxDmpList(o: SandboxDmpListOptions): Promise<number> {
  const entries = await readEntries(resolve(o.data));
  if (o.json === true) {
    process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
    return 0;
  }
  if (entries.length === 0) {
    process.stdout.write('(none)\n');
    return 0;
  }
  const cell = (e: SandboxEntry, c: keyof SandboxEntry) => c === 'status' ? String(e.status).replace(/^.*:/, '') : String(e[c] ?? '');
  const widths = COLUMNS.map((c) => Math.max(c.length, ...entries.map((e) => cell(e, c).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd() + '\n';
  process.stdout.write(line([...COLUMNS]));
  for (const e of entries) process.stdout.write(line(COLUMNS.map((c) => cell(e, c))));
  return 0;
}
