import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable, Updateable } from 'kysely';
import type { DeliveryState, DestinationKind, DocumentAction, MetaFlags } from '../domain/index.js';
import type { AccountTable, AuditTable, PasswordHistoryTable, SessionTable } from './security-schema.js';

/**
 * The tables as kysely sees them (ARCHITECTURE.md "The store is the spine"). Column names are the SQL
 * ones (snake_case); the repositories map rows to camelCase. Ids are bigint identity columns, which
 * both drivers return as strings. Every timestamp is timestamptz, read as a Date. Columns with a
 * database default are Generated<> (optional on insert).
 */

/** A bigint identity column (`generated always`): read as a string, never written. */
export type Id = GeneratedAlways<string>;
/** A bigint foreign key, read and written as a string. */
export type Ref = string;

export type MessageDirection = 'in' | 'out';
export type MessageChannel = 'hl7' | 'mail' | 'soap';
/** HL7 table 0008: original (AA/AE/AR) and enhanced (CA/CE/CR) acknowledgment codes. */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';
export type DocumentLevel = 'N1' | 'N3';

export interface MessageTable {
  id: Id;
  direction: MessageDirection;
  channel: MessageChannel;
  /** The other side: DPI name or address, MSSanté address, DMP endpoint. */
  peer: string;
  /** MSH-3 / MSH-4 for HL7. */
  sending_app: string | null;
  sending_facility: string | null;
  /** The correlation key: MSH-10 for HL7, Message-ID for mail, wsa:MessageID for SOAP. */
  control_id: string | null;
  /** MSH-9 for HL7 (e.g. MDM^T02^MDM_T02). */
  message_type: string | null;
  /** The message exactly as received or sent. */
  raw: Buffer;
  /** The acknowledgment we answered (inbound) or received (outbound), verbatim. */
  ack: Buffer | null;
  ack_code: AckCode | null;
  status: string;
  error_summary: string | null;
  received_at: Generated<Date>;
  created_at: Generated<Date>;
}

export interface DocumentTable {
  id: Id;
  message_id: Ref;
  /** ClinicalDocument/id as `root` or `root^extension`. */
  document_id: string;
  set_id: string | null;
  parent_document_id: string | null;
  version_number: string | null;
  action: DocumentAction;
  patient_ins: string | null;
  patient_ins_oid: string | null;
  ins_qualified: boolean;
  ipp: string | null;
  type_code: string;
  type_system: string;
  type_label: string | null;
  title: string | null;
  level: DocumentLevel;
  /** The ten MetaDMPMSS flags as a JSON object (written as JSON text). */
  flags: ColumnType<MetaFlags, string, string>;
  cda: Buffer;
  cda_sha256: string;
  /** CDA effectiveTime as written in the document (HL7 TS). */
  effective_time: string | null;
  historical: boolean;
  finess_geo: string | null;
  created_at: Generated<Date>;
}

export interface DeliveryTable {
  id: Id;
  document_row_id: Ref;
  kind: DestinationKind;
  /** Mail address for MSSanté; null for the DMP and the DPI. */
  recipient: string | null;
  recipient_id: string | null;
  state: DeliveryState;
  /** Why the delivery is held, waiting, dead or cancelled. */
  reason: string | null;
  /** Not to be tried before this time (scheduled sending). */
  not_before: Date | null;
  /** When a worker may next claim it. */
  next_attempt_at: Generated<Date>;
  attempt_count: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** While in_flight: the claim holds until then; past it, the delivery goes back to pending. */
  lease_until: Date | null;
  /** The worker holding the lease. */
  claimed_by: string | null;
  /** MSSanté: the Message-ID of the mail, fixed before the first try and kept for retries. */
  mail_message_id: string | null;
}

export interface AttemptTable {
  id: Id;
  delivery_id: Ref;
  started_at: Generated<Date>;
  finished_at: Date | null;
  outcome: string | null;
  /** The peer's answer verbatim (SMTP reply, SOAP fault, HL7 ACK). */
  peer_answer: string | null;
  error_code: string | null;
}

export type NotificationState = 'pending' | 'in_flight' | 'done' | 'retry_wait' | 'dead';

