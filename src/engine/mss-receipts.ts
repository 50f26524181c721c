/**
 * Delivery and read receipts of the mails Relais sent (volet A §2.8; digest §A7): a DSN gives one ZAM^Z02 per
 * recipient it reports on, an MDN one ZAM^Z03, when the request asked for them. Receipts find their delivery by
 * the Message-ID Relais gave the mail (kept on the delivery), through the DSN's ENVID or the returned headers, or
 * the MDN's Original-Message-ID. Each receipt is recorded once, with its ZAM, in one transaction.
 *
 * Also the ZAM^Z02 of a mail that never left: a delivery that dies at submission (a 5xx, a refused recipient).
 */
import { parseReport, type DsnRecipient, type MdnReceipt, type Receipt } from '../mss/index.js';
import {
  findDeliveriesByMailMessageId, recordMailReceipt, type ClaimedDelivery, type MailDeliveryRef, type Store,
} from '../store/index.js';
import type { SendOutcome } from './delivery-worker.js';
import { silentLogger, type Logger } from './logger.js';
import { queueZam, type ZamIdentity } from './zam-queue.js';

/** SMTPERRORCODE labels (volet A §5.3) for the codes a DSN or a submission commonly gives. */
const SMTP_LABELS: Readonly<Record<string, string>> = {
  '421': 'Service non disponible',
  '450': 'Boîte aux lettres indisponible (temporaire)',
  '451': 'Erreur locale de traitement',
  '452': 'Espace de stockage insuffisant',
  '500': 'Erreur de syntaxe, commande non reconnue',
  '501': 'Erreur de syntaxe dans les paramètres',
  '503': 'Mauvaise séquence de commandes',
  '530': 'Authentification requise',
  '550': 'Boîte aux lettres indisponible',
  '551': 'Utilisateur non local',
  '552': 'Taille de stockage dépassée',
  '553': 'Nom de boîte aux lettres non autorisé',
  '554': 'Échec de la transaction',
};

function smtpError(code: string, fallback?: string): { code: string; label: string } {
  return { code, label: SMTP_LABELS[code] ?? fallback ?? 'Échec de la remise du courriel' };
}

/** The 3-digit code a DSN recipient reports: its `smtp;` Diagnostic-Code, else one derived from its Status class. */
export function smtpCodeOfDsn(r: DsnRecipient): string {
  if (r.smtpCode !== undefined) return String(r.smtpCode);
  // RFC 3463 x.1.1 (bad mailbox) and x.2.2 (full) have a usual reply code; otherwise the class decides.
  if (/^5\.1\.[12]$/.test(r.status)) return '550';
  if (/^5\.2\.2$/.test(r.status)) return '552';
  if (/^5\.3\.4$/.test(r.status)) return '552';
  return r.status.startsWith('4.') ? '450' : '554';
}

export type ReceiptOutcome =
  | { kind: 'not_a_report' }
  | { kind: 'unmatched'; receipt: Receipt['kind']; originalMessageId?: string }
  /** Read before (the same receipt mail seen twice): nothing new recorded, no ZAM. */
  | { kind: 'duplicate'; receipt: Receipt['kind'] }
  | { kind: 'recorded'; receipt: Receipt['kind']; deliveries: string[]; zams: number };

function bracketed(id: string): string {
  const t = id.trim();
  return t.startsWith('<') ? t : `<${t}>`;
}

/** The Message-IDs a receipt may name its mail by, most reliable first. */
function candidateIds(r: Receipt): string[] {
  if (r.kind === 'mdn') return [bracketed(r.originalMessageId)];
  const ids: string[] = [];
  // compose sets ENVID = the Message-ID without brackets ('+' and '=' made '.').
  if (r.originalEnvelopeId) ids.push(bracketed(r.originalEnvelopeId));
  if (r.originalMessageId) ids.push(bracketed(r.originalMessageId));
  return ids;
}

async function deliveriesOf(store: Store, r: Receipt): Promise<MailDeliveryRef[]> {
  for (const id of candidateIds(r)) {
    const found = await findDeliveriesByMailMessageId(store.db, id);
    if (found.length > 0) return found;
  }
  return [];
}

function sameAddress(a: string | undefined, b: string | null): boolean {
  return a !== undefined && b !== null && a.toLowerCase() === b.toLowerCase();
}

/** The delivery a DSN recipient block reports on: by ORCPT, then Final-Recipient, then the only one. */
function deliveryOfRecipient(deliveries: MailDeliveryRef[], r: DsnRecipient): MailDeliveryRef | undefined {
  return deliveries.find((d) => sameAddress(r.originalRecipient, d.recipient))
    ?? deliveries.find((d) => sameAddress(r.finalRecipient, d.recipient))
    ?? (deliveries.length === 1 ? deliveries[0] : undefined);
}

function mdnOk(m: MdnReceipt): boolean {
  return m.error === undefined && (m.dispositionType === 'displayed' || m.dispositionType === 'processed');
}

export interface ReceiptHandlerOptions {
  store: Store;
  zam: ZamIdentity;
  log?: Logger;
}

