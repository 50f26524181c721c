import type { MailBodyCode } from '../domain/index.js';
import { decodeBase64 } from './base64.js';
import type { Findings } from './findings.js';
import { at } from './segment-refs.js';
import type { SegmentRef } from './segment-refs.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * CORPSMAIL_PS / CORPSMAIL_PATIENT (volet A §2.4.9 #11, #12): ED `^TEXT^^Base64^<UTF-8 text in base64>`.
 * A body Relais cannot read is not a reason to refuse the document (§8 item 3): the default body is used instead,
 * and the defect is logged. An ED without encoding carries the text itself.
 */
export function readMailBody(obx: SegmentRef | undefined, code: MailBodyCode, f: Findings): string | undefined {
  if (obx === undefined) return undefined;
  const seg = obx.segment;
  if (seg.get(2, 1) !== 'ED') {
    f.warn('MAIL_BODY_UNREADABLE', at(obx, 2), `${code}: OBX-2 is '${seg.get(2, 1)}', expected ED; the default body will be used`);
    return undefined;
  }
  const encoding = seg.get(5, 4);
  const data = seg.get(5, 5);
  if (data === '') return undefined;
  if (encoding === '' || encoding === 'A') return data;
  if (encoding.toLowerCase() !== 'base64') {
    f.warn('MAIL_BODY_UNREADABLE', at(obx, 5, 1, 4), `${code}: encoding '${encoding}' is not Base64; the default body will be used`);
    return undefined;
  }
  const decoded = decodeBase64(data);
  if (!decoded.ok) {
    f.warn('MAIL_BODY_UNREADABLE', at(obx, 5), `${code}: ${decoded.reason}; the default body will be used`);
    return undefined;
  }
  try {
    return utf8.decode(decoded.bytes);
  } catch {
    f.warn('MAIL_BODY_UNREADABLE', at(obx, 5), `${code}: the decoded body is not UTF-8 text; the default body will be used`);
    return undefined;
  }
}
