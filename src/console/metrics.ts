/**
 * /metrics in the Prometheus text format. Gauges are read from the store at each scrape (counts by
 * channel, status, kind and state: never an identifier or a patient value) and from the workers' peer
 * status; store errors seen by the console are counted.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { countDeliveriesByKind, countMessages, countNotificationsByState, type Store } from '../store/index.js';
import type { PeerView } from './peers.js';

export interface ConsoleMetrics {
  readonly registry: Registry;
  readonly storeErrors: Counter;
  readonly httpRequests: Counter<'route' | 'status'>;
}

export function createMetrics(o: { store: Store; peers: () => PeerView[] }): ConsoleMetrics {
  const registry = new Registry();
  const storeErrors = new Counter({
    name: 'relais_store_errors_total', help: 'Store queries of the console or of a scrape that failed', registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'relais_console_http_requests_total', help: 'Console HTTP requests by route pattern and status', labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'relais_messages', help: 'Messages in the store by direction, channel and status (accepted, refused…)',
    labelNames: ['direction', 'channel', 'status'] as const, registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const m of await countMessages(o.store.db)) this.set({ direction: m.direction, channel: m.channel, status: m.status }, m.count);
      } catch {
        storeErrors.inc();
      }
    },
  });
  new Gauge({
    name: 'relais_deliveries', help: 'Deliveries by destination kind and state (queue depths, outcomes)',
    labelNames: ['kind', 'state'] as const, registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const d of await countDeliveriesByKind(o.store.db)) this.set({ kind: d.kind, state: d.state }, d.count);
      } catch {
        storeErrors.inc();
      }
    },
  });
  new Gauge({
    name: 'relais_dpi_notifications', help: 'Messages to the DPI (business acks, volet B MDM) by state',
    labelNames: ['state'] as const, registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const [state, n] of Object.entries(await countNotificationsByState(o.store.db))) this.set({ state }, n);
      } catch {
        storeErrors.inc();
      }
    },
  });
  new Gauge({
    name: 'relais_peer_up', help: '1 when the peer answers as its worker last saw it, 0 when down',
    labelNames: ['peer'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const p of o.peers()) if (p.healthy !== undefined) this.set({ peer: p.id }, p.healthy ? 1 : 0);
    },
  });
  return { registry, storeErrors, httpRequests };
}
