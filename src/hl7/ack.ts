import { defaultDelimiters, type Delimiters } from './delimiters.js';
import { charsetMsh18Name, type Hl7Charset } from './charset.js';
import { Hl7Message, type Hl7Segment } from './hl7-message.js';
import { serializeEr7, type ComponentValue, type FieldValue, type SegmentValue } from './er7-serialize.js';
import type { HeaderInfo } from './header-sniff.js';

export interface AckError {
  /** ERL such as 'MSH^1^12' or 'PID^1^3' (ERR-2). */
  location?: string;
  /** HL7 table 0357 code (ERR-3.1), e.g. '203'. */
  code: string;
  text: string;
  /** ERR-3.3; default 'messageErrorCondition' (volet A §2.7). */
  codeSystem?: string;
  severity: 'E' | 'F' | 'I' | 'W';
  /** ERR-5, application error (e.g. volet A 207 with a local code). */
  appError?: { code: string; text: string; codeSystem: string };
}

export interface AckOptions {
  code: 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';
  errors?: AckError[];
  controlId: string;           // our MSH-10 for the ACK
  timestamp: Date;             // MSH-7
  /** MSH-18. Default: the original's charset when its MSH-18 was filled, else MSH-18 stays empty. */
  charset?: Hl7Charset;
  /** MSH-17; default 'FRA' (volet A §2.7). */
  country?: string;
}

/** HL7 DTM to the second, local time, no offset (as the volet examples are written). */
export function formatHl7Timestamp(t: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(t.getFullYear(), 4)}${p(t.getMonth() + 1)}${p(t.getDate())}${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}`;
}

/** Field n of the original MSH, whole first repetition, as structured components (unescaped,
 *  trimmed) so that it is re-escaped with the ACK's delimiters. */
function copyField(msh: Hl7Segment, n: number): FieldValue {
  const rep = msh.repetitions(n)[0];
  if (rep === undefined) return '';
  const comps: ComponentValue[] = [];
  for (let c = 1; c <= rep.componentCount; c++) {
    const subs = rep.subcomponentCount(c);
    if (subs <= 1) comps.push(rep.get(c));
    else comps.push(Array.from({ length: subs }, (_, i) => rep.get(c, i + 1)));
  }
  return comps;
}

interface AckHeader {
  msh3: FieldValue; msh4: FieldValue; msh5: FieldValue; msh6: FieldValue;
  event: string; controlId: string; processingId: FieldValue; version: FieldValue;
  charset: Hl7Charset | undefined; delimiters: Delimiters;
}

function fromMessage(m: Hl7Message): AckHeader {
  const msh = m.segments[0] as Hl7Segment;
  return {
    msh3: copyField(msh, 3), msh4: copyField(msh, 4), msh5: copyField(msh, 5), msh6: copyField(msh, 6),
    event: m.messageType.event, controlId: m.controlId,
    processingId: copyField(msh, 11), version: copyField(msh, 12),
    charset: msh.get(18) === '' ? undefined : m.charset,
    delimiters: m.delimiters,
  };
}

function fromHeader(h: Partial<HeaderInfo>): AckHeader {
  return {
    msh3: h.sendingApp ?? '', msh4: h.sendingFacility ?? '', msh5: h.receivingApp ?? '', msh6: h.receivingFacility ?? '',
    event: h.event ?? '', controlId: h.controlId ?? '', processingId: h.processingId ?? '', version: h.version ?? '',
    charset: h.charset, delimiters: h.delimiters ?? defaultDelimiters,
  };
}

/** Generic ACK in original mode (volet A §2.7): MSH-3/4 ↔ MSH-5/6 swapped, MSH-9 ACK^<event>^ACK,
 *  MSH-11/12 copied, MSH-17 FRA, MSH-18 as the original's, no MSH-21 (removed in volet A 2.1.1),
 *  MSA-1/MSA-2 (= original MSH-10, or '' when it could not be read), one ERR per error.
 *  Accepts a Partial<HeaderInfo> from sniffHeader when the original could not be parsed. */
export function buildAck(original: Hl7Message | Partial<HeaderInfo>, options: AckOptions): string {
  const h = original instanceof Hl7Message ? fromMessage(original) : fromHeader(original);
  const charset = options.charset ?? h.charset;
  const msh: SegmentValue = [
    'MSH', h.msh5, h.msh6, h.msh3, h.msh4, formatHl7Timestamp(options.timestamp), '',
    ['ACK', h.event, 'ACK'], options.controlId, h.processingId, h.version,
    '', '', '', '', options.country ?? 'FRA', charset === undefined ? '' : charsetMsh18Name(charset),
  ];
  const segments: SegmentValue[] = [msh, ['MSA', options.code, h.controlId]];
  for (const e of options.errors ?? []) {
    segments.push([
      'ERR', '',
      e.location === undefined ? '' : e.location.split('^'),
      [e.code, e.text, e.codeSystem ?? 'messageErrorCondition'],
      e.severity,
      e.appError === undefined ? '' : [e.appError.code, e.appError.text, e.appError.codeSystem],
    ]);
  }
  return serializeEr7(segments, h.delimiters);
}
