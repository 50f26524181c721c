import { Agent } from 'node:https';
import { RelaisError } from '../domain/index.js';
import { tlsClientOptions, type Credentials, type TlsProfileOptions, type TrustStore } from '../pki/index.js';
import {
  findDocumentsQueryXml, getDocumentsQueryXml, provideAndRegisterXml, submitObjectsRequestXml,
  type XdsStatusUpdate, type XdsSubmission,
} from '../xds/index.js';
import { classifyAnswer, warningsOf } from './classify-answer.js';
import { httpsPost, type PostResponse } from './https-post.js';
import { silentLogger, type Logger } from './logger.js';
import { buildMtom } from './mtom.js';
import { SOAP_ACTION, soapEnvelope } from './soap-envelope.js';
import type { FoundDocumentEntry, RegistryErrorItem, SoapFault } from './soap-response.js';
import { buildVihf, vihfPatientFromXds, type SignatureHash, type VihfIdentity } from './vihf.js';

/** DMPi transaction names, used in logs and ZAM messages (digest §C1). */
export type DmpTransaction = 'TD2.1' | 'TD3.1b' | 'TD3.3c';

export interface DmpClientOptions {
  /** e.g. `https://lps2.dmp.gouv.fr/si-dmp-server/v2/services`; `/repository` and `/registry` are appended (§C1). */
  baseUrl: string;
  /** ORG AUTH_CLI credentials for mutual TLS (§C2). */
  tlsCredentials: Credentials;
  /** The trust store of the DMP server certificate. */
  trustStore: TrustStore;
  tlsProfile?: TlsProfileOptions;
  /** The VIHF of this PFI instance and its ORG SIGN credentials (§C3). */
  vihf: VihfIdentity & { signer: Credentials; hash?: SignatureHash; validitySeconds?: number };
  /** Whole-exchange deadline per request; default 120 s (an ITI-41 carries whole documents). */
  timeoutMs?: number;
  /** Default 16 MiB. */
  maxResponseBytes?: number;
  /** TLS server name, when the URL host is an address. */
  servername?: string;
  logger?: Logger;
  /** Clock for the VIHF (tests). */
  now?: () => Date;
}

export interface DmpCallOptions {
  signal?: AbortSignal;
  /** HL7 flag CONNEXION_SECRETE (VIHF confidentiality-code, §C3). */
  secretConnection?: boolean;
  /** wsa:MessageID; default a new urn:uuid. */
  messageId?: string;
}

/** The bytes exchanged, for the `message` and `attempt` tables. */
export interface DmpExchange {
  transaction: DmpTransaction;
  url: string;
  messageId: string;
  request: { contentType: string; body: Buffer };
  /** Absent when no HTTP answer came (network error, TLS failure, timeout). */
  response?: PostResponse;
  startedAt: Date;
  durationMs: number;
}

export interface DmpFailure {
  ok: false;
  error: RelaisError;
  /** The registry errors of a Failure answer (errorCode + codeContext go to ZAM^Z01 ERR, §C8). */
  registryErrors: RegistryErrorItem[];
  fault?: SoapFault;
  exchange: DmpExchange;
}

export type DmpOutcome<T> = ({ ok: true; exchange: DmpExchange } & T) | DmpFailure;

export type DmpSubmitOutcome = DmpOutcome<{ status: string; warnings: RegistryErrorItem[] }>;
export type DmpFindOutcome = DmpOutcome<{ entries: FoundDocumentEntry[]; warnings: RegistryErrorItem[] }>;

export interface DmpFindOptions extends DmpCallOptions {
  /** TD3.1b: the document's uniqueId (GetDocuments); without it, FindDocuments by patient. */
  uniqueId?: string;
  /** FindDocuments only; default Approved. */
  statuses?: readonly string[];
}

interface SoapRequest {
  transaction: DmpTransaction;
  service: 'repository' | 'registry';
  action: string;
  body: string;
  patientId: string;
  parts?: { contentId: string; content: Buffer }[];
}

/**
 * The DMP client of a PFI (digest §C1, §C2, §C7): TD2.1 (ITI-41 over MTOM, new document or RPLC replacement),
 * TD3.1b (ITI-18) and TD3.3c (ITI-57), over HTTPS with mutual TLS, each request carrying a freshly signed VIHF for
 * the patient concerned. Never throws for what the DMP or the network does: every call returns an outcome with
 * the exchanged bytes and, on failure, a classified RelaisError (see classify-answer.ts).
 */
export class DmpClient {
  readonly #options: DmpClientOptions;
  readonly #agent: Agent;
  readonly #base: URL;
  readonly #log: Logger;
  #closed = false;

