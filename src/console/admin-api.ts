/**
 * A small local HTTP endpoint of a running node (127.0.0.1, random port, bearer token), so that CLI
 * listings and operator orders (hold, release, replay, cancel) work while `relais start` holds the
 * embedded data directory.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  cancelDeliveries, holdDeliveries, listDeliveries, listDocuments, listMssTraces, releaseDeliveries, replayDeliveries,
  type DeliverySelector, type Store,
} from '../store/index.js';
import { collectStatisticCounts, isStatisticsYear } from '../stats/index.js';
import { deliveryStates, destinationKinds, isRelaisError, type DeliveryState, type DestinationKind } from '../domain/index.js';

/** The operator orders a CLI may post: POST /deliveries/<order> with { ids?, state?, kind?, reason? }. */
export const deliveryOrders = ['hold', 'release', 'replay', 'cancel'] as const;
export type DeliveryOrder = (typeof deliveryOrders)[number];

export interface DeliveryOrderRequest { ids?: string[]; state?: DeliveryState; kind?: DestinationKind; reason?: string }

const MAX_BODY_BYTES = 1 << 20;

/** Applies one operator order to the store; returns how many deliveries changed. */
export function applyDeliveryOrder(store: Store, order: DeliveryOrder, r: DeliveryOrderRequest): Promise<number> {
  const sel: DeliverySelector = {
    ...(r.ids !== undefined ? { ids: r.ids } : {}),
    ...(r.state !== undefined ? { state: r.state } : {}),
    ...(r.kind !== undefined ? { kind: r.kind } : {}),
  };
  switch (order) {
    case 'hold': return holdDeliveries(store.db, sel, r.reason ?? 'operator');
    case 'release': return releaseDeliveries(store.db, sel);
    case 'replay': return replayDeliveries(store.db, sel);
    case 'cancel': return cancelDeliveries(store.db, sel, r.reason ?? 'operator');
  }
}

/** The request body checked field by field; a message naming the bad field otherwise. */
export function parseDeliveryOrderRequest(body: unknown): DeliveryOrderRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object';
  const b = body as Record<string, unknown>;
  const out: DeliveryOrderRequest = {};
  if (b.ids !== undefined) {
    if (!Array.isArray(b.ids) || !b.ids.every((x) => typeof x === 'string')) return 'ids must be a list of strings';
    out.ids = b.ids as string[];
  }
  if (b.state !== undefined) {
    if (!(deliveryStates as readonly unknown[]).includes(b.state)) return `state must be one of ${deliveryStates.join(', ')}`;
    out.state = b.state as DeliveryState;
  }
  if (b.kind !== undefined) {
    if (!(destinationKinds as readonly unknown[]).includes(b.kind)) return `kind must be one of ${destinationKinds.join(', ')}`;
    out.kind = b.kind as DestinationKind;
  }
  if (b.reason !== undefined) {
    if (typeof b.reason !== 'string' || b.reason.length > 500) return 'reason must be a string of at most 500 characters';
    out.reason = b.reason;
  }
  if (out.ids === undefined && out.state === undefined && out.kind === undefined) return 'give ids, a state or a kind';
  return out;
}

export interface AdminApi { port: number; token: string; close(): Promise<void> }

export async function startAdminApi(store: Store): Promise<AdminApi> {
  const token = randomBytes(24).toString('hex');
  const expected = Buffer.from(`Bearer ${token}`);
  const server: Server = createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const order = /^\/deliveries\/([a-z]+)$/.exec(url.pathname)?.[1];
    if (req.method === 'POST' && order !== undefined && (deliveryOrders as readonly string[]).includes(order)) {
      return void readJson(req).then((body) => {
        const parsed = parseDeliveryOrderRequest(body);
        if (typeof parsed === 'string') {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: parsed }));
          return;
        }
        return applyDeliveryOrder(store, order as DeliveryOrder, parsed).then(
          (changed) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ changed })),
        );
      }).catch((e: unknown) => {
        const status = isRelaisError(e) && e.kind === 'input' ? 400 : 503;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
      });
    }
    const limit = Number(url.searchParams.get('limit') ?? '1000');
    const answer = (p: Promise<unknown>) => p.then(
      (rows) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows)),
      (e: Error) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e.message })),
    );
    if (url.pathname === '/documents') return void answer(listDocuments(store.db, { limit }));
    if (url.pathname === '/deliveries') {
      const state = url.searchParams.get('state');
      return void answer(listDeliveries(store.db, { limit, ...(state ? { state: state as DeliveryState } : {}) }));
    }
    if (url.pathname === '/traces') {
      const q = url.searchParams;
      const date = (k: string): Date | undefined => (q.get(k) ? new Date(q.get(k)!) : undefined);
      const since = date('since');
      const until = date('until');
      if ((since && Number.isNaN(since.getTime())) || (until && Number.isNaN(until.getTime()))) {
        return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'since/until must be ISO dates' }));
      }
      return void answer(listMssTraces(store.db, {
        limit, ...(since ? { since } : {}), ...(until ? { until } : {}), ...(q.get('failed') === '1' ? { failedOnly: true } : {}),
      }));
    }
    if (url.pathname === '/stats') {
      const year = Number(url.searchParams.get('year'));
      if (!isStatisticsYear(year)) {
        return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'year must be a year such as 2026' }));
      }
      return void answer(collectStatisticCounts(store, { year }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port, token,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined); // not JSON: parseDeliveryOrderRequest answers 400
      }
    });
    req.on('error', reject);
  });
}
