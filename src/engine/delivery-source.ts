/**
 * What a sender needs to rebuild an order from the store: the store keeps what was acknowledged (the raw message
 * and the document row), not a second copy of every field, so the request is validated again from the raw bytes.
 */
import { validateVoletA, type IntakeDocument, type IntakeRequest, type VoletAConfig } from '../cisis/index.js';
import { parseEr7 } from '../hl7/index.js';
import { getDocumentSource, getMessageRaw, type Store } from '../store/index.js';

export interface DeliverySource {
  request: IntakeRequest;
  document: IntakeDocument;
  parentDocumentId: string | null;
  action: IntakeRequest['action'];
  historical: boolean;
  /** When the document was accepted: the fixed date of what is rebuilt for it (mail Date, XDM submission time). */
  acceptedAt: Date;
}

/** The source of the delivery's document, or why it cannot be rebuilt (sending again would not help). */
export async function loadDeliverySource(store: Store, documentRowId: string, validation: VoletAConfig): Promise<DeliverySource | string> {
  const row = await getDocumentSource(store.db, documentRowId);
  if (!row) return 'document row not found';
  const raw = await getMessageRaw(store.db, row.messageId);
  if (!raw) return 'message row not found';
  const verdict = validateVoletA(parseEr7(raw), validation);
  if (!verdict.ok) return 'the stored message no longer validates';
  const document = verdict.request.documents.find((d) => d.documentId === row.documentId);
  if (!document) return 'the document is not in its message';
  return { request: verdict.request, document, parentDocumentId: row.parentDocumentId, action: row.action, historical: row.historical, acceptedAt: row.createdAt };
}
