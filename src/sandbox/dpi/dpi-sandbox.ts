/**
 * A DPI stand-in for volet B (test and demonstration only): an MLLP listener (TLS optional) that keeps every message
 * verbatim, indexes it, and answers as told — AA, AR, AE with a volet B application error (ERR-3 207 + ERR-5 90x,
 * digest §3.4), or nothing at all — globally or per patient INS. Volet A business acks (ZAM) are answered AA.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MllpServer, buildAck, parseEr7, sniffHeader, type Hl7Message, type MllpTlsOptions } from '../../hl7/index.js';
import { isVoletBApplicationErrorCode, voletBApplicationErrors } from '../../cisis/index.js';
import { RelaisError, silentLogger, type Logger } from '../../domain/index.js';

/** What the sandbox answers: `AA`, `AR`, `AE:<90x>` or `silent` (no reply: the sender's ACK timeout runs out). */
export type DpiAnswer = 'AA' | 'AR' | 'silent' | `AE:${string}`;

export function parseDpiAnswer(text: string): DpiAnswer {
  const t = text.trim();
  if (t === 'AA' || t === 'AR' || t === 'silent') return t;
  const m = /^AE:(\d{3})$/.exec(t);
  if (m !== null && isVoletBApplicationErrorCode(m[1] ?? '')) return `AE:${m[1]}`;
  throw new RelaisError('RLS_SANDBOX_UNAVAILABLE', `unknown answer '${text}': AA, AR, silent or AE:<900…906>`);
}

/** One line of `<data>/index.jsonl`. */
export interface DpiReceived {
  seq: number;
  receivedAt: string;
  controlId: string;
  /** MSH-9.2: T02, T10, T04, Z01, Z02, Z03… ('' when the message could not be read). */
  event: string;
  /** TXA-12.1 (the CDA id), when the message has a TXA. */
  documentId?: string;
  /** The INS of PID-3 (the CX typed INS), when there is one. */
  ins?: string;
  /** MSA-1 of the answer, or `silent`. */
  ack: string;
  /** ERR-5.1 of an AE. */
  errorCode?: string;
  /** The message, relative to the data directory. */
  file: string;
}

export const DPI_INDEX_FILE = 'index.jsonl';

export interface DpiSandboxOptions {
  /** 0 for any free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  dataDir: string;
  /** Default AA. */
  answer?: DpiAnswer;
  /** Per-patient answers, keyed by INS (PID-3 typed INS); they win over `answer`. */
  patientAnswers?: Readonly<Record<string, DpiAnswer>>;
  tls?: MllpTlsOptions;
  logger?: Logger;
  /** Default 4 MiB. */
  maxFrameBytes?: number;
}

/** The sandbox's index: every message received, in arrival order ([] when nothing came yet). */
export async function readDpiIndex(dataDir: string): Promise<DpiReceived[]> {
  let text: string;
  try {
    text = await readFile(join(dataDir, DPI_INDEX_FILE), 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return [];
    throw e;
  }
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as DpiReceived);
}

function insOf(m: Hl7Message): string | undefined {
  const pid = m.segment('PID');
  if (pid === undefined) return undefined;
  const ins = pid.repetitions(3).find((r) => r.get(5) === 'INS');
  return ins === undefined || ins.get(1) === '' ? undefined : ins.get(1);
}

export class DpiSandbox {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  #answer: DpiAnswer;
  readonly #patientAnswers = new Map<string, DpiAnswer>();
  readonly #server: MllpServer;
  readonly #log: Logger;
  readonly #silences = new Set<() => void>();
  #seq = 0;
  #written: Promise<void> = Promise.resolve();

  private constructor(server: MllpServer, address: { host: string; port: number }, o: DpiSandboxOptions, seq: number) {
    this.#server = server;
    this.host = address.host;
    this.port = address.port;
    this.dataDir = o.dataDir;
    this.#answer = o.answer ?? 'AA';
    this.#log = o.logger ?? silentLogger;
    for (const [ins, answer] of Object.entries(o.patientAnswers ?? {})) this.#patientAnswers.set(ins, answer);
    this.#seq = seq;
  }