/** A message Relais originates towards the DPI (ZAM business ack), with its own retries. */
export interface NotificationTable {
  id: Id;
  /** The inbound message it reports on. */
  message_id: Ref;
  /** e.g. 'zam_z01'. */
  kind: string;
  /** The message to send, verbatim. */
  payload: Buffer;
  /** Its MSH-10: the ACK's MSA-2 must equal it. */
  control_id: string;
  state: NotificationState;
  attempt_count: Generated<number>;
  next_attempt_at: Generated<Date>;
  lease_until: Date | null;
  claimed_by: string | null;
  last_error: string | null;
  /** The peer's acknowledgment, verbatim. */
  ack: Buffer | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type MailReceiptKind = 'dsn' | 'mdn';

/** A DSN or MDN received for a MSSanté delivery, one row per recipient report. */
export interface MailReceiptTable {
  id: Id;
  delivery_id: Ref;
  kind: MailReceiptKind;
  /** DSN Action (delivered, failed, delayed, relayed, expanded) or MDN disposition type (displayed, processed…). */
  status: string;
  /** DSN: the 3-digit SMTP code (SMTPERRORCODE) or the x.y.z status; MDN: the error code. */
  code: string | null;
  detail: string | null;
  /** Who reported: the DSN's Reporting-MTA or the MDN's Final-Recipient. */
  reporter: string | null;
  /** The receipt mail's own Message-ID. */
  report_message_id: string;
  received_at: Generated<Date>;
}

export type MssProtocol = 'smtp' | 'imap';

/** One SMTP or IMAP operation (SC.MSS/CONF.17/18). */
export interface MssTraceTable {
  id: Id;
  /** Local time of the machine when the operation started. */
  at: Date;
  /** The authenticated author: the mailbox address, plus the human who triggered it when there is one. */
  actor: string;
  protocol: MssProtocol;
  action: string;
  /** What was sent to the server (commands, never content or secrets). */
  request: string;
  /** What the server answered, failures included. */
  response: string;
  ok: boolean;
  mail_message_id: string | null;
  duration_ms: number | null;
}

/** Per mailbox and folder: the UIDVALIDITY and the highest UID handled. */
export interface MailboxCursorTable {
  mailbox: string;
  folder: string;
  uid_validity: string;
  last_uid: ColumnType<string, string | number, string | number>;
  updated_at: Generated<Date>;
}

export type InboundMailState = 'dispatching' | 'answer_due' | 'answered' | 'ignored';
export type InboundMailKind = 'xdm' | 'receipt' | 'other';

/** One document of an inbound archive and the MDM that carries it to the DPI. */
export interface InboundDocumentRef {
  uniqueId: string;
  action: 'publish' | 'replace' | 'delete';
  /** MSH-10 of its MDM (the notification's control_id). */
  controlId: string;
  typeCode?: string;
}

/** A mail read from an application mailbox (volet B); its raw bytes are in `message`. */
export interface InboundMailTable {
  id: Id;
  message_id: Ref;
  mailbox: string;
  uid_validity: string;
  uid: ColumnType<string, string | number, string | number>;
  mail_message_id: string;
  archive_sha256: Generated<string>;
  kind: InboundMailKind;
  state: InboundMailState;
  documents: Generated<number>;
  replacements: Generated<number>;
  deletions: Generated<number>;
  document_list: ColumnType<InboundDocumentRef[], string | undefined, string>;
  outcome: 'integrated' | 'refused' | 'failed' | null;
  error_code: string | null;
  error_label: string | null;
  answer_kind: 'mdn' | 'error_mail' | 'none' | null;
  answer_message_id: string | null;
  answer_attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  lease_until: Date | null;
  claimed_by: string | null;
  last_error: string | null;
  moved_to: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface Database {
  message: MessageTable;
  document: DocumentTable;
  delivery: DeliveryTable;
  attempt: AttemptTable;
  notification: NotificationTable;
  mail_receipt: MailReceiptTable;
  mss_trace: MssTraceTable;
  mailbox_cursor: MailboxCursorTable;
  account: AccountTable;
  password_history: PasswordHistoryTable;
  session: SessionTable;
  audit: AuditTable;
  inbound_mail: InboundMailTable;
}

export type MessageRecord = Selectable<MessageTable>;
export type NewMessageRecord = Insertable<MessageTable>;
export type DocumentRecord = Selectable<DocumentTable>;
export type NewDocumentRecord = Insertable<DocumentTable>;
export type DeliveryRecord = Selectable<DeliveryTable>;
export type NewDeliveryRecord = Insertable<DeliveryTable>;
export type DeliveryUpdate = Updateable<DeliveryTable>;
export type AttemptRecord = Selectable<AttemptTable>;
export type NewAttemptRecord = Insertable<AttemptTable>;
