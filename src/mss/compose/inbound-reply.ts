/**
 * What Relais mails back about a document mail it received (volet B §3.5, annexes struct-msg-mdn and
 * struct-email-standard): an MDN to the sender when it asked for one (Disposition-Notification-To), otherwise,
 * on error, a "standard" mail to the configured error mailbox. Pure builders: raw bytes and envelope.
 *
 * The volet's Disposition form `processed/Error: <code>^<libellé>` is not RFC 8098 grammar; peers parse it, so it
 * is written that way, and an RFC `Error:` field carries the same text (digest C5). The original mail travels
 * verbatim as the message/rfc822 part, attachments included; `reattach` adds top-level copies for peers that
 * look for IHE_XDM.zip and the PDF beside the report.
 */
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import { RelaisError } from '../../domain/index.js';
import { checkAddress, checkFileName, checkMessageId, checkToken, foldText } from './header-safety.js';
import { XDM_SUBJECT_PREFIX } from './subject.js';

export interface InboundOutcomeError {
  /** applicationErrorCode of the DPI (900–906) or a code of ours. */
  code: string;
  label: string;
}

export interface InboundOriginal {
  raw: Buffer;
  messageId: string;
  subject: string;
  /** The original's Original-Recipient (or To) address, when known. */
  originalRecipient?: string | undefined;
}

export interface ReattachedFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}

export interface InboundReplyBase {
  /** The application mailbox that received the mail (BAL APP). */
  from: { address: string; label: string };
  original: InboundOriginal;
  /** undefined: integrated; otherwise the code and label the DPI answered (or ours). */
  error?: InboundOutcomeError | undefined;
  reattach?: readonly ReattachedFile[] | undefined;
  messageId: string;
  date: Date;
  maxBytes: number;
}

export interface MdnInput extends InboundReplyBase {
  /** The original's Disposition-Notification-To address. */
  to: string;
  /** The address the MDN is issued for (the BAL APP; it may differ from the original recipient after a forward). */
  finalRecipient: string;
  /** Reporting-UA, e.g. `relais.ch-exemple.fr; Relais`. */
  reportingUa: string;
}

export interface ErrorMailInput extends InboundReplyBase {
  error: InboundOutcomeError;
  /** The configured error mailbox. */
  to: string;
}

export interface ComposedReply {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
}

export const KO_SUBJECT_TAG = '[KO Intégration système !]';

/** `XDM/1.0/DDM+…` on success, `[KO Intégration système !][<code>] XDM/1.0/DDM+…` on error. */
export function inboundReplySubject(originalSubject: string, error: InboundOutcomeError | undefined): string {
  const subject = foldText(originalSubject);
  const xdm = subject.startsWith(XDM_SUBJECT_PREFIX) ? subject : XDM_SUBJECT_PREFIX + subject;
  return error === undefined ? xdm : `${KO_SUBJECT_TAG}[${checkToken(error.code, 'error.code', 32)}] ${xdm}`;
}

function humanText(error: InboundOutcomeError | undefined): string {
  if (error === undefined) return 'Le message ci-dessous a été intégré automatiquement dans le DPI.\n';
  return `Le message ci-dessous n'a pas pu être intégré automatiquement dans le DPI pour la raison suivante : ${foldText(error.label)}\n`
    + `Code d'erreur : ${error.code}\n`;
}

function boundaryOf(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 16);
}

function checkSize(raw: Buffer, maxBytes: number): Buffer {
  if (raw.length > maxBytes) {
    throw new RelaisError('RLS_MSS_TOO_LARGE', `the mail is ${raw.length} bytes, above the limit of ${maxBytes}`, { bytes: raw.length, maxBytes });
  }
  return raw;
}

/** A bare `type/subtype` (parameters and anything else are dropped to application/octet-stream). */
function safeContentType(value: string): string {
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(value) ? value : 'application/octet-stream';
}

function attachNodes(parent: MimeNode, files: readonly ReattachedFile[]): void {
  files.forEach((file, i) => {
    const name = checkFileName(file.fileName, `reattach[${i}].fileName`);
    parent.createChild(safeContentType(file.contentType), { filename: name }).setHeader('Content-Disposition', 'attachment').setContent(file.content);
  });
}

