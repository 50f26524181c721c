/**
 * Volet A intake: one MLLP frame in, one ACK out. The rule that matters most lives here:
 * AA is sent only after the raw message, its documents and their deliveries are committed together, by one
 * SQL statement (ARCHITECTURE.md "The store is the spine"; volet A §4: ACK after validating and persisting).
 */
import {
  buildAck, encodeEr7, parseEr7, sniffHeader,
  type AckError, type Hl7Charset, type Hl7Message, type HeaderInfo,
} from '../hl7/index.js';
import { businessError, errorsForUnparsable, validateVoletA, type VoletAConfig } from '../cisis/index.js';
import { formatInstanceId } from '../cda/index.js';
import { planDeliveries, isRelaisError } from '../domain/index.js';
import { findAcceptedInbound, insertMessage, recordAcceptedIntake, toStoreError, type Store } from '../store/index.js';
import { createControlIdGenerator } from './control-ids.js';
import type { Logger } from './logger.js';

export interface IntakeOptions {
  store: Store;
  validation: VoletAConfig;
  /** Documents whose effective time is older than this are flagged historical (statistics). */
  historicalAfterDays: number;
  finessGeographique: string;
  log: Logger;
  now?: () => Date;
  nextControlId?: () => string;
  /** Called after an accepted message is committed: its deliveries are due (e.g. wake the delivery workers). */
  onAccepted?: () => void;
}

export interface IntakePeer {
  /** e.g. "dpi@10.1.2.3" — listener name and remote address. */
  label: string;
}

export type IntakeOutcome = 'accepted' | 'duplicate' | 'rejected' | 'unavailable';

export interface IntakeResult {
  ack: Buffer;
  ackCode: 'AA' | 'AE' | 'AR';
  outcome: IntakeOutcome;
  controlId: string;
}

/** ERR for a transient store failure: AR tells the DPI to send the same message again later (volet A §2.7). */
const storeUnavailable: AckError = businessError('STORE_UNAVAILABLE', undefined, 'the message could not be stored; nothing was kept');

export class IntakeService {
  readonly #o: IntakeOptions;
  readonly #now: () => Date;
  readonly #nextControlId: () => string;

  constructor(options: IntakeOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#nextControlId = options.nextControlId ?? createControlIdGenerator();
  }

