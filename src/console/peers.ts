/** The health of every peer as the dashboard and /metrics show it: DMP, each MSSanté mailbox, the DPI. */
import type { RunningRelais } from '../engine/index.js';
import type { Store } from '../store/index.js';

export interface PeerView {
  /** A stable label for /metrics: dmp, mss:<address>, dpi. */
  id: string;
  name: string;
  /** undefined: not configured on this node, or nothing to tell. */
  healthy: boolean | undefined;
  since?: Date;
  detail: string;
}

export type ConsoleRelais = RunningRelais | { readonly store: Store };

function isRunning(r: ConsoleRelais): r is RunningRelais {
  return 'intake' in r;
}

export function peerViews(relais: ConsoleRelais, o: { dpiEndpoint?: string; mailboxes?: readonly string[] } = {}): PeerView[] {
  if (!isRunning(relais)) return [];
  const out: PeerView[] = [];
  if (relais.dmp) {
    const s = relais.dmp.worker.status().peer;
    out.push({ id: 'dmp', name: 'DMP', healthy: s.healthy, since: s.since, detail: s.healthy ? 'joignable' : `injoignable (${s.lastError}, ${s.failedProbes} sondes en échec)` });
  } else {
    out.push({ id: 'dmp', name: 'DMP', healthy: undefined, detail: 'non configuré (dmp.url vide)' });
  }
  if (relais.mss) {
    const address = relais.mss.mailbox.address;
    const statuses = relais.mss.workers.map((w) => w.status().peer);
    const down = statuses.find((s) => !s.healthy);
    out.push({
      id: `mss:${address}`, name: `BAL ${address}`, healthy: down === undefined, since: (down ?? statuses[0])?.since,
      detail: down === undefined ? 'joignable' : `injoignable (${down.healthy ? '' : down.lastError})`,
    });
  }
  for (const address of o.mailboxes ?? []) {
    if (out.some((p) => p.id === `mss:${address}`)) continue;
    out.push({ id: `mss:${address}`, name: `BAL ${address}`, healthy: undefined, detail: relais.inbound ? 'relevée en IMAP' : 'sans point IMAP ni SMTP' });
  }
  out.push({ id: 'dpi', name: 'DPI', healthy: undefined, detail: o.dpiEndpoint ? `accusés vers ${o.dpiEndpoint}` : 'aucun point de retour configuré' });
  return out;
}
