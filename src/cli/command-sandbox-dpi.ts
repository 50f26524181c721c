import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isRelaisError } from '../domain/index.js';
import { DpiSandbox, parseDpiAnswer, readDpiIndex, type DpiAnswer, type DpiReceived } from '../sandbox/index.js';
import { createLogger } from './logger.js';

export interface SandboxDpiOptions {
  port: number;
  data: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** AA (default), AR, AE:<90x> or silent. */
  answer?: string;
  /** `<INS>=<answer>` rules, e.g. `279035121518989=AE:902`. */
  patient?: string[];
  /** The directory written by `relais pki test-init`: serve MLLP over TLS with its server.pem / server.key. */
  pki?: string;
  /** Default info: one line per message received, on stderr (stdout carries the one JSON line scripts read). */
  logLevel?: string;
}

/** `relais sandbox dpi`: serves the DPI stand-in until SIGTERM or SIGINT; prints one JSON line with its endpoint. */
export async function runSandboxDpi(o: SandboxDpiOptions): Promise<number> {
  let sandbox: DpiSandbox;
  try {
    const patientAnswers: Record<string, DpiAnswer> = {};
    for (const rule of o.patient ?? []) {
      const at = rule.indexOf('=');
      if (at <= 0) throw new Error(`--patient expects <INS>=<answer>, got '${rule}'`);
      patientAnswers[rule.slice(0, at).trim()] = parseDpiAnswer(rule.slice(at + 1));
    }
    const pki = o.pki === undefined ? undefined : resolve(o.pki);
    sandbox = await DpiSandbox.start({
      port: o.port, dataDir: resolve(o.data), answer: parseDpiAnswer(o.answer ?? 'AA'), patientAnswers,
      logger: createLogger(o.logLevel ?? 'info'),
      ...(o.host === undefined ? {} : { host: o.host }),
      ...(pki === undefined ? {} : { tls: {
        key: readFileSync(join(pki, 'server.key')), cert: readFileSync(join(pki, 'server.pem')), ca: readFileSync(join(pki, 'root-ca.pem')),
      } }),
    });
  } catch (e) {
    const code = isRelaisError(e) ? e.code : (e as { code?: string }).code ?? 'ERROR';
    process.stderr.write(`${code}: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(JSON.stringify({
    sandbox: 'dpi', host: sandbox.host, port: sandbox.port, tls: o.pki !== undefined, data: sandbox.dataDir, answer: o.answer ?? 'AA',
  }) + '\n');
  await new Promise<void>((done) => {
    process.once('SIGTERM', () => done());
    process.once('SIGINT', () => done());
  });
  await sandbox.close();
  return 0;
}

export interface SandboxDpiListOptions {
  data: string;
  json?: boolean;
}

const COLUMNS: readonly (keyof DpiReceived)[] = ['receivedAt', 'event', 'controlId', 'documentId', 'ins', 'ack', 'errorCode'];

/** `relais sandbox dpi list`: what the sandbox DPI received (the server may be running). */
export async function runSandboxDpiList(o: SandboxDpiListOptions): Promise<number> {
  const received = await readDpiIndex(resolve(o.data));
  if (o.json === true) {
    process.stdout.write(JSON.stringify(received, null, 2) + '\n');
    return 0;
  }
  if (received.length === 0) {
    process.stdout.write('(none)\n');
    return 0;
  }
  const cell = (r: DpiReceived, c: keyof DpiReceived): string => String(r[c] ?? '');
  const widths = COLUMNS.map((c) => Math.max(c.length, ...received.map((r) => cell(r, c).length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd() + '\n';
  process.stdout.write(line([...COLUMNS]));
  for (const r of received) process.stdout.write(line(COLUMNS.map((c) => cell(r, c))));
  return 0;
}
