/**
 * Reads a receipt that came back to the sending mailbox: a DSN (RFC 3464, `multipart/report;
 * report-type=delivery-status`) becomes one ZAM^Z02 per recipient, an MDN (RFC 8098, `report-type=
 * disposition-notification`) one ZAM^Z03 (volet A §2.8). Hostile input is expected: anything that is not a
 * well-formed report of one of these two kinds gives `undefined`, never an exception.
 */
import { simpleParser, type Attachment } from 'mailparser';
import { defaultFieldLimits, msgIdOf, parseFieldGroups, typedAddress, type FieldGroup } from './report-fields.js';

export const dsnActions = ['delivered', 'failed', 'delayed', 'relayed', 'expanded'] as const;
export type DsnAction = (typeof dsnActions)[number];

export interface DsnRecipient {
  finalRecipient: string;
  originalRecipient?: string | undefined;
  action: DsnAction;
  /** RFC 3463 enhanced status, `x.y.z`. */
  status: string;
  diagnosticCode?: string | undefined;
  /** The 3-digit SMTP reply code of an `smtp;` Diagnostic-Code. */
  smtpCode?: number | undefined;
}

export interface DsnReceipt {
  kind: 'dsn';
  /** ENVID given at MAIL FROM (RFC 3461), echoed as Original-Envelope-Id. */
  originalEnvelopeId?: string | undefined;
  /** Message-ID of the returned headers or message, with brackets. */
  originalMessageId?: string | undefined;
  reportingMta?: string | undefined;
  recipients: DsnRecipient[];
}

export const mdnDispositionTypes = ['displayed', 'deleted', 'dispatched', 'processed', 'denied', 'failed'] as const;
export type MdnDispositionType = (typeof mdnDispositionTypes)[number];

export interface MdnError {
  /** The text after `Error:`, e.g. `902^Identifiant de patient inconnu`. */
  text: string;
  /** Volet B form `<code>^<libellé>`: the code (ZAM^Z03 ERR-5.1). */
  code?: string | undefined;
  label?: string | undefined;
}

export interface MdnReceipt {
  kind: 'mdn';
  originalMessageId: string;
  finalRecipient: string;
  originalRecipient?: string | undefined;
  reportingUa?: string | undefined;
  /** The Disposition field as received. */
  disposition: string;
  dispositionType: MdnDispositionType;
  /** `automatic-action/MDN-sent-automatically` and the like. */
  actionMode?: string | undefined;
  error?: MdnError | undefined;
}

export type Receipt = DsnReceipt | MdnReceipt;

export interface ParseReportOptions {
  /** Larger input is not read at all (a DSN with RET=FULL carries the whole original mail). */
  maxBytes?: number;
  /** The report part itself (the field groups) is read up to this size. */
  maxReportBytes?: number;
}

const DEFAULT_MAX_BYTES = 40 * 1024 * 1024;
const DEFAULT_MAX_REPORT_BYTES = 256 * 1024;