  async handle(frame: Buffer, peer: IntakePeer): Promise<IntakeResult> {
    let message: Hl7Message;
    try {
      message = parseEr7(frame);
    } catch (e) {
      if (!isRelaisError(e) || e.kind !== 'input') throw e;
      const header = sniffHeader(frame);
      return this.#reject(frame, header, header.controlId ?? '', errorsForUnparsable(e), 'AE', peer, e.message);
    }

    const verdict = validateVoletA(message, this.#o.validation);
    if (!verdict.ok) {
      const summary = verdict.errors.map((e) => `${e.code}${e.location ? '@' + e.location : ''} ${e.text}`).join('; ');
      return this.#reject(frame, message, message.controlId, verdict.errors, verdict.ackCode, peer, summary);
    }
    const request = verdict.request;
    const log = this.#o.log.child({ controlId: request.controlId, peer: peer.label });
    for (const w of request.warnings) log.warn({ code: w.code, location: w.location }, `tolerated: ${w.text}`);

    const key = { sendingApp: request.sendingApp, sendingFacility: request.sendingFacility, controlId: request.controlId };
    const ack = this.#encodeAck(message, 'AA', []);
    const plan = planDeliveries(request.flags, request.recipients);
    try {
      const written = await recordAcceptedIntake(this.#o.store.db, {
        message: {
          direction: 'in', channel: 'hl7', peer: peer.label, ...key,
          messageType: `${request.structure.slice(0, 3)}^${request.event}`, raw: frame, ack, ackCode: 'AA',
          status: 'accepted', receivedAt: this.#now(),
        },
        documents: request.documents.map((doc) => ({
          document: {
            documentId: doc.documentId,
            setId: doc.header.setId ? formatInstanceId(doc.header.setId) : null,
            parentDocumentId: doc.parentDocumentId ?? null,
            versionNumber: doc.header.versionNumber ?? null,
            action: request.action,
            patientIns: request.patient.ins ?? null,
            patientInsOid: request.patient.insOid ?? null,
            insQualified: request.patient.insQualified,
            ipp: request.patient.ipp?.id ?? null,
            typeCode: doc.typeCode.code,
            typeSystem: doc.typeCode.system,
            typeLabel: doc.typeCode.label,
            title: doc.header.title ?? null,
            level: doc.header.level,
            flags: request.flags,
            cda: doc.cda,
            cdaSha256: doc.sha256,
            effectiveTime: doc.header.effectiveTime ?? null,
            historical: this.#isHistorical(doc.header.effectiveTime),
            finessGeo: request.requester?.orgIdType === 'FINEG' && request.requester.orgId ? request.requester.orgId : this.#o.finessGeographique,
          },
          deliveries: plan,
        })),
      });
      if (!written.recorded) {
        // Volet A: the same MSH-10 sent again gets the ACK it was given and creates nothing
        // (also when two copies race: the unique index lets one commit, the other finds it here).
        const earlier = await findAcceptedInbound(this.#o.store.db, key);
        if (!earlier) throw new Error('an accepted message conflicted but cannot be read back');
        log.info({}, 'duplicate: answering the stored ACK');
        return { ack: earlier.ack, ackCode: 'AA', outcome: 'duplicate', controlId: request.controlId };
      }
      log.info({ documents: request.documents.length, action: request.action }, 'accepted');
      this.#notifyAccepted(log);
      return { ack, ackCode: 'AA', outcome: 'accepted', controlId: request.controlId };
    } catch (e) {
      const err = isRelaisError(e) ? e : toStoreError(e);
      if (err.kind === 'bug') throw e;
      log.error({ code: err.code, err: err.message }, 'store write failed: answering AR');
      return { ack: this.#encodeAck(message, 'AR', [storeUnavailable]), ackCode: 'AR', outcome: 'unavailable', controlId: request.controlId };
    }
  }

  /** Rejected messages are kept too (operators see what the DPI sent); if that write fails, the ACK still goes. */
  async #reject(
    frame: Buffer, original: Hl7Message | Partial<HeaderInfo>, controlId: string, errors: AckError[],
    code: 'AE' | 'AR', peer: IntakePeer, summary: string,
  ): Promise<IntakeResult> {
    const ack = this.#encodeAck(original, code, errors);
    const header = 'segments' in original ? undefined : original;
    const msg = 'segments' in original ? original : undefined;
    this.#o.log.warn({ controlId, peer: peer.label, ack: code, errors: errors.map((e) => `${e.code}@${e.location ?? ''}`) }, 'rejected');
    try {
      await insertMessage(this.#o.store.db, {
        direction: 'in', channel: 'hl7', peer: peer.label,
        sendingApp: msg?.segment('MSH')?.get(3) ?? header?.sendingApp ?? null,
        sendingFacility: msg?.segment('MSH')?.get(4) ?? header?.sendingFacility ?? null,
        controlId: controlId || null,
        messageType: msg ? `${msg.messageType.code}^${msg.messageType.event}` : header?.event ? `?^${header.event}` : null,
        raw: frame, ack, ackCode: code, status: 'rejected', errorSummary: summary.slice(0, 2000), receivedAt: this.#now(),
      });
    } catch (e) {
      this.#o.log.error({ controlId, err: toStoreError(e).message }, 'could not record a rejected message');
    }
    return { ack, ackCode: code, outcome: 'rejected', controlId };
  }

  #encodeAck(original: Hl7Message | Partial<HeaderInfo>, code: 'AA' | 'AE' | 'AR', errors: AckError[]): Buffer {
    const charset: Hl7Charset = ('charset' in original && original.charset) || 'UTF-8';
    const text = buildAck(original, { code, errors, controlId: this.#nextControlId(), timestamp: this.#now(), charset });
    return encodeEr7(text, charset);
  }

  /** The message is committed: a failing hook must not turn its AA into an AR. */
  #notifyAccepted(log: Logger): void {
    try {
      this.#o.onAccepted?.();
    } catch (e) {
      log.error({ err: e instanceof Error ? e.message : String(e) }, 'the onAccepted hook failed (the deliveries stay due)');
    }
  }

  #isHistorical(effectiveTime: string | undefined): boolean {
    if (!effectiveTime || !/^\d{8}/.test(effectiveTime)) return false;
    const t = Date.UTC(+effectiveTime.slice(0, 4), +effectiveTime.slice(4, 6) - 1, +effectiveTime.slice(6, 8));
    return this.#now().getTime() - t > this.#o.historicalAfterDays * 86_400_000;
  }
}
