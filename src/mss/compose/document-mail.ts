/**
 * An MSSanté mail carrying documents (Référentiel #2 CONF.14–16, 21, 23, 25; digest mssante-dmp-xdm §A5):
 * multipart/mixed → text/plain UTF-8 + IHE_XDM.zip + one PDF/A per document. Pure and deterministic: the
 * Message-ID and date come from the caller and the MIME boundaries are derived from the Message-ID, so a
 * resend of the same delivery produces the same bytes. The result is shaped for nodemailer's
 * `transporter.sendMail({ raw, envelope, dsn })`.
 */
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { RelaisError, type DocumentAction } from '../../domain/index.js';
import { mailBody, defaultMailTemplates, type MailTemplates } from './body.js';
import { checkAddress, checkFileName, checkMessageId, checkToken, foldText } from './header-safety.js';
import { PATIENT_MAIL_DOMAIN, type MailRecipient } from './patient-rules.js';
import { documentSubject } from './subject.js';

export interface MailDocument {
  /** CDA `code/@code` (LOINC): X-MSS-CODECDA. */
  typeCode: string;
  typeLabel: string;
  /** CDA title: the subject's label (falls back to typeLabel when empty). */
  title: string;
  /** CDA effectiveTime, as the CDA has it. */
  effectiveTime: string;
}

export interface MailPdf {
  fileName: string;
  content: Buffer;
}

export interface DocumentMailInput {
  /** The sending application mailbox (BAL APP) and its display name (va1.16). */
  from: { address: string; label: string };
  /** PRT REPLY or configuration: where a human answers (va1.09; MES adds it to the patient's contacts). */
  replyTo?: string | undefined;
  /** One audience per mail: professionals, or patient mailboxes (patient and legal representatives). */
  recipients: readonly MailRecipient[];
  patient: { family: string; given: string; birthDate?: string | undefined; ins?: string | undefined; insQualified: boolean };
  documents: readonly MailDocument[];
  /** IHE_XDM.zip, already built (with action C/D for a replacement or deletion). */
  xdm: Buffer;
  /** One PDF/A per document; not attached to a deletion mail. */
  pdfs: readonly MailPdf[];
  action: DocumentAction;
  /** CORPSMAIL_PS or CORPSMAIL_PATIENT decoded, for this audience; undefined → the action's template. */
  body?: string | undefined;
  templates?: Partial<MailTemplates> | undefined;
  /** Référence produit given by Convergence (X-MSS-NIL, on every mail). */
  productReference: string;
  /** NTE-4 = FIN: `X-MSS-MES: FIN`, only on a mail to patient mailboxes. */
  closePatientChannel?: boolean | undefined;
  /** ACK_RECEPTION=Y: a DSN (ESMTP parameters and Return-Receipt-To). */
  requestDsn?: boolean | undefined;
  /** ACK_LECTURE_MSS=Y: an MDN (Disposition-Notification-To). */
  requestMdn?: boolean | undefined;
  /** Stable per delivery, so a resend keeps it; with or without the angle brackets. */
  messageId: string;
  date: Date;
  /** Largest raw message accepted (bytes, after encoding). */
  maxBytes: number;
}

/** nodemailer's `dsn` message option (RFC 3461): ENVID, RET, NOTIFY and the ORCPT of the single recipient. */
export interface MailDsnRequest {
  id: string;
  return: 'headers';
  notify: ('success' | 'failure' | 'delay')[];
  /** Sent as `ORCPT=rfc822;<recipient>` on every RCPT TO, so only set for a single-recipient mail. */
  recipient?: string | undefined;
}

export interface ComposedMail {
  raw: Buffer;
  /** With angle brackets, as in the header. */
  messageId: string;
  envelope: { from: string; to: string[] };
  dsn?: MailDsnRequest | undefined;
}

const PATIENT_SUFFIX = `@${PATIENT_MAIL_DOMAIN}`;

