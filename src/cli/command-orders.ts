/**
 * `relais hold | release | replay | cancel`: operator orders on deliveries, chosen by ids and/or
 * state and kind (SC.DMP/ALI/PROG.06/.07: hold, then replay). Prints how many deliveries changed.
 * When a running node holds the embedded store, the order goes through its local admin endpoint.
 */
import { request } from 'node:http';
import { resolve } from 'node:path';
import {
  cancelDeliveries, holdDeliveries, openStore, releaseDeliveries, replayDeliveries, type DeliverySelector,
} from '../store/index.js';
import { deliveryStates, destinationKinds, type DeliveryState, type DestinationKind } from '../domain/index.js';
import { configFromOptions } from './command-start.js';
import { readLock, type LockInfo } from './data-lock.js';

export interface OrderOptions {
  ids?: string[];
  state?: DeliveryState;
  kind?: DestinationKind;
  /** Kept on the deliveries for hold and cancel; default `operator`. */
  reason?: string;
  data?: string;
  config?: string;
  json?: boolean;
}

type Order = 'hold' | 'release' | 'replay' | 'cancel';
const pastTense: Record<Order, string> = { hold: 'held', release: 'released', replay: 'replayed', cancel: 'cancelled' };

export const runHold = (o: OrderOptions): Promise<number> => runOrder('hold', o);
export const runRelease = (o: OrderOptions): Promise<number> => runOrder('release', o);
export const runReplay = (o: OrderOptions): Promise<number> => runOrder('replay', o);
export const runCancel = (o: OrderOptions): Promise<number> => runOrder('cancel', o);

async function runOrder(order: Order, o: OrderOptions): Promise<number> {
  const problem = checkSelection(o);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    return 2;
  }
  const config = configFromOptions(o);
  const lock = config.store.databaseUrl ? undefined : readLock(resolve(config.store.dataDir));
  let changed: number;
  if (lock) {
    // A running node holds the embedded store: ask it rather than open the files twice.
    changed = await postToRunningNode(lock, order, o);
  } else {
    const store = await openStore(config.store.databaseUrl
      ? { databaseUrl: config.store.databaseUrl, schema: config.store.schema }
      : { dataDir: config.store.dataDir });
    try {
      changed = await apply(store.db, order, o);
    } finally {
      await store.close();
    }
  }
  if (o.json) process.stdout.write(JSON.stringify({ order, changed }) + '\n');
  else process.stdout.write(`${changed} ${changed === 1 ? 'delivery' : 'deliveries'} ${pastTense[order]}\n`);
  return 0;
}

function checkSelection(o: OrderOptions): string | undefined {
  if ((o.ids === undefined || o.ids.length === 0) && o.state === undefined && o.kind === undefined) {
    return 'Name the deliveries: ids, --state or --kind (an order never applies to every delivery by default).';
  }
  if (o.state !== undefined && !(deliveryStates as readonly string[]).includes(o.state)) return `Unknown state: ${o.state}`;
  if (o.kind !== undefined && !(destinationKinds as readonly string[]).includes(o.kind)) return `Unknown kind: ${o.kind}`;
  const bad = o.ids?.find((id) => !/^[1-9][0-9]{0,18}$/.test(id));
  if (bad !== undefined) return `Not a delivery id: ${bad}`;
  return undefined;
}

function selector(o: OrderOptions): DeliverySelector {
  return {
    ...(o.ids !== undefined && o.ids.length > 0 ? { ids: o.ids } : {}),
    ...(o.state !== undefined ? { state: o.state } : {}),
    ...(o.kind !== undefined ? { kind: o.kind } : {}),
  };
}

function apply(db: Parameters<typeof holdDeliveries>[0], order: Order, o: OrderOptions): Promise<number> {
  const sel = selector(o);
  switch (order) {
    case 'hold': return holdDeliveries(db, sel, o.reason ?? 'operator');
    case 'release': return releaseDeliveries(db, sel);
    case 'replay': return replayDeliveries(db, sel);
    case 'cancel': return cancelDeliveries(db, sel, o.reason ?? 'operator');
  }
}

function postToRunningNode(lock: LockInfo, order: Order, o: OrderOptions): Promise<number> {
  const body = JSON.stringify({ ...selector(o), ...(o.reason !== undefined ? { reason: o.reason } : {}) });
  return new Promise((resolveChanged, reject) => {
    const req = request({
      host: '127.0.0.1', port: lock.adminPort, path: `/deliveries/${order}`, method: 'POST',
      headers: { authorization: `Bearer ${lock.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new Error(`the running Relais (pid ${lock.pid}) answered ${res.statusCode}: ${text}`));
          return;
        }
        resolveChanged(Number((JSON.parse(text) as { changed: unknown }).changed));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
