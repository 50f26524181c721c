/**
 * The MSSanté protocol for the delivery worker: one claimed `mss_ps` / `mss_patient` delivery → one mail to its
 * recipient (digest §A5): IHE_XDM.zip + the PDF copy, the X-MSS headers, DSN/MDN requests, through the operator's
 * SMTP submission service. One mail per delivery (i.e. per recipient), so each recipient's outcome, DSN and MDN
 * are its own (docs/decisions.md).
 *
 * The mail is rebuilt from the stored message at each try with fixed inputs (the Message-ID fixed in the store
 * before the first try, the acceptance time as date and submission time), so a retry sends the same mail and a
 * receiver that saw it already can tell by its Message-ID.
 */
import { randomUUID } from 'node:crypto';
import type { Recipient } from '../cisis/index.js';
import { isRelaisError } from '../domain/index.js';
import {
  composeDocumentMail, mailRecipientsAllowed, type ComposedMail, type MailRecipient, type SmtpSendResult, type SmtpSubmitter,
  type MailTemplates,
} from '../mss/index.js';
import { pdfFileName, pdfForCda, type PdfRenderer } from '../pdfa/index.js';
import { fixMailMessageId, type ClaimedDelivery, type Store } from '../store/index.js';
import { deterministicUuids } from '../xds/index.js';
import { buildXdmArchive, type XdmSender } from '../xdm/index.js';
import type { VoletAConfig } from '../cisis/index.js';
import { loadDeliverySource, type DeliverySource } from './delivery-source.js';
import type { SendOutcome } from './delivery-worker.js';
import { silentLogger, type Logger } from './logger.js';

export interface MssSenderOptions {
  store: Store;
  submitter: SmtpSubmitter;
  /** The sending application mailbox and its display name. */
  from: { address: string; label: string };
  /** Reply-To when the DPI gives no PRT REPLY. */
  replyTo?: string;
  /** X-MSS-NIL. */
  productReference: string;
  maxMailBytes: number;
  /** OID of this PFI instance (XDSSubmissionSet.sourceId of the archive). */
  sourceOid: string;
  /** Who made the archive (INDEX.HTM, README.TXT). */
  sender: XdmSender;
  validation: VoletAConfig;
  templates?: Partial<MailTemplates>;
  /** Where N3 PDF copies are drawn (worker threads); without it, on the calling thread. */
  pdfRenderer?: PdfRenderer;
  log?: Logger;
}

/** The sender's own failure codes (SMTP codes come as the 3-digit reply code). */
export const mssSenderCodes = {
  sourceUnusable: 'mss_source_unusable',
  /** The recipient may not get this document (flags, unqualified INS…): `mss_refused:<reason>`. */
  refused: 'mss_refused',
  /** The mail would exceed the configured size. */
  tooLarge: 'mss_too_large',
  /** The mail cannot be built (a document the PDF renderer or the archive writer refuses). */
  unbuildable: 'mss_unbuildable',
} as const;

function recipientOf(delivery: ClaimedDelivery, request: DeliverySource['request']): MailRecipient | undefined {
  const address = delivery.recipient;
  if (!address) return undefined;
  const listed: Recipient | undefined = request.recipients.find((r) => r.address.toLowerCase() === address.toLowerCase());
  if (delivery.kind === 'mss_ps') return { address, kind: 'ps' };
  return { address, kind: listed?.kind === 'representative' ? 'representative' : 'patient' };
}

/** A message id unique to this installation and delivery; fixed in the store before it is first used. */
function newMessageId(delivery: ClaimedDelivery, from: string): string {
  const domain = from.slice(from.lastIndexOf('@') + 1);
  return `<relais.${delivery.id}.${randomUUID()}@${domain}>`;
}

/** The SMTP answer as the attempt row keeps it: reply lines, never content. */
function smtpAnswer(r: SmtpSendResult): string {
  const lines = r.recipients.map((x) => `RCPT ${x.address}: ${x.text ?? (x.accepted ? 'accepted' : 'refused')}`);
  if (r.response) lines.push(r.response);
  return lines.join('\n').slice(0, 4096);
}

export function outcomeOfSmtp(r: SmtpSendResult): SendOutcome {
  const peerAnswer = smtpAnswer(r);
  if (r.ok) {
    const refused = r.recipients.find((x) => !x.accepted);
    if (!refused) return { ok: true, peerAnswer };
    return { ok: false, kind: refused.code !== undefined && refused.code < 500 ? 'transient' : 'permanent', code: String(refused.code ?? 554), peerAnswer, scope: 'delivery' };
  }
  // ZAM^Z02 ERR-5 wants the SMTP code (SMTPERRORCODE): keep it as the outcome code of a refusal.
  const code = r.smtpCode !== undefined && r.kind === 'permanent' ? String(r.smtpCode) : r.code;
  return { ok: false, kind: r.kind, code, peerAnswer, scope: r.scope === 'peer' ? 'peer' : 'delivery' };
}

