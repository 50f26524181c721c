/**
 * The DMP protocol for the delivery worker: one claimed `dmp` delivery → TD2.1 publish or replace, or TD3.3c
 * deletion (digest §C1–§C8). Everything the XDS metadata needs is rebuilt from the raw message kept at intake
 * (the store keeps what was acknowledged, not a second copy of every field).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { VoletAConfig } from '../cisis/index.js';
import {
  buildXadesSignature, type DmpClient, type DmpFailure, type DmpExchange, type FoundDocumentEntry,
} from '../dmp/index.js';
import type { Credentials } from '../pki/index.js';
import type { ClaimedDelivery, Store } from '../store/index.js';
import {
  XDS_STATUS, buildDeletion, buildSubmission, oidFromUuid, xdsPatientId, type XdsPatient,
} from '../xds/index.js';
import { loadDeliverySource, type DeliverySource } from './delivery-source.js';
import type { SendOutcome } from './delivery-worker.js';
import { silentLogger, type Logger } from './logger.js';

export interface DmpSenderOptions {
  store: Store;
  client: DmpClient;
  /** ORG SIGN credentials: the XAdES signature of the submission (digest §C5). */
  signer: Credentials;
  /** The intake validation settings, to rebuild the request from the stored message. */
  validation: VoletAConfig;
  /** OID of this PFI instance (XDSSubmissionSet.sourceId). */
  sourceOid: string;
  log?: Logger;
  now?: () => Date;
}

/** The sender's own failure codes (the DMP's come from DmpClient). */
export const dmpSenderCodes = {
  /** The stored message, its document or its patient INS cannot be read back: sending again would not help. */
  sourceUnusable: 'dmp_source_unusable',
  /** A replacement or a deletion names a document the DMP has no current entry for. */
  entryNotFound: 'dmp_entry_not_found',
} as const;

const DUPLICATE_UNIQUE_ID = 'XDSDuplicateUniqueIdInRegistry';

/** What the attempt row keeps of an exchange: the DMP's answer, never the request (it carries the CDA). */
const MAX_PEER_ANSWER = 16 * 1024;

function peerAnswer(exchange: DmpExchange): string | undefined {
  const r = exchange.response;
  if (!r) return undefined;
  // PostgreSQL text refuses NUL: a garbage answer must still leave its trace (and its outcome) in the attempt row.
  const text = r.body.subarray(0, MAX_PEER_ANSWER).toString('utf8').replace(/\0/g, '\uFFFD');
  return `${exchange.transaction} HTTP ${r.status}\n${text}`;
}

function failed(f: DmpFailure): SendOutcome {
  const answer = peerAnswer(f.exchange);
  const base = { ...(answer === undefined ? {} : { peerAnswer: answer }) };
  if (f.error.kind === 'peer_transient') return { ok: false, kind: 'transient', code: f.error.code, ...base };
  // Digest §C8: the RegistryError code goes to ZAM^Z01 ERR-5.
  return { ok: false, kind: 'permanent', code: f.registryErrors[0]?.errorCode ?? f.error.code, ...base };
}

function unusable(why: string): SendOutcome {
  return { ok: false, kind: 'permanent', code: dmpSenderCodes.sourceUnusable, peerAnswer: why };
}

interface Source extends DeliverySource {
  patient: XdsPatient;
}

