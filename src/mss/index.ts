// Composition of outbound document mails and of the replies to inbound ones.
export { composeDocumentMail } from './compose/document-mail.js';
export type { DocumentMailInput, MailDocument, MailPdf, ComposedMail, MailDsnRequest } from './compose/document-mail.js';
export { defaultMailTemplates } from './compose/body.js';
export type { MailTemplates } from './compose/body.js';
export { documentSubject, subjectBirthDate, XDM_SUBJECT_PREFIX } from './compose/subject.js';
export { isMailAddress } from './compose/header-safety.js';
export { smtpMailOf } from './compose/smtp-mail.js';
export { buildMdn, buildErrorMail, inboundReplySubject, KO_SUBJECT_TAG } from './compose/inbound-reply.js';
export type { MdnInput, ErrorMailInput, ComposedReply, InboundOriginal, InboundOutcomeError, ReattachedFile } from './compose/inbound-reply.js';
// Patient mailboxes and who may receive a document.
export {
  patientMailbox, isInsMatricule, matriculeOfMailbox, mailRecipientsAllowed, recipientRefusals, PATIENT_MAIL_DOMAIN,
} from './compose/patient-rules.js';
export type { MailRecipient, MailPatient, RecipientKind, RecipientRefusal, RecipientDecision } from './compose/patient-rules.js';
// Receipts (DSN, MDN) read back from the sending mailbox.
export { parseReport, dsnActions, mdnDispositionTypes } from './receipts/parse-report.js';
export type {
  Receipt, DsnReceipt, DsnRecipient, DsnAction, MdnReceipt, MdnDispositionType, MdnError, ParseReportOptions,
} from './receipts/parse-report.js';
export { smtpErrorCode } from './receipts/smtp-error-code.js';
// SMTP/IMAP transport.
export { createSmtpSubmitter, classifySmtpFailure } from './transport/smtp-submitter.js';
export type {
  SmtpSubmitter, SmtpSubmitterOptions, SmtpMail, SmtpDsn, SmtpSendResult, SmtpRecipientResult, SmtpFailureCode, SmtpVerifyResult,
  SmtpPoolOptions, SmtpTimeouts,
} from './transport/smtp-submitter.js';
export type { MssTrace, MssAction, MssProtocol, TraceSink } from './transport/mss-trace.js';
export type { MssLinkOptions, BalAccount, TlsMode } from './transport/secure-link.js';
export { tlsFailureCodes } from './transport/tls-failure.js';
export type { TlsFailureCode } from './transport/tls-failure.js';
export { createImapSession } from './transport/imap-session.js';
export type { ImapSession, ImapSessionOptions, ImapFolderState, ImapMessage } from './transport/imap-session.js';