export function createMssSender(o: MssSenderOptions): (delivery: ClaimedDelivery, x: { signal: AbortSignal }) => Promise<SendOutcome> {
  const log = (o.log ?? silentLogger).child({ component: 'mss-sender' });

  async function compose(s: DeliverySource, recipient: MailRecipient, messageId: string, signal: AbortSignal): Promise<ComposedMail> {
    const { request, document } = s;
    const patient = request.patient;
    const family = patient.birthFamily ?? document.header.patient.birthFamily ?? '';
    const given = patient.given[0] ?? document.header.patient.given[0] ?? '';
    const ps = recipient.kind === 'ps';
    const archive = await buildXdmArchive({
      patient: { ins: patient.ins ?? '', insOid: patient.insOid ?? '' },
      requester: request.requester ?? {},
      ...(patient.patientClass === undefined ? {} : { patientClass: patient.patientClass }),
      submissionTime: s.acceptedAt,
      sourceOid: o.sourceOid,
      intendedRecipients: [{ mail: recipient.address }],
      documents: [{
        cda: document.cda, header: document.header, flags: request.flags, action: s.action, historical: s.historical,
        ...(s.action === 'replace' && s.parentDocumentId ? { replaces: { uniqueId: s.parentDocumentId } } : {}),
      }],
      sender: o.sender,
      // Ids derived from the Message-ID: the same delivery gives the same archive at every try.
    }, { newUuid: deterministicUuids(messageId), mtime: s.acceptedAt });
    const pdfs = s.action === 'delete' ? [] : [{
      fileName: pdfFileName({ actDate: document.header.effectiveTime ?? s.acceptedAt, typeLabel: document.typeCode.label, family, given }),
      content: (await pdfForCda(document.cda, document.header, {
        creationDate: s.acceptedAt, signal, ...(o.pdfRenderer ? { renderer: o.pdfRenderer } : {}),
      })).content,
    }];
    const replyTo = request.replyTo ?? (o.replyTo || undefined);
    return composeDocumentMail({
      from: o.from,
      replyTo,
      recipients: [recipient],
      patient: { family, given, birthDate: patient.birthDate, ins: patient.ins, insQualified: patient.insQualified },
      documents: [{
        typeCode: document.typeCode.code, typeLabel: document.typeCode.label, title: document.header.title ?? '',
        effectiveTime: document.header.effectiveTime ?? '',
      }],
      xdm: archive.zip,
      pdfs,
      action: s.action,
      body: ps ? request.mailBodies.ps : request.mailBodies.patient,
      ...(o.templates ? { templates: o.templates } : {}),
      productReference: o.productReference,
      closePatientChannel: !ps && request.patientMayNotReply,
      requestDsn: request.flags.ACK_RECEPTION,
      requestMdn: request.flags.ACK_LECTURE_MSS,
      messageId,
      date: s.acceptedAt,
      maxBytes: o.maxMailBytes,
    });
  }

  return async (delivery, { signal }) => {
    const dlog = log.child({ delivery: delivery.id });
    const s = await loadDeliverySource(o.store, delivery.documentRowId, o.validation);
    if (typeof s === 'string') {
      dlog.error({ why: s }, 'cannot rebuild the mail from the stored message');
      return { ok: false, kind: 'permanent', code: mssSenderCodes.sourceUnusable, peerAnswer: s };
    }
    const recipient = recipientOf(delivery, s.request);
    if (!recipient) return { ok: false, kind: 'permanent', code: mssSenderCodes.sourceUnusable, peerAnswer: 'a mail delivery without a recipient' };
    // Checked again at sending: the intake rules may have been looser, or the flags changed by a replacement.
    const decision = mailRecipientsAllowed(s.request.flags, s.request.patient, [recipient]);
    const refusal = decision.refused[0];
    if (refusal) {
      dlog.warn({ reason: refusal.reason }, 'recipient refused by the MSSanté rules: no mail');
      return { ok: false, kind: 'permanent', code: `${mssSenderCodes.refused}:${refusal.reason}`, peerAnswer: refusal.label };
    }
    const messageId = await fixMailMessageId(o.store.db, delivery.id, newMessageId(delivery, o.from.address));
    let mail: ComposedMail;
    try {
      mail = await compose(s, recipient, messageId, signal);
    } catch (e) {
      const code = isRelaisError(e) && e.code === 'RLS_MSS_TOO_LARGE' ? mssSenderCodes.tooLarge : mssSenderCodes.unbuildable;
      dlog.error({ code, error: isRelaisError(e) ? e.code : String(e) }, 'cannot build the mail');
      return { ok: false, kind: 'permanent', code, peerAnswer: isRelaisError(e) ? e.message : 'the mail cannot be built' };
    }
    const result = await o.submitter.send({
      raw: mail.raw, envelope: mail.envelope, messageId: mail.messageId,
      ...(mail.dsn ? {
        dsn: {
          envelopeId: mail.dsn.id, ret: 'HDRS', notify: ['SUCCESS', 'FAILURE', 'DELAY'],
          ...(mail.dsn.recipient ? { originalRecipient: mail.dsn.recipient } : {}),
        },
      } : {}),
    }, signal);
    const outcome = outcomeOfSmtp(result);
    if (outcome.ok) dlog.info({ messageId: mail.messageId, bytes: mail.raw.length }, 'mail submitted to the MSSanté operator');
    else dlog.warn({ code: outcome.code, kind: outcome.kind }, 'mail not submitted');
    return outcome;
  };
}
