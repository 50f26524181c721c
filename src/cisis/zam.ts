/**
 * The DMP business acknowledgment ZAM^Z01^ZAM_Z01 (volet A §2.8): sent to the DPI once the DMP has
 * answered, when the request asked ACK_RECEPTION=Y. HL7 v2.6 with MSH-21 `2.1^CISIS_CDA_HL7_V2`;
 * there is no PID, the only link to the request is OBX-4 (its MSH-10).
 */
import { serializeEr7, type SegmentValue } from '../hl7/index.js';

export interface ZamZ01Options {
  /** MSH-10 of the ZAM itself. */
  controlId: string;
  /** MSH-10 of the acknowledged request (OBX-4). */
  originalControlId: string;
  /** MSH-7. */
  timestamp: Date;
  /** EVN-2, when the DMP answered; default `timestamp`. */
  eventTime?: Date;
  sendingApp: string;
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  /** MSH-11; default 'P'. */
  processingId?: string;
  /** OBX-5: Y when the DMP accepted the request, N otherwise (then ERR is required). */
  ok: boolean;
  /** ERR-5 when `ok` is false: the DMP error code (annex A7-1 of the DMP integration guide) and its label. */
  error?: { code: string; label: string };
}

/** HL7 DTM to the second, local time, no offset (as the volet examples are written). */
function hl7Time(t: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(t.getFullYear(), 4)}${p(t.getMonth() + 1)}${p(t.getDate())}${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}`;
}

/** ER7 text of a ZAM^Z01 (segments end with CR), to be sent in UTF-8 (MSH-18 `UNICODE UTF-8`). */
export function buildZamZ01(o: ZamZ01Options): string {
  const segments: SegmentValue[] = [
    ['MSH', o.sendingApp, o.sendingFacility, o.receivingApp, o.receivingFacility, hl7Time(o.timestamp), '',
      ['ZAM', 'Z01', 'ZAM_Z01'], o.controlId, o.processingId ?? 'P', '2.6', '', '', '', '', 'FRA', 'UNICODE UTF-8', '', '',
      ['2.1', 'CISIS_CDA_HL7_V2']],
    // §2.8: EVN-2 is the date/time of the acknowledged event.
    ['EVN', '', hl7Time(o.eventTime ?? o.timestamp)],
    ['OBX', '1', 'CWE', ['ACK_RECEPTION_DMP', 'Accusé de réception DMP', 'AckMetierZAM'], o.originalControlId,
      [o.ok ? 'Y' : 'N', '', 'expandedYes-NoIndicator'], '', '', '', '', '', 'F'],
  ];
  if (!o.ok) {
    // §2.8: ERR required when the status is N; ERR-5 only with ERR-3 = 207.
    const e = o.error ?? { code: 'UNKNOWN', label: 'Erreur DMP' };
    segments.push(['ERR', '', '', ['207', 'Application error', 'messageErrorCondition'], 'E', [e.code, e.label, 'DMP_ERROR_CODE']]);
  }
  return serializeEr7(segments);
}
