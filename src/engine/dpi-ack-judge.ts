/**
 * How a DPI answer settles an outbox row, by what was sent: a ZAM (volet A §2.7: only AA/CA counts) or a volet B
 * MDM (§3.4: AA integrated; AE 207 + 90x a refusal, any other AE a technical error — both final, the sender is told;
 * AR, a wrong MSA-2 or garbage: send again).
 */
import { readVoletBAck } from '../cisis/index.js';
import type { ClaimedNotification } from '../store/index.js';
import { judgeZamAck, type AckVerdict } from './notification-sender.js';

export function judgeDpiAck(n: ClaimedNotification, ack: Buffer): AckVerdict {
  if (!n.kind.startsWith('mdm_')) return judgeZamAck(n, ack);
  const r = readVoletBAck(ack, n.controlId);
  switch (r.outcome) {
    case 'integrated': return { verdict: 'done' };
    case 'refused': return { verdict: 'final', code: `dpi_refused_${r.code}` };
    case 'technical': return { verdict: 'final', code: `dpi_error${r.code ? `_${r.code}` : ''}` };
    case 'retry': return { verdict: 'retry', code: 'dpi_retry' };
  }
}
