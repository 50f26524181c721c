import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { SOAP_ACTION, SOAP_NS, parseContentType, parseSoapMessage } from '../../dmp/index.js';
import { isRelaisError } from '../../domain/index.js';
import { tlsServerOptions, type Credentials, type TlsProfileOptions, type TrustStore } from '../../pki/index.js';
import { EnvelopeFault, checkEnvelope, type CheckedEnvelope } from './check-envelope.js';
import { parseFault, type DmpFault } from './fault-injection.js';
import { readSubmission } from './read-submission.js';
import { RegistryStore, type SandboxEntry } from './registry-store.js';
import { provideAndRegister, storedQuery, updateDocumentSet, type RuleResult } from './registry-rules.js';
import { queryResponseXml, registryResponseXml, soapFaultXml, type SandboxRegistryError } from './soap-answers.js';
import { child, children, textOf } from './xml-read.js';

/** pino-like logger (optional). */
export interface SandboxLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DmpSandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 for any free port. */
  port: number;
  /** The server certificate and key (the `server.pem` / `server.key` of `relais pki test-init`). */
  credentials: Credentials;
  /** The test root (and its intermediates): client certificates and VIHF signers must chain to it. */
  trustStore: TrustStore;
  /** Where `entries.json` and `requests/` live. */
  dataDir: string;
  tlsProfile?: TlsProfileOptions;
  /** When set, a plain-HTTP admin listener on 127.0.0.1 (POST /_sandbox/fault, GET /_sandbox/entries); 0 for any port. */
  adminPort?: number;
  /** Default 64 MiB. */
  maxRequestBytes?: number;
  logger?: SandboxLogger;
  /** Clock for receivedAt (tests). */
  now?: () => Date;
}

const SOAP_TYPE = 'application/soap+xml; charset=UTF-8';

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function soapAnswer(xml: string, status = 200): Answer {
  return { status, contentType: SOAP_TYPE, body: xml };
}

/** SOAP 1.2 Part 2 §7.5.1.2: a Sender fault goes with HTTP 400. */
function faultAnswer(f: EnvelopeFault, relatesTo?: string): Answer {
  return soapAnswer(soapFaultXml('Sender', f.subcode, f.message, relatesTo), 400);
}

/**
 * A stand-in for the DMP web services of a PFI (digest §C1–§C8): `POST …/repository` (ITI-41 over MTOM) and
 * `POST …/registry` (ITI-18, ITI-57), over HTTPS with mutual TLS. It checks what the DMP checks (envelope, VIHF,
 * metadata, replacement and deletion rules), keeps its registry in a data directory, and can play faults.
 */
export class DmpSandbox {
  readonly #o: DmpSandboxOptions;
  readonly #server: Server;
  readonly #store: RegistryStore;
  #admin: HttpServer | undefined;
  #fault: DmpFault = { mode: 'none' };
  /** State changes run one at a time: a uniqueId is checked and stored atomically. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(o: DmpSandboxOptions, store: RegistryStore) {
    this.#o = o;
    this.#store = store;
    // A client certificate that does not chain to the test root is refused during the handshake.
    this.#server = createServer(tlsServerOptions({ ...o.tlsProfile, credentials: o.credentials, trustStore: o.trustStore }), (req, res) => {
      this.#handle(req, res).catch((e: unknown) => {
        this.#o.logger?.error({ err: e instanceof Error ? e.message : String(e) }, 'DMP sandbox request failed');
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': SOAP_TYPE }).end(soapFaultXml('Receiver', undefined, 'erreur interne du bac à sable'));
        else res.destroy();
      });
    });
  }

  static async start(o: DmpSandboxOptions): Promise<DmpSandbox> {
    const sandbox = new DmpSandbox(o, await RegistryStore.open(o.dataDir));
    sandbox.#server.listen(o.port, o.host ?? '127.0.0.1');
    await once(sandbox.#server, 'listening');
    if (o.adminPort !== undefined) {
      sandbox.#admin = createHttpServer((req, res) => { sandbox.#handleAdmin(req, res); });
      sandbox.#admin.listen(o.adminPort, '127.0.0.1');
      await once(sandbox.#admin, 'listening');
    }
    o.logger?.info({ port: sandbox.port, adminPort: sandbox.adminPort }, 'DMP sandbox listening');
    return sandbox;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get adminPort(): number | undefined {
    return this.#admin === undefined ? undefined : (this.#admin.address() as AddressInfo).port;
  }

  /** The base URL to give DmpClient (`/repository` and `/registry` are appended). */
  get baseUrl(): string {
    return `https://localhost:${this.port}/si-dmp-server/v2/services`;
  }

