/**
 * Queues a business acknowledgment ZAM^Z01/Z02/Z03 for the DPI in the notification outbox (volet A §2.8), in the
 * caller's transaction, so it exists exactly when the outcome it reports does. NotificationSender sends it.
 */
import { buildZam, type ZamEvent } from '../cisis/index.js';
import { sniffHeader } from '../hl7/index.js';
import { getNotificationSource, insertNotification, type NotificationSource, type Store } from '../store/index.js';

/** Notification kinds in the outbox. */
export const zamKinds: Record<ZamEvent, string> = { Z01: 'zam_z01', Z02: 'zam_z02', Z03: 'zam_z03' };

export interface ZamIdentity {
  /** MSH-3 when the request's MSH-5 is empty. */
  applicationName: string;
  /** MSH-4 when the request's MSH-6 is empty. */
  facility: string;
  nextControlId: () => string;
  now?: () => Date;
}

export interface ZamRequest {
  documentRowId: string;
  event: ZamEvent;
  ok: boolean;
  error?: { code: string; label: string };
  mailbox?: { address: string; id?: string };
  /** When the acknowledged event happened (EVN-2); default now. */
  eventTime?: Date;
}

/** Whether the request asked for this kind of acknowledgment (ACK_RECEPTION for Z01/Z02, ACK_LECTURE_MSS for Z03). */
export function zamWanted(source: NotificationSource, event: ZamEvent): boolean {
  return event === 'Z03' ? source.flags.ACK_LECTURE_MSS : source.flags.ACK_RECEPTION;
}

/** Queues the ZAM when the request asked for it; returns its MSH-10, or undefined when none was owed. */
export async function queueZam(db: Store['db'], z: ZamRequest, id: ZamIdentity): Promise<string | undefined> {
  const source = await getNotificationSource(db, z.documentRowId);
  if (!source || !zamWanted(source, z.event)) return undefined;
  const h = sniffHeader(source.head);
  const controlId = id.nextControlId();
  const t = (id.now ?? (() => new Date()))();
  const payload = buildZam({
    event: z.event, controlId, originalControlId: source.controlId ?? h.controlId ?? '', timestamp: t, eventTime: z.eventTime ?? t,
    // The request's MSH-5/6 answer, as our ACKs do (volet A §2.7: MSH-3/4 ↔ MSH-5/6).
    sendingApp: h.receivingApp || id.applicationName,
    sendingFacility: h.receivingFacility || id.facility,
    receivingApp: source.sendingApp ?? h.sendingApp ?? '',
    receivingFacility: source.sendingFacility ?? h.sendingFacility ?? '',
    processingId: h.processingId || 'P',
    ok: z.ok,
    ...(z.ok || z.error === undefined ? {} : { error: z.error }),
    ...(z.mailbox ? { mailbox: z.mailbox } : {}),
  });
  await insertNotification(db, { messageId: source.messageId, kind: zamKinds[z.event], payload: Buffer.from(payload, 'utf8'), controlId });
  return controlId;
}