  constructor(options: DmpClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    } catch (e) {
      throw new RelaisError('RLS_CONFIG_INVALID', 'the DMP base URL is not a URL', { key: 'dmp.baseUrl' }, { cause: e });
    }
    if (base.protocol !== 'https:') throw new RelaisError('RLS_CONFIG_INVALID', 'the DMP base URL must be https', { key: 'dmp.baseUrl' });
    this.#options = options;
    this.#base = base;
    this.#log = (options.logger ?? silentLogger).child({ component: 'dmp' });
    this.#agent = new Agent({
      keepAlive: true,
      ...tlsClientOptions({
        ...options.tlsProfile, credentials: options.tlsCredentials, trustStore: options.trustStore,
        ...(options.servername === undefined ? {} : { servername: options.servername }),
      }),
    });
  }

  /** TD2.1 (DMP_2.1a): ITI-41 Provide and Register of a new document with its XAdES signature. */
  publish(submission: XdsSubmission, options: DmpCallOptions = {}): Promise<DmpSubmitOutcome> {
    return this.#submit(submission, options);
  }

  /**
   * TD2.1 (DMP_2.1b): the same ITI-41, for a submission built with `replaces` (an RPLC association to the current
   * entryUUID, found by TD3.1b just before, §C7). Masking changes go this way too (§C6).
   */
  replace(submission: XdsSubmission, options: DmpCallOptions = {}): Promise<DmpSubmitOutcome> {
    if (!submission.associations.some((a) => a.kind === 'RPLC')) {
      throw new RelaisError('RLS_XDS_REPLACEMENT', 'a replacement needs an RPLC association (build it with replaces)');
    }
    return this.#submit(submission, options);
  }

  /** TD3.1b / TD3.1 (ITI-18): GetDocuments by uniqueId when given, else FindDocuments by patient. */
  async find(patientId: string, options: DmpFindOptions = {}): Promise<DmpFindOutcome> {
    const body = options.uniqueId === undefined
      ? findDocumentsQueryXml({ patientId, ...(options.statuses === undefined ? {} : { statuses: options.statuses }) })
      : getDocumentsQueryXml({ uniqueIds: [options.uniqueId], patientId });
    const r = await this.#exchange({
      transaction: 'TD3.1b', service: 'registry', action: SOAP_ACTION.registryStoredQuery, body, patientId,
    }, options);
    return r.ok ? { ok: true, entries: r.answer.entries, warnings: warningsOf(r.answer), exchange: r.exchange } : r;
  }

  /** TD3.3c (ITI-57): logical deletion, metadata from xds buildDeletion (§C7). */
  async delete(update: XdsStatusUpdate, options: DmpCallOptions = {}): Promise<DmpSubmitOutcome> {
    const r = await this.#exchange({
      transaction: 'TD3.3c', service: 'registry', action: SOAP_ACTION.updateDocumentSet,
      body: submitObjectsRequestXml(update), patientId: update.submissionSet.patientId,
    }, options);
    return r.ok ? { ok: true, status: r.answer.status, warnings: warningsOf(r.answer), exchange: r.exchange } : r;
  }

  /** Closes the kept-alive connections. Safe to call more than once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#agent.destroy();
  }

  async #submit(submission: XdsSubmission, options: DmpCallOptions): Promise<DmpSubmitOutcome> {
    const pnr = provideAndRegisterXml(submission, { documents: 'mtom' });
    const r = await this.#exchange({
      transaction: 'TD2.1', service: 'repository', action: SOAP_ACTION.provideAndRegister, body: pnr.xml,
      patientId: submission.submissionSet.patientId, parts: pnr.parts,
    }, options);
    return r.ok ? { ok: true, status: r.answer.status, warnings: warningsOf(r.answer), exchange: r.exchange } : r;
  }

  async #exchange(req: SoapRequest, options: DmpCallOptions) {
    if (this.#closed) throw new RelaisError('RLS_BUG', 'the DMP client is closed');
    const o = this.#options;
    const url = new URL(req.service, this.#base);
    const now = o.now?.() ?? new Date();
    const { signer, hash, validitySeconds, ...identity } = o.vihf;
    const vihf = buildVihf({
      ...identity, signer, patient: vihfPatientFromXds(req.patientId), now,
      ...(hash === undefined ? {} : { hash }),
      ...(validitySeconds === undefined ? {} : { validitySeconds }),
      ...(options.secretConnection === true ? { secretConnection: true } : {}),
    });
    const envelope = soapEnvelope({
      action: req.action, to: url.toString(), vihf, body: req.body,
      ...(options.messageId === undefined ? {} : { messageId: options.messageId }),
    });
    // ITI-41 must be MTOM (§C2); the registry transactions go as plain SOAP 1.2.
    const message = req.parts === undefined
      ? { contentType: `application/soap+xml; charset=UTF-8; action="${req.action}"`, body: Buffer.from(envelope.xml, 'utf8') }
      : buildMtom({ rootXml: envelope.xml, parts: req.parts, action: req.action });
    const log = this.#log.child({ transaction: req.transaction, messageId: envelope.messageId });
    const startedAt = new Date();
    log.debug({ url: url.toString(), bytes: message.body.length }, 'DMP request');
    const result = await httpsPost({
      url, agent: this.#agent, body: message.body,
      headers: { 'Content-Type': message.contentType, Accept: 'application/soap+xml, multipart/related' },
      timeoutMs: o.timeoutMs ?? 120_000, maxResponseBytes: o.maxResponseBytes ?? 16 * 1024 * 1024,
      ...(o.tlsProfile === undefined ? {} : { tlsProfile: o.tlsProfile }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const exchange: DmpExchange = {
      transaction: req.transaction, url: url.toString(), messageId: envelope.messageId,
      request: { contentType: message.contentType, body: message.body },
      ...(result.ok ? { response: result.response } : {}),
      startedAt, durationMs: Date.now() - startedAt.getTime(),
    };
    if (!result.ok) {
      log.warn({ code: result.error.code, details: result.error.details }, 'DMP request failed');
      return { ok: false as const, error: result.error, registryErrors: [], exchange };
    }
    const c = classifyAnswer(result.response.status, result.response.contentType, result.response.body);
    if (!c.ok) {
      log.warn({ code: c.error.code, details: c.error.details }, 'DMP answered with an error');
      return {
        ok: false as const, error: c.error, exchange,
        registryErrors: c.answer?.kind === 'registry' ? c.answer.errors : [],
        ...(c.answer?.kind === 'fault' ? { fault: c.answer } : {}),
      };
    }
    log.info({ status: c.answer.status, httpStatus: result.response.status, durationMs: exchange.durationMs }, 'DMP answered');
    return { ok: true as const, answer: c.answer, exchange };
  }
}
