import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { MllpClient } from './mllp-client.js';
import { MllpFramer, frameMllp } from './mllp-framer.js';
import { isRelaisError } from '../domain/index.js';

type Behaviour = (socket: Socket, frame: Buffer) => void;

const servers: Server[] = [];
const sockets = new Set<Socket>();
const clients: MllpClient[] = [];

/** A bare MLLP peer whose reaction to each frame is up to the test. */
async function peer(behaviour: Behaviour): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    const framer = new MllpFramer({ maxFrameBytes: 1 << 20 });
    s.on('data', (chunk) => { for (const ev of framer.push(chunk)) if (ev.type === 'frame') behaviour(s, ev.payload); });
    s.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  assert.ok(a && typeof a === 'object');
  return { port: a.port, connections: () => connections };
}
const echo: Behaviour = (s, f) => s.write(frameMllp(Buffer.concat([Buffer.from('ACK:'), f])));
function client(port: number, ackTimeoutMs = 5_000): MllpClient {
  const c = new MllpClient({ host: '127.0.0.1', port, ackTimeoutMs, connectTimeoutMs: 2_000 });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of sockets) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('MllpClient', () => {
  it('resolves with the reply payload, framing removed', async () => {
    const { port } = await peer(echo);
    const c = client(port);
    await c.connect();
    assert.equal((await c.send('hello')).toString(), 'ACK:hello');
    assert.equal((await c.send(Buffer.from('again'))).toString(), 'ACK:again');
  });

  it('sends one message at a time and pairs each reply with its message', async () => {
    const { port } = await peer((s, f) => setImmediate(() => echo(s, f)));
    const c = client(port);
    const replies = await Promise.all(['a', 'b', 'c'].map((m) => c.send(m)));
    assert.deepEqual(replies.map(String), ['ACK:a', 'ACK:b', 'ACK:c']);
  });

  it('fails with RLS_MLLP_ACK_TIMEOUT when the peer stays silent, then reconnects for the next message', async () => {
    let first = true;
    const p = await peer((s, f) => { if (first) { first = false; return; } echo(s, f); });
    const c = client(p.port, 100);
    await assert.rejects(c.send('lost'), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_ACK_TIMEOUT' && e.details.ackTimeoutMs === 100);
    assert.equal((await c.send('next')).toString(), 'ACK:next');
    assert.equal(p.connections(), 2);
  });

  it('fails with RLS_MLLP_CONNECTION when the peer closes while the reply is awaited', async () => {
    const { port } = await peer((s) => s.destroy());
    await assert.rejects(client(port).send('x'), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION');
  });

  it('fails with RLS_MLLP_CONNECTION when nothing listens', async () => {
    const { port } = await peer(echo);
    await new Promise((r) => (servers.pop() as Server).close(r));
    await assert.rejects(client(port).connect(), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION' && e.details.reason === 'ECONNREFUSED');
  });

  it('rejects with the abort reason when the signal fires, and drops the connection', async () => {
    const received: string[] = [];
    const p = await peer((s, f) => { received.push(f.toString()); if (f.toString() !== 'slow') echo(s, f); });
    const c = client(p.port);
    const ac = new AbortController();
    const pending = c.send('slow', { signal: ac.signal });
    while (received.length === 0) await new Promise((r) => setImmediate(r));
    ac.abort(new Error('operator cancelled'));
    await assert.rejects(pending, /operator cancelled/);
    assert.equal((await c.send('fresh')).toString(), 'ACK:fresh');
    assert.equal(p.connections(), 2);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { port } = await peer(echo);
    await assert.rejects(client(port).send('x', { signal: AbortSignal.abort() }), (e) => (e as Error).name === 'AbortError');
  });

  it('fails with RLS_MLLP_FRAME_TOO_LARGE when the reply exceeds maxFrameBytes', async () => {
    const { port } = await peer((s) => s.write(frameMllp('y'.repeat(200))));
    const c = new MllpClient({ host: '127.0.0.1', port, maxFrameBytes: 100 });
    clients.push(c);
    await assert.rejects(c.send('x'), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_FRAME_TOO_LARGE');
  });

  it('closes idempotently and refuses to send afterwards', async () => {
    const { port } = await peer(echo);
    const c = client(port);
    await c.send('x');
    const closing = c.close();
    assert.equal(c.close(), closing);
    await closing;
    await assert.rejects(c.send('y'), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION' && e.details.reason === 'closed');
  });
});
