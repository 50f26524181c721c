export { openStore, STATEMENT_TIMEOUT_MS } from './open-store.js';
export type { Store, StoreDriver, StoreOptions } from './open-store.js';
export type { Logger } from './logger.js';
export { toStoreError, isUniqueViolation } from './store-errors.js';
export type {
  Database,
  MessageTable,
  DocumentTable,
  DeliveryTable,
  AttemptTable,
  MessageDirection,
  MessageChannel,
  AckCode,
  DocumentLevel,
  NotificationTable,
  NotificationState,
  MailReceiptKind,
  MssProtocol,
} from './schema.js';
export { insertMessage, findAcceptedInbound, listMessages, getMessageRaw } from './messages.js';
export type { NewMessage, MessageRow } from './messages.js';
export { insertDocument, listDocuments, getDocumentContent, getDocumentSource } from './documents.js';
export type { NewDocument, DocumentSummary, DocumentSource } from './documents.js';
export { insertDeliveries, listDeliveries, countByState } from './deliveries.js';
export type { NewDelivery, DeliveryRow } from './deliveries.js';
export { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './list-helpers.js';
export { recordAcceptedIntake } from './intake-record.js';
export type { IntakeRecord, IntakeRecordResult } from './intake-record.js';
export {
  claimDue, markDone, markRetry, markDead, reclaimExpiredLeases, expediteRetries,
  holdDeliveries, releaseDeliveries, replayDeliveries, cancelDeliveries,
} from './delivery-queue.js';
export type { ClaimedDelivery, ClaimOptions, Lease, DeliverySelector } from './delivery-queue.js';
export { recordAttempt, listAttempts } from './attempts.js';
export type { NewAttempt, AttemptRow, AttemptOutcome } from './attempts.js';
export {
  insertNotification, getNotificationSource, claimDueNotifications, markNotificationDone, markNotificationRetry,
  markNotificationDead, listNotifications, getNotificationPayload,
} from './notifications.js';
export type { NewNotification, ClaimedNotification, NotificationRow, NotificationSource } from './notifications.js';
export {
  fixMailMessageId, findDeliveriesByMailMessageId, recordMailReceipt, listMailReceipts, insertMssTraces, listMssTraces,
  purgeMssTraces, getMailboxCursor, advanceMailboxCursor, MAX_TRACE_TEXT,
} from './mail.js';
export type {
  MailDeliveryRef, NewMailReceipt, MailReceiptRow, MssTraceEntry, MssTraceRow, MssTraceQuery, MailboxCursor,
} from './mail.js';
export type { AccountTable, PasswordHistoryTable, SessionTable, AuditTable } from './security-schema.js';
export {
  insertAccount, findAccountByLogin, findAccountByOidcId, getAccount, listAccounts, updateAccount, recordAccountFailure, claimTotpStep,
  addPasswordHistory, listPasswordHistory,
} from './accounts.js';
export type { AccountRow, NewAccount, AccountPatch } from './accounts.js';
export { insertSession, findSession, touchSession, revokeSession, revokeAccountSessions } from './sessions.js';
export type { SessionRow, NewSession } from './sessions.js';
export { appendAudit, listAudit } from './audit.js';
export type { NewAuditEntry, AuditRow, AuditQuery } from './audit.js';
export {
  recordInboundMail, claimInboundAnswers, listInboundMdms, markInboundAnswered, markInboundAnswerRetry, listInboundToMove,
  markInboundMoved, listInboundMails,
} from './inbound.js';
export type {
  NewInboundMail, ClaimedInboundMail, InboundMdmOutcome, InboundAnswer, InboundMailRow,
} from './inbound.js';
export type { InboundDocumentRef, InboundMailKind, InboundMailState } from './schema.js';
export {
  countDeliveryOutcomes, countInboundTransmissions, countInboundRequests, STATS_TIME_ZONE, HISTORICAL_MAX_YEARS,
} from './stats-queries.js';
export type {
  DeliveryOutcomeCount, DocumentAge, InboundDocumentCount, InboundTransmissionCount,
} from './stats-queries.js';
export {
  searchDocuments, getDocumentSummary, searchDeliveries, searchDeliveryIds, countFlows, countOutcomes, countDeliveriesByKind,
  countMessages, countNotificationsByState, listDocumentMessages, listInboundMailHeadlines, pingStore,
} from './search.js';
export type {
  DocumentSearch, DeliverySearch, DeliveryView, FlowBucket, OutcomeBucket, KindStateCount, MessageCount, InboundMailHeadline,
} from './search.js';
export { writeBackup, BACKUP_FORMAT, BACKUP_FORMAT_VERSION } from './backup.js';
export type { BackupFile, BackupHeader, BackupOptions, BackupSummary, BackupTableInfo } from './backup.js';
export { restoreBackup, verifyBackup, openStoreForRestore } from './backup-restore.js';
export type { RestoreOptions, RestoreSummary } from './backup-restore.js';
