/**
 * A small local HTTP endpoint of a running node (127.0.0.1, random port, bearer token), so that CLI
 * listings work while `relais start` holds the embedded data directory. Read-only for now.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { listDeliveries, listDocuments, type Store } from '../store/index.js';
import type { DeliveryState } from '../domain/index.js';

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
