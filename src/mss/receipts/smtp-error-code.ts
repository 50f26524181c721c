/**
 * The 3-digit code a ZAM^Z02 carries in ERR-5 (SMTPERRORCODE, volet A §2.8) for a failed or delayed DSN
 * recipient: the SMTP reply of the Diagnostic-Code when there is one, otherwise a reply code that matches the
 * RFC 3463 enhanced status (a local delivery agent reports `x-unix;` diagnostics with no SMTP code).
 */
import type { DsnRecipient } from './parse-report.js';

const byStatus: readonly [RegExp, number][] = [
  [/^5\.1\.[0-9]+$/, 550], // bad destination mailbox or system
  [/^5\.2\.2$|^5\.3\.4$/, 552], // mailbox full, message too big
  [/^5\.2\.[0-9]+$/, 550], // mailbox disabled
  [/^4\.2\.2$|^4\.3\.1$/, 452], // mailbox or system full
  [/^4\.[0-9]+\.[0-9]+$/, 451], // any other transient failure
];

/** undefined for a success (2.x.x); 554 (transaction failed) when nothing more precise is known. */
export function smtpErrorCode(recipient: Pick<DsnRecipient, 'status' | 'smtpCode'>): number | undefined {
  if (recipient.status.startsWith('2.')) return undefined;
  if (recipient.smtpCode !== undefined && recipient.smtpCode >= 400) return recipient.smtpCode;
  return byStatus.find(([pattern]) => pattern.test(recipient.status))?.[1] ?? 554;
}