/** The MDN of volet B (struct-msg-mdn): multipart/report; report-type=disposition-notification. */
export async function buildMdn(input: MdnInput): Promise<ComposedReply> {
  const from = checkAddress(input.from.address, 'from');
  const to = checkAddress(input.to, 'to');
  const finalRecipient = checkAddress(input.finalRecipient, 'finalRecipient');
  const originalRecipient = input.original.originalRecipient === undefined ? undefined : checkAddress(input.original.originalRecipient, 'original.originalRecipient');
  const messageId = checkMessageId(input.messageId);
  const originalMessageId = checkMessageId(input.original.messageId, 'original.messageId');
  const error = input.error === undefined ? undefined : { code: checkToken(input.error.code, 'error.code', 32), label: foldText(input.error.label) };
  const errorText = error === undefined ? undefined : `${error.code}^${error.label}`;

  const fields = [
    `Reporting-UA: ${foldText(input.reportingUa)}`,
    ...(originalRecipient !== undefined ? [`Original-Recipient: rfc822;${originalRecipient}`] : []),
    `Final-Recipient: rfc822;${finalRecipient}`,
    `Original-Message-ID: ${originalMessageId}`,
    `Disposition: automatic-action/MDN-sent-automatically; processed${errorText === undefined ? '' : `/Error: ${errorText}`}`,
    ...(errorText !== undefined ? [`Error: ${errorText}`] : []),
  ];

  const root = new MimeNode('multipart/report; report-type=disposition-notification', {
    baseBoundary: boundaryOf(messageId), boundaryPrefix: '--_RLS', disableFileAccess: true, disableUrlAccess: true,
    // SMTP wants CRLF everywhere, the original mail included (a bare LF is refused by some MTAs).
    newline: '\r\n',
  });
  root.setHeader({
    From: { name: foldText(input.from.label), address: from },
    To: to,
    Subject: inboundReplySubject(input.original.subject, error),
    'Message-ID': messageId,
    Date: input.date,
    // RFC 3834: an automatic answer, so no auto-responder answers it in turn.
    'Auto-Submitted': 'auto-replied',
  });
  root.createChild('text/plain; charset=utf-8').setContent(humanText(error));
  root.createChild('message/disposition-notification').setContent(fields.join('\r\n') + '\r\n');
  root.createChild('message/rfc822').setContent(input.original.raw);
  attachNodes(root, input.reattach ?? []);
  const raw = checkSize(await root.build(), input.maxBytes);
  return { raw, messageId, envelope: { from, to: [to] } };
}

/** The "standard" error mail of volet B (struct-email-standard), for when no MDN was asked. */
export async function buildErrorMail(input: ErrorMailInput): Promise<ComposedReply> {
  const from = checkAddress(input.from.address, 'from');
  const to = checkAddress(input.to, 'to');
  const messageId = checkMessageId(input.messageId);
  const originalMessageId = checkMessageId(input.original.messageId, 'original.messageId');
  const composer = new MailComposer({
    from: { name: foldText(input.from.label), address: from },
    to,
    subject: inboundReplySubject(input.original.subject, input.error),
    messageId,
    date: input.date,
    headers: [{ key: 'Auto-Submitted', value: 'auto-replied' }],
    text: { content: humanText(input.error) + `Message concerné : ${originalMessageId}\n` },
    attachments: [
      { filename: 'message-original.eml', content: input.original.raw, contentType: 'message/rfc822', contentDisposition: 'attachment' },
      ...(input.reattach ?? []).map((f, i) => ({ filename: checkFileName(f.fileName, `reattach[${i}].fileName`), content: f.content, contentType: safeContentType(f.contentType) })),
    ],
    textEncoding: 'quoted-printable',
    baseBoundary: boundaryOf(messageId),
    boundaryPrefix: '--_RLS',
    xMailer: false,
    newline: '\r\n',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = checkSize(await composer.compile().build(), input.maxBytes);
  return { raw, messageId, envelope: { from, to: [to] } };
}
