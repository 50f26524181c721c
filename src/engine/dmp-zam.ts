/**
 * The ZAM^Z01 outbox entry for a settled DMP delivery (volet A §2.8): when the request asked
 * ACK_RECEPTION=Y, OBX-5 says Y on done and N on dead, with the DMP error code in ERR-5. The row is
 * written in the transaction that settles the delivery; NotificationSender sends it.
 */
import { buildZamZ01 } from '../cisis/index.js';
import { sniffHeader } from '../hl7/index.js';
import { getNotificationSource, insertNotification, type ClaimedDelivery, type Store } from '../store/index.js';
import type { SendOutcome } from './delivery-worker.js';
import { silentLogger, type Logger } from './logger.js';

export const ZAM_Z01 = 'zam_z01';

export interface DmpZamOptions {
  /** MSH-3 when the request's MSH-5 is empty. */
  applicationName: string;
  /** MSH-4 when the request's MSH-6 is empty. */
  facility: string;
  nextControlId: () => string;
  log?: Logger;
  now?: () => Date;
}

/**
 * ERR-5.2 when the DMP refused. The DMP's own text (codeContext) may quote the patient and is not kept
 * with the outcome, so the label is ours.
 */
const DMP_FAILURE_LABEL = 'Échec de la transmission au DMP';

export type DmpSettledHook = (delivery: ClaimedDelivery, outcome: SendOutcome, db: Store['db']) => Promise<void>;

export function createDmpZamHook(o: DmpZamOptions): DmpSettledHook {
  const log = (o.log ?? silentLogger).child({ component: 'dmp-zam' });
  const now = o.now ?? (() => new Date());
  return async (delivery, outcome, db) => {
    const source = await getNotificationSource(db, delivery.documentRowId);
    if (!source || !source.flags.ACK_RECEPTION) return;
    const h = sniffHeader(source.head);
    const originalControlId = source.controlId ?? h.controlId ?? '';
    const controlId = o.nextControlId();
    const t = now();
    const payload = buildZamZ01({
      controlId, originalControlId, timestamp: t, eventTime: t,
      // The request's MSH-5/6 answer, as our ACKs do (volet A §2.7: MSH-3/4 ↔ MSH-5/6).
      sendingApp: h.receivingApp || o.applicationName,
      sendingFacility: h.receivingFacility || o.facility,
      receivingApp: source.sendingApp ?? h.sendingApp ?? '',
      receivingFacility: source.sendingFacility ?? h.sendingFacility ?? '',
      processingId: h.processingId || 'P',
      ok: outcome.ok,
      ...(outcome.ok ? {} : { error: { code: outcome.code, label: DMP_FAILURE_LABEL } }),
    });
    await insertNotification(db, { messageId: source.messageId, kind: ZAM_Z01, payload: Buffer.from(payload, 'utf8'), controlId });
    log.info({ delivery: delivery.id, notification: controlId, status: outcome.ok ? 'Y' : 'N' }, 'ZAM^Z01 queued for the DPI');
  };
}