export async function composeDocumentMail(input: DocumentMailInput): Promise<ComposedMail> {
  const from = checkAddress(input.from.address, 'from');
  const replyTo = input.replyTo === undefined ? undefined : checkAddress(input.replyTo, 'replyTo');
  const to = checkRecipients(input.recipients);
  const toPatient = input.recipients[0]?.kind !== 'ps';
  const messageId = checkMessageId(input.messageId);
  const productReference = checkToken(input.productReference, 'productReference');
  // Every document mail carries its XDM archive: X-MSS-INS and X-MSS-CODECDA describe it (CONF.14, CONF.15).
  if (!Buffer.isBuffer(input.xdm) || input.xdm.length === 0) throw new RelaisError('RLS_MSS_BAD_INPUT', 'the IHE_XDM.zip archive is missing', { field: 'xdm' });
  if (input.documents.length === 0) throw new RelaisError('RLS_MSS_BAD_INPUT', 'a document mail needs at least one document', { field: 'documents' });
  if (!(input.date instanceof Date) || Number.isNaN(input.date.getTime())) {
    throw new RelaisError('RLS_MSS_BAD_INPUT', 'date is not a valid date', { field: 'date' });
  }
  const codes = [...new Set(input.documents.map((d) => checkToken(d.typeCode, 'documents.typeCode')))];
  const titles = input.documents.map((d) => foldText(d.title) || foldText(d.typeLabel));
  const templates = { ...defaultMailTemplates, ...input.templates };

  const headers: { key: string; value: string }[] = [
    // CONF.14: O only when the archive's CDA carries a qualified INS; the header exists because an XDM is attached.
    { key: 'X-MSS-INS', value: input.patient.insQualified && input.patient.ins !== undefined ? 'O' : 'N' },
    { key: 'X-MSS-CODECDA', value: codes.join(',') },
    { key: 'X-MSS-NIL', value: productReference },
  ];
  if (input.closePatientChannel && toPatient) headers.push({ key: 'X-MSS-MES', value: 'FIN' });
  // The receipts come back to the sending BAL APP, which reads them to build ZAM^Z02/Z03.
  if (input.requestMdn) headers.push({ key: 'Disposition-Notification-To', value: from });
  if (input.requestDsn) headers.push({ key: 'Return-Receipt-To', value: from });

  const attachments = [
    { filename: 'IHE_XDM.zip', content: input.xdm, contentType: 'application/zip' },
    ...(input.action === 'delete' ? [] : input.pdfs.map((pdf, i) => ({
      filename: checkFileName(pdf.fileName, `pdfs[${i}].fileName`), content: pdf.content, contentType: 'application/pdf',
    }))),
  ];

  const composer = new MailComposer({
    from: { name: foldText(input.from.label), address: from },
    ...(replyTo !== undefined ? { replyTo } : {}),
    to,
    subject: documentSubject(titles, input.patient),
    messageId,
    date: input.date,
    headers,
    text: { content: mailBody({ action: input.action, dpiBody: input.body, titles, contact: replyTo ?? from, templates }) },
    attachments,
    textEncoding: 'quoted-printable',
    baseBoundary: createHash('sha256').update(messageId).digest('hex').slice(0, 16),
    boundaryPrefix: '--_RLS',
    xMailer: false,
    // SMTP wants CRLF everywhere; nodemailer keeps the text's bare LFs inside quoted-printable otherwise.
    newline: '\r\n',
    // Référentiel #2 spells them X-MSS-INS, X-MSS-CODECDA…; nodemailer would write X-Mss-Ins.
    normalizeHeaderKey: (key: string) => (/^x-mss-/i.test(key) ? key.toUpperCase() : key),
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = await composer.compile().build();
  if (raw.length > input.maxBytes) {
    throw new RelaisError('RLS_MSS_TOO_LARGE', `the mail is ${raw.length} bytes, above the limit of ${input.maxBytes}`, {
      bytes: raw.length, maxBytes: input.maxBytes,
    });
  }
  const envelope = { from, to };
  if (!input.requestDsn) return { raw, messageId, envelope };
  const dsn: MailDsnRequest = {
    // ENVID is an xtext in MAIL FROM: the Message-ID without brackets is printable ASCII with no '+' or '='.
    id: messageId.slice(1, -1).replace(/[+=]/g, '.'),
    return: 'headers',
    notify: ['success', 'failure', 'delay'],
    ...(to.length === 1 ? { recipient: to[0] } : {}),
  };
  return { raw, messageId, envelope, dsn };
}

/**
 * One audience per mail: the body differs (CORPSMAIL_PS vs CORPSMAIL_PATIENT) and X-MSS-MES concerns patients
 * only. Patient and representative addresses must be in the patient mail domain, professionals outside it.
 */
function checkRecipients(recipients: readonly MailRecipient[]): string[] {
  if (recipients.length === 0) throw new RelaisError('RLS_MSS_BAD_RECIPIENTS', 'a mail needs at least one recipient');
  const toPatient = recipients[0]?.kind !== 'ps';
  const out: string[] = [];
  recipients.forEach((r, i) => {
    const address = checkAddress(r.address, `recipients[${i}]`);
    const patientSide = r.kind !== 'ps';
    const patientDomain = address.toLowerCase().endsWith(PATIENT_SUFFIX);
    if (patientSide !== toPatient || patientSide !== patientDomain) {
      throw new RelaisError('RLS_MSS_BAD_RECIPIENTS', 'one mail goes either to patient mailboxes or to professionals', { index: i });
    }
    if (!out.some((a) => a.toLowerCase() === address.toLowerCase())) out.push(address);
  });
  return out;
}