  setFault(fault: DmpFault): void {
    this.#fault = fault;
    this.#o.logger?.info({ fault: fault.mode }, 'DMP sandbox fault set');
  }

  get fault(): DmpFault {
    return this.#fault;
  }

  /** The registry entries, oldest first. */
  list(): SandboxEntry[] {
    return this.#store.entries.map((e) => ({ ...e }));
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#server.closeAllConnections();
    this.#server.close();
    const closing = [once(this.#server, 'close')];
    if (this.#admin !== undefined) {
      this.#admin.closeAllConnections();
      this.#admin.close();
      closing.push(once(this.#admin, 'close'));
    }
    await Promise.all(closing);
    await this.#queue;
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.#timers.delete(t); resolve(); }, ms);
      this.#timers.add(t);
    });
  }

  #serialized<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    const max = this.#o.maxRequestBytes ?? 64 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > max) return undefined;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = this.#fault;
    if (fault.mode === 'down') {
      req.socket.destroy();
      return;
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    const service = path.endsWith('/repository') ? 'repository' : path.endsWith('/registry') ? 'registry' : undefined;
    if (service === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' }).end('POST only\n');
      return;
    }
    if (fault.mode === 'cutUpload') {
      await Promise.race([once(req, 'data'), once(req, 'end')]);
      req.socket.destroy();
      return;
    }
    const body = await this.#readBody(req);
    if (body === undefined) {
      res.writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' }).end('request too large\n');
      return;
    }
    await this.#store.recordRequest(req, body);
    if (fault.mode === 'slow') await this.#delay(fault.delayMs);
    const answer = await this.#answer(service, req.headers['content-type'], body, fault);
    this.#o.logger?.debug({ service, httpStatus: answer.status }, 'DMP sandbox answer');
    if (fault.mode === 'dropAnswer') {
      req.socket.destroy();
      return;
    }
    if (!res.destroyed) res.writeHead(answer.status, { 'Content-Type': answer.contentType }).end(answer.body);
  }

  async #answer(service: 'repository' | 'registry', contentType: string | undefined, body: Buffer, fault: DmpFault): Promise<Answer> {
    if (fault.mode === 'status') {
      return { status: fault.status, contentType: 'text/html', body: `<html><body>HTTP ${fault.status}</body></html>` };
    }
    if (fault.mode === 'garbage') return { status: 200, contentType: 'application/soap+xml', body: '\u0000\u0001 pas du SOAP' };
    let message;
    try {
      message = parseSoapMessage(contentType, body);
    } catch (e) {
      if (!isRelaisError(e)) throw e;
      return faultAnswer(new EnvelopeFault(undefined, `message illisible : ${String(e.details['reason'] ?? e.code)}`));
    }
    const actions = service === 'repository' ? [SOAP_ACTION.provideAndRegister] : [SOAP_ACTION.registryStoredQuery, SOAP_ACTION.updateDocumentSet];
    let env: CheckedEnvelope;
    try {
      env = checkEnvelope(message.rootXml, actions, this.#o.trustStore);
    } catch (e) {
      if (e instanceof EnvelopeFault) return faultAnswer(e);
      throw e;
    }
    if (fault.mode === 'registryError') {
      const errors = [{ errorCode: fault.errorCode, codeContext: fault.codeContext ?? 'erreur simulée par le bac à sable' }];
      return soapAnswer(env.action === SOAP_ACTION.registryStoredQuery ? queryResponseXml(env.messageId, [], errors) : registryResponseXml(env.action, env.messageId, errors));
    }
    try {
      if (env.action === SOAP_ACTION.provideAndRegister) return await this.#provideAndRegister(env, contentType, message.parts);
      if (env.action === SOAP_ACTION.updateDocumentSet) return await this.#updateDocumentSet(env);
      return this.#storedQuery(env);
    } catch (e) {
      if (e instanceof EnvelopeFault) return faultAnswer(e, env.messageId);
      throw e;
    }
  }

  async #commit(env: CheckedEnvelope, rule: () => RuleResult): Promise<Answer> {
    const errors = await this.#serialized(async (): Promise<SandboxRegistryError[]> => {
      const r = rule();
      if (!r.ok) return r.errors;
      await this.#store.save(r.entries);
      return [];
    });
    this.#o.logger?.info({ action: env.action, errorCodes: errors.map((e) => e.errorCode) }, errors.length === 0 ? 'DMP sandbox accepted' : 'DMP sandbox refused');
    return soapAnswer(registryResponseXml(env.action, env.messageId, errors));
  }

  /** ITI-41 over MTOM (digest §C2): one MIME part per xdsb:Document, each referenced by an xop:Include. */
  #provideAndRegister(env: CheckedEnvelope, contentType: string | undefined, parts: ReadonlyMap<string, Buffer>): Promise<Answer> {
    const ct = parseContentType(contentType ?? '');
    if (ct.type !== 'multipart/related' || ct.params['type']?.toLowerCase() !== 'application/xop+xml') {
      throw new EnvelopeFault(undefined, 'ITI-41 doit être envoyé en MTOM/XOP (multipart/related, type application/xop+xml)');
    }
    const xdsb = 'urn:ihe:iti:xds-b:2007';
    if (env.body.namespaceURI !== xdsb || env.body.localName !== 'ProvideAndRegisterDocumentSetRequest') {
      throw new EnvelopeFault(undefined, 'corps attendu : xdsb:ProvideAndRegisterDocumentSetRequest');
    }
    const request = child(env.body, 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0', 'SubmitObjectsRequest');
    if (request === undefined) throw new EnvelopeFault(undefined, 'lcm:SubmitObjectsRequest absent');
    const docs = children(env.body, xdsb, 'Document');
    // parseSoapMessage has replaced each resolvable xop:Include by the base64 of its part.
    if (docs.length !== parts.size) throw new EnvelopeFault(undefined, 'MTOM : il faut une partie MIME par xdsb:Document, référencée par xop:Include');
    const documents = new Map<string, Buffer>();
    for (const d of docs) documents.set(d.getAttribute('id') ?? '', Buffer.from(textOf(d) ?? '', 'base64'));
    const submission = readSubmission(request);
    const now = this.#o.now?.() ?? new Date();
    return this.#commit(env, () => provideAndRegister(this.#store.entries, submission, documents, env.patientId, now));
  }

  #updateDocumentSet(env: CheckedEnvelope): Promise<Answer> {
    if (env.body.namespaceURI !== 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0' || env.body.localName !== 'SubmitObjectsRequest') {
      throw new EnvelopeFault(undefined, 'corps attendu : lcm:SubmitObjectsRequest');
    }
    const submission = readSubmission(env.body);
    const now = this.#o.now?.() ?? new Date();
    return this.#commit(env, () => updateDocumentSet(this.#store.entries, submission, env.patientId, now));
  }

  #storedQuery(env: CheckedEnvelope): Answer {
    if (env.body.namespaceURI !== SOAP_NS.query || env.body.localName !== 'AdhocQueryRequest') {
      throw new EnvelopeFault(undefined, 'corps attendu : query:AdhocQueryRequest');
    }
    const r = storedQuery(this.#store.entries, env.body, env.patientId);
    if (!r.ok) return soapAnswer(queryResponseXml(env.messageId, [], r.errors));
    return soapAnswer(queryResponseXml(env.messageId, r.entries.map((e) => ({
      entryUUID: e.entryUUID, uniqueId: e.uniqueId, patientId: e.patientId, status: e.status, mimeType: e.mimeType,
      typeCode: { code: e.typeCode, codingScheme: e.typeCodeScheme }, hash: e.hash, size: e.size,
    }))));
  }

  #handleAdmin(req: IncomingMessage, res: ServerResponse): void {
    const json = (status: number, value: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value) + '\n');
    if (req.method === 'GET' && req.url === '/_sandbox/entries') {
      json(200, this.list());
      return;
    }
    if (req.method !== 'POST' || req.url !== '/_sandbox/fault') {
      json(404, { error: 'not found' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; if (size <= 4096) chunks.push(c); });
    req.on('end', () => {
      let fault: DmpFault | undefined;
      try {
        fault = size > 4096 ? undefined : parseFault(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        fault = undefined;
      }
      if (fault === undefined) {
        json(400, { error: 'expected {"mode":"none|down|slow|status|registryError|garbage", …}' });
        return;
      }
      this.setFault(fault);
      json(200, fault);
    });
  }
}