  static async start(o: DpiSandboxOptions): Promise<DpiSandbox> {
    await mkdir(join(o.dataDir, 'received'), { recursive: true });
    // A restarted sandbox keeps numbering after what it already holds.
    const seq = (await readDpiIndex(o.dataDir)).reduce((max, r) => Math.max(max, r.seq), 0);
    const holder: { sandbox?: DpiSandbox } = {};
    const server = new MllpServer({
      port: o.port, host: o.host ?? '127.0.0.1', maxFrameBytes: o.maxFrameBytes ?? 4 * 1024 * 1024,
      ...(o.tls === undefined ? {} : { tls: o.tls }),
      log: o.logger ?? silentLogger,
      onMessage: (payload) => (holder.sandbox as DpiSandbox).#receive(payload),
    });
    const address = await server.listen();
    holder.sandbox = new DpiSandbox(server, address, o, seq);
    return holder.sandbox;
  }

  /** The default answer from now on. */
  setAnswer(answer: DpiAnswer): void {
    this.#answer = answer;
  }

  /** The answer for one patient (by INS), or back to the default with `undefined`. */
  setPatientAnswer(ins: string, answer: DpiAnswer | undefined): void {
    if (answer === undefined) this.#patientAnswers.delete(ins);
    else this.#patientAnswers.set(ins, answer);
  }

  received(): Promise<DpiReceived[]> {
    return this.#written.then(() => readDpiIndex(this.dataDir));
  }

  async close(): Promise<void> {
    // Silent handlers end (their connections are dropped without a reply) so that the listener can stop.
    for (const release of this.#silences) release();
    await this.#server.close({ timeoutMs: 2000 });
    await this.#written;
  }

  async #receive(payload: Buffer): Promise<string> {
    const seq = ++this.#seq;
    const receivedAt = new Date();
    let message: Hl7Message | undefined;
    try {
      message = parseEr7(payload);
    } catch {
      message = undefined;
    }
    const event = message?.messageType.event ?? sniffHeader(payload).event ?? '';
    const controlId = message?.controlId ?? sniffHeader(payload).controlId ?? '';
    const ins = message === undefined ? undefined : insOf(message);
    const documentId = message?.segment('TXA')?.get(12) || undefined;
    // Volet A business acks are always taken; a volet B MDM gets the patient's answer, else the default.
    const answer: DpiAnswer = message === undefined ? 'AA'
      : event.startsWith('Z') ? 'AA'
        : (ins === undefined ? undefined : this.#patientAnswers.get(ins)) ?? this.#answer;

    const file = join('received', `${String(seq).padStart(6, '0')}-${controlId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'unknown'}.hl7`);
    let reply: string | undefined;
    let errorCode: string | undefined;
    if (message === undefined) {
      reply = buildAck(sniffHeader(payload), {
        code: 'AE', controlId: `DPI${seq}`, timestamp: receivedAt,
        errors: [{ code: '100', text: 'Segment sequence error', severity: 'E' }],
      });
    } else if (answer === 'AA' || answer === 'AR') {
      reply = buildAck(message, { code: answer, controlId: `DPI${seq}`, timestamp: receivedAt });
    } else if (answer !== 'silent') {
      const code = answer.slice(3) as keyof typeof voletBApplicationErrors;
      errorCode = code;
      reply = buildAck(message, {
        code: 'AE', controlId: `DPI${seq}`, timestamp: receivedAt,
        errors: [{
          // The volet's example locates patient errors on PID-3.
          ...(code === '902' || code === '904' ? { location: 'PID^1^3' } : {}),
          code: '207', text: 'Application error', severity: 'E',
          appError: { code, text: voletBApplicationErrors[code], codeSystem: 'applicationErrorCode' },
        }],
      });
    }
    const entry: DpiReceived = {
      seq, receivedAt: receivedAt.toISOString(), controlId, event,
      ...(documentId === undefined ? {} : { documentId }), ...(ins === undefined ? {} : { ins }),
      ack: reply === undefined ? 'silent' : message === undefined ? 'AE' : answer.slice(0, 2),
      ...(errorCode === undefined ? {} : { errorCode }), file,
    };
    // The record is on disk before the answer leaves: whoever reads the ACK can read the index.
    this.#written = this.#written.then(async () => {
      await writeFile(join(this.dataDir, file), payload);
      await appendFile(join(this.dataDir, DPI_INDEX_FILE), JSON.stringify(entry) + '\n');
    });
    await this.#written;
    this.#log.info({ seq, controlId, event, documentId, ack: entry.ack, errorCode, file }, 'sandbox DPI: message received');
    if (reply !== undefined) return reply;
    await new Promise<void>((release) => this.#silences.add(release));
    throw new Error('silent answer: connection dropped at shutdown');
  }
}