export function createDmpSender(o: DmpSenderOptions): (delivery: ClaimedDelivery, x: { signal: AbortSignal }) => Promise<SendOutcome> {
  const log = (o.log ?? silentLogger).child({ component: 'dmp-sender' });
  const now = o.now ?? (() => new Date());

  async function source(delivery: ClaimedDelivery): Promise<Source | string> {
    const s = await loadDeliverySource(o.store, delivery.documentRowId, o.validation);
    if (typeof s === 'string') return s;
    const { ins, insOid } = s.request.patient;
    if (ins === undefined || insOid === undefined) return 'the message has no INS';
    return { ...s, patient: { ins, insOid } };
  }

  /** TD3.1b by uniqueId: the entries of that document id, or a failure. */
  async function entriesOf(patientId: string, uniqueId: string, signal: AbortSignal, secret: boolean): Promise<FoundDocumentEntry[] | DmpFailure> {
    const r = await o.client.find(patientId, { uniqueId, signal, secretConnection: secret });
    return r.ok ? r.entries : r;
  }

  async function submit(s: Source, delivery: ClaimedDelivery, signal: AbortSignal): Promise<SendOutcome> {
    const patientId = xdsPatientId(s.patient);
    const secret = s.request.flags.CONNEXION_SECRETE;
    const uniqueId = s.document.header.id.root;
    const dlog = log.child({ delivery: delivery.id, action: s.action });
    if (delivery.attemptCount > 1) {
      // A crash or a lost answer may have left the document published: never publish twice (the DMP would
      // refuse the duplicate uniqueId, and the order would die although the document is there).
      const found = await entriesOf(patientId, uniqueId, signal, secret);
      if (!Array.isArray(found)) return failed(found);
      if (found.some((e) => e.status === XDS_STATUS.approved)) {
        dlog.info({}, 'already in the DMP after an earlier attempt: not sent again');
        return { ok: true, peerAnswer: 'TD3.1b: already published by an earlier attempt' };
      }
    }
    let replaces: { uniqueId: string; entryUUID: string } | undefined;
    if (s.action === 'replace') {
      if (!s.parentDocumentId) return unusable('a replacement without its parent document id');
      // Digest §C7: the RPLC association names the current entryUUID, which changes with each version.
      const found = await entriesOf(patientId, s.parentDocumentId, signal, secret);
      if (!Array.isArray(found)) return failed(found);
      const current = found.find((e) => e.status === XDS_STATUS.approved);
      if (!current) return { ok: false, kind: 'permanent', code: dmpSenderCodes.entryNotFound };
      replaces = { uniqueId: s.parentDocumentId, entryUUID: current.entryUUID };
    }
    const submissionTime = now();
    const submissionSetUniqueId = oidFromUuid(randomUUID());
    const signatureUniqueId = oidFromUuid(randomUUID());
    const xades = buildXadesSignature({
      documents: [{ uniqueId, content: s.document.cda }], submissionSetUniqueId, signatureUniqueId, signer: o.signer,
      now: submissionTime,
    });
    const submission = buildSubmission({
      cda: s.document.cda, header: s.document.header, patient: s.patient, requester: s.request.requester ?? {},
      flags: s.request.flags, submissionTime, sourceOid: o.sourceOid,
      signature: { xml: xades, uniqueId: signatureUniqueId }, submissionSetUniqueId,
      ...(s.request.patient.patientClass === undefined ? {} : { patientClass: s.request.patient.patientClass }),
      ...(replaces === undefined ? {} : { replaces }),
    });
    const r = replaces === undefined
      ? await o.client.publish(submission, { signal, secretConnection: secret })
      : await o.client.replace(submission, { signal, secretConnection: secret });
    if (!r.ok) {
      if (r.registryErrors.some((e) => e.errorCode === DUPLICATE_UNIQUE_ID)) return duplicate(r, patientId, uniqueId, s.document.cda, signal, secret, dlog);
      return failed(r);
    }
    dlog.info({ status: r.status, warnings: r.warnings.length }, replaces ? 'replaced in the DMP' : 'published to the DMP');
    const answer = peerAnswer(r.exchange);
    return { ok: true, ...(answer === undefined ? {} : { peerAnswer: answer }) };
  }

  /**
   * Digest §C8: a duplicate uniqueId means "already stored" when TD3.1b shows an Approved entry with our hash. It
   * happens when an earlier attempt, cut short (node stopped, timeout), reached the DMP after the TD3.1b that
   * preceded this one.
   */
  async function duplicate(
    refused: DmpFailure, patientId: string, uniqueId: string, cda: Buffer, signal: AbortSignal, secret: boolean, dlog: Logger,
  ): Promise<SendOutcome> {
    const found = await entriesOf(patientId, uniqueId, signal, secret);
    if (!Array.isArray(found)) return failed(found);
    const hash = createHash('sha1').update(cda).digest('hex');
    if (found.some((e) => e.status === XDS_STATUS.approved && e.hash?.toLowerCase() === hash)) {
      dlog.info({}, 'the DMP already holds this document from an earlier attempt: done');
      return { ok: true, peerAnswer: 'XDSDuplicateUniqueIdInRegistry, and TD3.1b shows the same document Approved' };
    }
    return failed(refused);
  }

  async function remove(s: Source, delivery: ClaimedDelivery, signal: AbortSignal): Promise<SendOutcome> {
    const patientId = xdsPatientId(s.patient);
    const secret = s.request.flags.CONNEXION_SECRETE;
    const uniqueId = s.document.header.id.root;
    const found = await entriesOf(patientId, uniqueId, signal, secret);
    if (!Array.isArray(found)) return failed(found);
    const current = found.find((e) => e.status === XDS_STATUS.approved);
    if (!current) {
      // After a lost answer the entry is already Deleted: the order is done.
      if (found.some((e) => e.status === XDS_STATUS.dmpDeleted)) return { ok: true, peerAnswer: 'TD3.1b: already deleted' };
      return { ok: false, kind: 'permanent', code: dmpSenderCodes.entryNotFound };
    }
    const update = buildDeletion({
      entryUUID: current.entryUUID, patient: s.patient, requester: s.request.requester ?? {},
      submissionTime: now(), sourceOid: o.sourceOid,
      ...(s.request.patient.patientClass === undefined ? {} : { patientClass: s.request.patient.patientClass }),
    });
    const r = await o.client.delete(update, { signal, secretConnection: secret });
    if (!r.ok) return failed(r);
    log.info({ delivery: delivery.id }, 'deleted from the DMP');
    const answer = peerAnswer(r.exchange);
    return { ok: true, ...(answer === undefined ? {} : { peerAnswer: answer }) };
  }

  return async (delivery, { signal }) => {
    const s = await source(delivery);
    if (typeof s === 'string') {
      log.error({ delivery: delivery.id, why: s }, 'cannot rebuild the DMP submission from the stored message');
      return unusable(s);
    }
    return s.action === 'delete' ? remove(s, delivery, signal) : submit(s, delivery, signal);
  };
}
