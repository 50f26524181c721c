/** The health of every peer as the dashboard and /metrics show it: DMP, each MSSanté mailbox, the DPI. */
import type { PeerStatus, RunningRelais } from '../engine/index.js';
import type { Store } from '../store/index.js';

export interface PeerView {
  /** A stable label for /metrics: dmp, mss:<address> (sending), imap:<address> (reading), dpi. */
  id: string;
  name: string;
  /** undefined: not configured on this node, never contacted yet, or nothing to tell. */
  healthy: boolean | undefined;
  since?: Date;
  detail: string;
}

export type ConsoleRelais = RunningRelais | { readonly store: Store };

function isRunning(r: ConsoleRelais): r is RunningRelais {
  return 'intake' in r;
}

/** 'joignable', or why not: the error code and the probes failed since it went down. */
function reachability(s: PeerStatus): string {
  return s.healthy ? 'joignable' : `injoignable (${s.lastError}, ${s.failedProbes} sondes en échec)`;
}

export function peerViews(relais: ConsoleRelais, o: { dpiEndpoint?: string; mailboxes?: readonly string[] } = {}): PeerView[] {
  if (!isRunning(relais)) return [];
  const out: PeerView[] = [];
  if (relais.dmp) {
    const s = relais.dmp.worker.status().peer;
    out.push({ id: 'dmp', name: 'DMP', healthy: s.healthy, since: s.since, detail: reachability(s) });
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
  for (const reader of relais.inbound?.readers ?? []) {
    const { peer, contacted } = reader.status();
    out.push({
      id: `imap:${reader.address}`, name: `BAL ${reader.address} (relève IMAP)`,
      ...(contacted ? { healthy: peer.healthy, since: peer.since, detail: reachability(peer) } : { healthy: undefined, detail: 'jamais contactée' }),
    });
  }
  for (const address of o.mailboxes ?? []) {
    if (out.some((p) => p.id === `mss:${address}` || p.id === `imap:${address}`)) continue;
    out.push({ id: `mss:${address}`, name: `BAL ${address}`, healthy: undefined, detail: 'ni relevée ni utilisée pour les envois' });
  }
  if (!o.dpiEndpoint) {
    out.push({ id: 'dpi', name: 'DPI', healthy: undefined, detail: 'aucun point de retour configuré' });
  } else {
    // The DPI is only contacted when there is something to send: an idle node has not seen it yet.
    const { peer, contacted } = relais.notifications.status();
    out.push({
      id: 'dpi', name: 'DPI',
      ...(contacted
        ? { healthy: peer.healthy, since: peer.since, detail: `${reachability(peer)} : ${o.dpiEndpoint}` }
        : { healthy: undefined, detail: `jamais contacté (rien encore envoyé vers ${o.dpiEndpoint})` }),
    });
  }
  return out;
}