/**
 * Reads one mail of the sending mailbox; when it is a DSN or MDN about a mail Relais sent, records it and queues
 * the ZAMs owed, in one transaction. `reportMessageId` is the receipt mail's own Message-ID (a mail read twice
 * is recorded once).
 */
export async function handleReceiptMail(raw: Buffer, reportMessageId: string, o: ReceiptHandlerOptions): Promise<ReceiptOutcome> {
  const log = (o.log ?? silentLogger).child({ component: 'mss-receipts' });
  const receipt = await parseReport(raw);
  if (!receipt) return { kind: 'not_a_report' };
  const deliveries = await deliveriesOf(o.store, receipt);
  if (deliveries.length === 0) {
    const originalMessageId = receipt.kind === 'mdn' ? receipt.originalMessageId : receipt.originalMessageId ?? receipt.originalEnvelopeId;
    log.warn({ receipt: receipt.kind }, 'receipt for a mail Relais does not know');
    return { kind: 'unmatched', receipt: receipt.kind, ...(originalMessageId ? { originalMessageId } : {}) };
  }
  const now = new Date();
  let zams = 0;
  const touched = new Set<string>();
  await o.store.db.transaction().execute(async (tx) => {
    if (receipt.kind === 'dsn') {
      for (const r of receipt.recipients) {
        const d = deliveryOfRecipient(deliveries, r);
        if (!d) continue;
        const code = smtpCodeOfDsn(r);
        const fresh = await recordMailReceipt(tx, {
          deliveryId: d.deliveryId, kind: 'dsn', status: r.action, code: r.action === 'failed' || r.action === 'delayed' ? code : r.status,
          detail: r.diagnosticCode ?? r.status, reporter: receipt.reportingMta ?? null, reportMessageId,
        });
        if (!fresh) continue;
        touched.add(d.deliveryId);
        // A delay is not an outcome: the final DSN follows.
        if (r.action === 'delayed') continue;
        const ok = r.action !== 'failed';
        const queued = await queueZam(tx, {
          documentRowId: d.documentRowId, event: 'Z02', ok, eventTime: now,
          mailbox: { address: d.recipient ?? r.finalRecipient, ...(d.recipientId ? { id: d.recipientId } : {}) },
          ...(ok ? {} : { error: smtpError(code) }),
        }, o.zam);
        if (queued) zams++;
      }
    } else {
      const d = deliveries.find((x) => sameAddress(receipt.finalRecipient, x.recipient) || sameAddress(receipt.originalRecipient, x.recipient))
        ?? (deliveries.length === 1 ? deliveries[0] : undefined);
      if (!d) return;
      const ok = mdnOk(receipt);
      const fresh = await recordMailReceipt(tx, {
        deliveryId: d.deliveryId, kind: 'mdn', status: receipt.dispositionType, code: receipt.error?.code ?? null,
        detail: receipt.error?.text ?? receipt.disposition, reporter: receipt.finalRecipient, reportMessageId,
      });
      if (!fresh) return;
      touched.add(d.deliveryId);
      const queued = await queueZam(tx, {
        documentRowId: d.documentRowId, event: 'Z03', ok, eventTime: now,
        mailbox: { address: receipt.finalRecipient || (d.recipient ?? ''), ...(d.recipientId ? { id: d.recipientId } : {}) },
        ...(ok ? {} : { error: { code: receipt.error?.code ?? '906', label: receipt.error?.label ?? `Courriel ${receipt.dispositionType}` } }),
      }, o.zam);
      if (queued) zams++;
    }
  });
  if (touched.size === 0) return { kind: 'duplicate', receipt: receipt.kind };
  log.info({ receipt: receipt.kind, deliveries: [...touched], zams }, 'receipt recorded');
  return { kind: 'recorded', receipt: receipt.kind, deliveries: [...touched], zams };
}

/**
 * onSettled of the MSSanté worker: a delivery that dies before any mail left (a 5xx at submission, a recipient
 * the rules refuse, a mail too large) gets its ZAM^Z02 N now, as no DSN will come. A done delivery waits for its DSN.
 */
export function createMssSettledHook(o: { zam: ZamIdentity; log?: Logger }) {
  const log = (o.log ?? silentLogger).child({ component: 'mss-zam' });
  return async (delivery: ClaimedDelivery, outcome: SendOutcome, db: Store['db']): Promise<void> => {
    if (outcome.ok) return;
    const error = /^\d{3}$/.test(outcome.code)
      ? smtpError(outcome.code)
      // Not an SMTP answer: the closest SMTPERRORCODE (transaction failed) with our reason as the label.
      : smtpError('554', `Courriel non envoyé : ${outcome.peerAnswer?.slice(0, 120) ?? outcome.code}`);
    const controlId = await queueZam(db, {
      documentRowId: delivery.documentRowId, event: 'Z02', ok: false, error,
      mailbox: { address: delivery.recipient ?? '', ...(delivery.recipientId ? { id: delivery.recipientId } : {}) },
    }, o.zam);
    if (controlId) log.info({ delivery: delivery.id, notification: controlId }, 'ZAM^Z02 N queued for a mail that was not sent');
  };
}