export async function parseReport(raw: Buffer, options: ParseReportOptions = {}): Promise<Receipt | undefined> {
  if (!Buffer.isBuffer(raw) || raw.length === 0 || raw.length > (options.maxBytes ?? DEFAULT_MAX_BYTES)) return undefined;
  let parsed;
  try {
    parsed = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch {
    // Unparseable bytes are simply not a report: the caller files the mail as unrelated.
    return undefined;
  }
  // mailparser gives Content-Type as { value, params }.
  const contentType = parsed.headers.get('content-type') as { value?: unknown; params?: Record<string, unknown> } | undefined;
  if (typeof contentType !== 'object' || String(contentType.value).toLowerCase() !== 'multipart/report') return undefined;
  const reportType = String(contentType.params?.['report-type'] ?? '').toLowerCase();
  const maxReport = options.maxReportBytes ?? DEFAULT_MAX_REPORT_BYTES;
  if (reportType === 'delivery-status') return readDsn(parsed.attachments, maxReport);
  if (reportType === 'disposition-notification') return readMdn(parsed.attachments, maxReport);
  return undefined;
}

function partText(attachments: readonly Attachment[], types: readonly string[], maxBytes: number): string | undefined {
  const part = attachments.find((a) => types.includes(a.contentType.toLowerCase()));
  if (part === undefined || !Buffer.isBuffer(part.content)) return undefined;
  return part.content.subarray(0, maxBytes).toString('utf8');
}

/** The Message-ID in the returned headers (`text/rfc822-headers`) or the returned message. */
function returnedMessageId(attachments: readonly Attachment[], maxBytes: number): string | undefined {
  const text = partText(attachments, ['text/rfc822-headers', 'message/rfc822', 'message/global-headers', 'message/global'], maxBytes);
  if (text === undefined) return undefined;
  const headerBlock = text.split(/\r?\n\r?\n/, 1)[0] ?? '';
  return msgIdOf(parseFieldGroups(headerBlock, defaultFieldLimits)[0]?.get('message-id'));
}

function readDsn(attachments: readonly Attachment[], maxBytes: number): DsnReceipt | undefined {
  const text = partText(attachments, ['message/delivery-status', 'message/global-delivery-status'], maxBytes);
  if (text === undefined) return undefined;
  const [perMessage, ...perRecipient] = parseFieldGroups(text);
  if (perMessage === undefined) return undefined;
  const recipients = perRecipient.map(readDsnRecipient).filter((r): r is DsnRecipient => r !== undefined);
  if (recipients.length === 0) return undefined;
  return {
    kind: 'dsn',
    originalEnvelopeId: perMessage.get('original-envelope-id') || undefined,
    originalMessageId: returnedMessageId(attachments, maxBytes),
    reportingMta: typedAddress(perMessage.get('reporting-mta')),
    recipients,
  };
}

const STATUS = /^([245])\.(\d{1,3})\.(\d{1,3})\b/;

function readDsnRecipient(group: FieldGroup): DsnRecipient | undefined {
  const finalRecipient = typedAddress(group.get('final-recipient'));
  const action = group.get('action')?.split(/[\s(]/, 1)[0]?.toLowerCase();
  const status = STATUS.exec(group.get('status') ?? '')?.slice(0, 4);
  if (finalRecipient === undefined || !dsnActions.includes(action as DsnAction) || status === undefined) return undefined;
  const diagnosticCode = group.get('diagnostic-code') || undefined;
  return {
    finalRecipient,
    originalRecipient: typedAddress(group.get('original-recipient')),
    action: action as DsnAction,
    status: `${status[1]}.${status[2]}.${status[3]}`,
    diagnosticCode,
    smtpCode: smtpCodeOf(diagnosticCode),
  };
}

/** `smtp; 550 5.1.1 <x>: Recipient address rejected` → 550 (RFC 3464 §2.3.6, diagnostic-type smtp). */
function smtpCodeOf(diagnostic: string | undefined): number | undefined {
  const m = /^\s*smtp\s*;\s*([245]\d\d)(?:[\s-]|$)/i.exec(diagnostic ?? '');
  return m ? Number(m[1]) : undefined;
}

function readMdn(attachments: readonly Attachment[], maxBytes: number): MdnReceipt | undefined {
  const text = partText(attachments, ['message/disposition-notification', 'message/global-disposition-notification'], maxBytes);
  if (text === undefined) return undefined;
  const fields = parseFieldGroups(text)[0];
  if (fields === undefined) return undefined;
  const finalRecipient = typedAddress(fields.get('final-recipient'));
  const originalMessageId = msgIdOf(fields.get('original-message-id'));
  const disposition = fields.get('disposition');
  if (finalRecipient === undefined || originalMessageId === undefined || disposition === undefined) return undefined;
  const parsed = readDisposition(disposition);
  if (parsed === undefined) return undefined;
  const errorText = fields.get('error') ?? parsed.errorText;
  return {
    kind: 'mdn',
    originalMessageId,
    finalRecipient,
    originalRecipient: typedAddress(fields.get('original-recipient')),
    reportingUa: fields.get('reporting-ua') || undefined,
    disposition,
    dispositionType: parsed.type,
    actionMode: parsed.actionMode,
    error: errorText === undefined || errorText === '' ? undefined : mdnError(errorText),
  };
}

/**
 * `<action-mode>/<sending-mode>; <type>[/<modifiers>]` (RFC 8098 §3.2.6). Volet B writes the error inside the
 * disposition, `processed/Error: 902^Identifiant de patient inconnu`: its text is taken from there when no
 * separate Error field came.
 */
function readDisposition(value: string): { type: MdnDispositionType; actionMode?: string; errorText?: string } | undefined {
  const semi = value.indexOf(';');
  const actionMode = semi >= 0 ? value.slice(0, semi).trim() || undefined : undefined;
  const rest = (semi >= 0 ? value.slice(semi + 1) : value).trim();
  const type = /^[A-Za-z-]+/.exec(rest)?.[0].toLowerCase();
  if (!mdnDispositionTypes.includes(type as MdnDispositionType)) return undefined;
  const inline = /\/\s*error\s*:\s*(.*)$/i.exec(rest);
  return { type: type as MdnDispositionType, ...(actionMode ? { actionMode } : {}), ...(inline ? { errorText: inline[1]?.trim() } : {}) };
}

function mdnError(text: string): MdnError {
  const m = /^\s*([0-9A-Za-z_-]{1,32})\s*\^\s*([^^]*)/.exec(text);
  return m ? { text, code: m[1], label: m[2]?.trim() || undefined } : { text };
}
