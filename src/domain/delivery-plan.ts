/**
 * Which deliveries a volet A request creates (ARCHITECTURE.md: one delivery per destination).
 * Pure rule, applied after validation has accepted the message.
 */
import type { DestinationKind } from './document.js';
import type { DeliveryState } from './delivery-state.js';
import type { MetaFlags } from './flags.js';

export interface PlannedRecipient {
  kind: 'ps' | 'patient' | 'representative';
  address: string;
  id?: string | undefined;
}

export interface PlannedDelivery {
  kind: DestinationKind;
  recipient: string | null;
  recipientId: string | null;
  state: DeliveryState;
  reason: string | null;
}

/**
 * DESTDMP=Y → one DMP delivery; DESTMSSANTEPS=Y → one per professional/organisation/application recipient;
 * DESTMSSANTEPAT=Y → one per patient mailbox (the patient, or a legal representative's).
 * Deliveries start `pending`: the DMP and MSSanté workers pick them up. The same address listed twice
 * gets one delivery.
 */
export function planDeliveries(flags: MetaFlags, recipients: readonly PlannedRecipient[]): PlannedDelivery[] {
  const out: PlannedDelivery[] = [];
  if (flags.DESTDMP) out.push({ kind: 'dmp', recipient: null, recipientId: null, state: 'pending', reason: null });
  const seen = new Set<string>();
  for (const r of recipients) {
    const wanted = r.kind === 'ps' ? flags.DESTMSSANTEPS : flags.DESTMSSANTEPAT;
    const key = r.address.toLowerCase();
    if (!wanted || seen.has(key)) continue;
    seen.add(key);
    out.push({
      kind: r.kind === 'ps' ? 'mss_ps' : 'mss_patient',
      recipient: r.address,
      recipientId: r.id ?? null,
      state: 'pending',
      reason: null,
    });
  }
  return out;
}
