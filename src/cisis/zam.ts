/**
 * The business acknowledgments ZAM^Zxx^ZAM_Z01 (volet A §2.8), sent to the DPI when the request asked for them:
 * Z01 once the DMP has answered (ACK_RECEPTION=Y), Z02 for each MSSanté recipient's delivery report (ACK_RECEPTION=Y),
 * Z03 for each read report (ACK_LECTURE_MSS=Y). HL7 v2.6 with MSH-21 `2.1^CISIS_CDA_HL7_V2`; there is no PID,
 * the only link to the request is OBX-4 (its MSH-10).
 */
import { serializeEr7, type SegmentValue } from '../hl7/index.js';

export type ZamEvent = 'Z01' | 'Z02' | 'Z03';

export interface ZamOptions {
  event: ZamEvent;
  /** MSH-10 of the ZAM itself. */
  controlId: string;
  /** MSH-10 of the acknowledged request (OBX-4). */
  originalControlId: string;
  /** MSH-7. */
  timestamp: Date;
  /** EVN-2, when the acknowledged event happened (DMP answer, DSN, MDN); default `timestamp`. */
  eventTime?: Date;
  sendingApp: string;
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  /** MSH-11; default 'P'. */
  processingId?: string;
  /** OBX-5: Y when the acknowledged event succeeded, N otherwise (then ERR is required). */
  ok: boolean;
  /**
   * Z02: the recipient (DESTINATAIRE_MSS); Z03: the mailbox that read the mail (LECTEUR_MSS). `id` goes to OBX-4
   * of the second OBX (the recipient's identifier from PRT RCT, when the DPI gave one).
   */
  mailbox?: { address: string; id?: string };
  /**
   * ERR-5 when `ok` is false. Z01: the DMP error code (annex A7-1 of the DMP integration guide); Z02: the SMTP
   * code (SMTPERRORCODE, §5.3); Z03: the consumer's code (applicationErrorCondition, §5.2).
   */
  error?: { code: string; label: string };
}

const STATUS_CODE: Record<ZamEvent, [string, string]> = {
  Z01: ['ACK_RECEPTION_DMP', 'Accusé de réception DMP'],
  Z02: ['ACK_RECEPTION_MSS', 'Accusé de réception MSSanté'],
  Z03: ['ACK_LECTURE_MSS', 'Accusé de lecture'],
};

const MAILBOX_CODE: Record<'Z02' | 'Z03', [string, string]> = {
  Z02: ['DESTINATAIRE_MSS', 'Destinataire MSSanté'],
  Z03: ['LECTEUR_MSS', 'Lecteur du courriel MSSanté'],
};

const ERROR_SYSTEM: Record<ZamEvent, string> = {
  Z01: 'DMP_ERROR_CODE',
  Z02: 'SMTPERRORCODE',
  Z03: 'applicationErrorCondition',
};

const DEFAULT_ERROR: Record<ZamEvent, { code: string; label: string }> = {
  Z01: { code: 'UNKNOWN', label: 'Erreur DMP' },
  Z02: { code: '554', label: 'Échec de la remise du courriel' },
  Z03: { code: '906', label: 'Autre erreur' },
};

/** HL7 DTM to the second, local time, no offset (as the volet examples are written). */
function hl7Time(t: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(t.getFullYear(), 4)}${p(t.getMonth() + 1)}${p(t.getDate())}${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}`;
}

/** ER7 text of a ZAM (segments end with CR), to be sent in UTF-8 (MSH-18 `UNICODE UTF-8`). */
export function buildZam(o: ZamOptions): string {
  const [statusCode, statusLabel] = STATUS_CODE[o.event];
  const segments: SegmentValue[] = [
    ['MSH', o.sendingApp, o.sendingFacility, o.receivingApp, o.receivingFacility, hl7Time(o.timestamp), '',
      ['ZAM', o.event, 'ZAM_Z01'], o.controlId, o.processingId ?? 'P', '2.6', '', '', '', '', 'FRA', 'UNICODE UTF-8', '', '',
      ['2.1', 'CISIS_CDA_HL7_V2']],
    // §2.8: EVN-2 is the date/time of the acknowledged event.
    ['EVN', '', hl7Time(o.eventTime ?? o.timestamp)],
    ['OBX', '1', 'CWE', [statusCode, statusLabel, 'AckMetierZAM'], o.originalControlId,
      [o.ok ? 'Y' : 'N', '', 'expandedYes-NoIndicator'], '', '', '', '', '', 'F'],
  ];
  if (o.event !== 'Z01') {
    // §2.8: the second OBX is required for Z02 and Z03.
    const [code, label] = MAILBOX_CODE[o.event];
    const m = o.mailbox ?? { address: '' };
    segments.push(['OBX', '2', 'XTN', [code, label, 'AckMetierZAM'], m.id ?? '', ['', '', 'X.400', m.address], '', '', '', '', '', 'F']);
  }
  if (!o.ok) {
    // §2.8: ERR required when the status is N; ERR-5 only with ERR-3 = 207.
    const e = o.error ?? DEFAULT_ERROR[o.event];
    segments.push(['ERR', '', '', ['207', 'Application error', 'messageErrorCondition'], 'E', [e.code, e.label, ERROR_SYSTEM[o.event]]]);
  }
  return serializeEr7(segments);
}

export type ZamZ01Options = Omit<ZamOptions, 'event' | 'mailbox'>;

/** ZAM^Z01: the DMP's answer. */
export function buildZamZ01(o: ZamZ01Options): string {
  return buildZam({ ...o, event: 'Z01' });
}
