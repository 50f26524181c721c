/**
 * The ZAM^Z01 outbox entry for a settled DMP delivery (volet A §2.8): when the request asked
 * ACK_RECEPTION=Y, OBX-5 says Y on done and N on dead, with the DMP error code in ERR-5. The row is
 * written in the transaction that settles the delivery; NotificationSender sends it.
 */
import type { ClaimedDelivery, Store } from '../store/index.js';
import type { SendOutcome } from './delivery-worker.js';
import { silentLogger, type Logger } from './logger.js';
import { queueZam, zamKinds, type ZamIdentity } from './zam-queue.js';

export const ZAM_Z01 = zamKinds.Z01;

export interface DmpZamOptions extends ZamIdentity {
  log?: Logger;
}

/**
 * ERR-5.2 when the DMP refused. The DMP's own text (codeContext) may quote the patient and is not kept
 * with the outcome, so the label is ours.
 */
const DMP_FAILURE_LABEL = 'Échec de la transmission au DMP';

export type DmpSettledHook = (delivery: ClaimedDelivery, outcome: SendOutcome, db: Store['db']) => Promise<void>;

export function createDmpZamHook(o: DmpZamOptions): DmpSettledHook {
  const log = (o.log ?? silentLogger).child({ component: 'dmp-zam' });
  return async (delivery, outcome, db) => {
    const controlId = await queueZam(db, {
      documentRowId: delivery.documentRowId, event: 'Z01', ok: outcome.ok,
      ...(outcome.ok ? {} : { error: { code: outcome.code, label: DMP_FAILURE_LABEL } }),
    }, o);
    if (controlId) log.info({ delivery: delivery.id, notification: controlId, status: outcome.ok ? 'Y' : 'N' }, 'ZAM^Z01 queued for the DPI');
  };
}
