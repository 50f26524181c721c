import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { MllpServer } from './mllp-server.js';
import { MllpClient } from './mllp-client.js';
import { MllpFramer, frameMllp } from './mllp-framer.js';
import { sniffHeader } from './header-sniff.js';
import { buildAck } from './ack.js';
import type { Logger } from './logger.js';
import type { MllpServerOptions } from './mllp-types.js';
import { isRelaisError } from '../domain/index.js';

interface Entry { level: string; obj: object; msg?: string; bindings: Record<string, unknown> }
function recordingLogger(entries: Entry[] = [], bindings: Record<string, unknown> = {}): Logger & { entries: Entry[] } {
  const at = (level: string) => (obj: object, msg?: string): void => { entries.push({ level, obj, msg, bindings }); };
  return {
    entries,
    debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    child: (b) => recordingLogger(entries, { ...bindings, ...b }),
  };
}

const msg = (id: string): string => `MSH|^~\\&|DPI|H|PFI|H|20240101||ORU^R01^ORU_R01|${id}|P|2.5|||||FRA|UNICODE UTF-8\rPID|||1\r`;
const ackFor = (payload: Buffer, code: 'AA' | 'AE' = 'AA'): string =>
  buildAck(sniffHeader(payload), { code, controlId: 'ACK-' + (sniffHeader(payload).controlId ?? ''), timestamp: new Date(2024, 0, 1) });
const msaOf = (reply: Buffer): string => reply.toString().split('\r').find((s) => s.startsWith('MSA')) ?? '';

class Deferred<T = void> {
  resolve!: (v: T) => void;
  readonly promise = new Promise<T>((r) => { this.resolve = r; });
}

const servers: MllpServer[] = [];
const clients: MllpClient[] = [];
async function start(o: Partial<MllpServerOptions> = {}): Promise<{ server: MllpServer; port: number }> {
  const server = new MllpServer({
    port: 0, host: '127.0.0.1', maxFrameBytes: 64 * 1024,
    onMessage: async (p) => ackFor(p),
    ...o,
  });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}
function client(port: number): MllpClient {
  const c = new MllpClient({ host: '127.0.0.1', port, ackTimeoutMs: 5_000 });
  clients.push(c);
  return c;
}
function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}
/** Reads n frames (or until close) from a raw socket. */
function readFrames(s: Socket, n: number): Promise<Buffer[]> {
  const framer = new MllpFramer({ maxFrameBytes: 1 << 20 });
  const got: Buffer[] = [];
  return new Promise((resolve) => {
    const onData = (chunk: Buffer): void => {
      for (const ev of framer.push(chunk)) if (ev.type === 'frame') got.push(ev.payload);
      if (got.length >= n) { s.off('data', onData); resolve(got); }
    };
    s.on('data', onData);
    s.once('close', () => resolve(got));
  });
}
const closedEvent = (s: Socket): Promise<void> => new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 1_000 })));
});

describe('MllpServer', () => {
  it('answers a message with the handler reply, framing removed on both sides', async () => {
    const seen: string[] = [];
    const { port } = await start({ onMessage: async (p, conn) => { seen.push(`${conn.remoteAddress}:${conn.tls}`); return ackFor(p); } });
    const reply = await client(port).send(msg('M1'));
    assert.equal(msaOf(reply), 'MSA|AA|M1');
    assert.deepEqual(seen, ['127.0.0.1:false']);
  });

  it('serves several connections at once', async () => {
    const arrived = new Deferred();
    let count = 0;
    const { server, port } = await start({
      onMessage: async (p) => {
        if (++count === 3) arrived.resolve();
        await arrived.promise; // each handler waits until all three connections are being handled
        return ackFor(p);
      },
    });
    const replies = await Promise.all(['A', 'B', 'C'].map((id) => client(port).send(msg(id))));
    assert.deepEqual(replies.map(msaOf), ['MSA|AA|A', 'MSA|AA|B', 'MSA|AA|C']);
    assert.equal(server.connections, 3);
  });

  it('handles frames of one connection one at a time, in order, even when they arrive together', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const order: string[] = [];
    const { port } = await start({
      onMessage: async (p) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        order.push(sniffHeader(p).controlId ?? '');
        inFlight--;
        return ackFor(p);
      },
    });
    const s = await rawSocket(port);
    const replies = readFrames(s, 3);
    s.write(Buffer.concat(['1', '2', '3'].map((id) => frameMllp(msg(id)))));
    assert.deepEqual((await replies).map(msaOf), ['MSA|AA|1', 'MSA|AA|2', 'MSA|AA|3']);
    assert.deepEqual(order, ['1', '2', '3']);
    assert.equal(maxInFlight, 1);
    s.destroy();
  });

  it('answers an oversized frame through onOversize, keeps that connection usable and does not block another', async () => {
    const { port } = await start({
      maxFrameBytes: 2_000,
      onOversize: async (head, size) => {
        assert.ok(size > 2_000);
        return buildAck(sniffHeader(head), { code: 'AE', controlId: 'X', timestamp: new Date(),
          errors: [{ code: '100', text: 'too large', severity: 'E' }] });
      },
    });
    const big = Buffer.from(msg('BIG') + 'OBX|1|ED|X||^text^XML^Base64^' + 'QUFB'.repeat(5_000) + '\r');
    const s = await rawSocket(port);
    const replies = readFrames(s, 2);
    s.write(Buffer.concat([Buffer.from([0x0b]), big.subarray(0, 10_000)])); // half-way through the big frame
    // Another connection is served meanwhile.
    assert.equal(msaOf(await client(port).send(msg('OTHER'))), 'MSA|AA|OTHER');
    s.write(Buffer.concat([big.subarray(10_000), Buffer.from([0x1c, 0x0d]), frameMllp(msg('AFTER'))]));
    const [ae, after] = await replies;
    assert.ok(ae && after);
    assert.equal(msaOf(ae), 'MSA|AE|BIG');
    assert.equal(msaOf(after), 'MSA|AA|AFTER');
    s.destroy();
  });

  it('closes the connection on an oversized frame when there is no onOversize', async () => {
    const log = recordingLogger();
    const { port } = await start({ maxFrameBytes: 100, log });
    const s = await rawSocket(port);
    s.write(frameMllp('x'.repeat(500)));
    await closedEvent(s);
    assert.ok(log.entries.some((e) => e.msg === 'oversized frame dropped'));
  });

  it('closes connections from peers outside allowedPeers and logs them', async () => {
    const log = recordingLogger();
    let handled = 0;
    const { port } = await start({ allowedPeers: ['10.0.0.0/8'], log, onMessage: async (p) => { handled++; return ackFor(p); } });
    await assert.rejects(client(port).send(msg('R')), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION');
    assert.equal(handled, 0);
    const refused = log.entries.find((e) => e.msg === 'peer not in allowedPeers; connection closed');
    assert.ok(refused);
    assert.equal((refused.obj as { remoteAddress: string }).remoteAddress, '127.0.0.1');
    assert.equal(refused.bindings.component, 'mllp-server');
  });

  it('serves peers listed in allowedPeers', async () => {
    const { port } = await start({ allowedPeers: ['127.0.0.1', '::1'] });
    assert.equal(msaOf(await client(port).send(msg('OK'))), 'MSA|AA|OK');
  });

  it('closes connections beyond maxConnections', async () => {
    const log = recordingLogger();
    const { port } = await start({ maxConnections: 1, log });
    const first = client(port);
    await first.send(msg('1'));
    await assert.rejects(client(port).send(msg('2')), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION');
    assert.ok(log.entries.some((e) => e.msg === 'too many connections; connection closed'));
    assert.equal(msaOf(await first.send(msg('3'))), 'MSA|AA|3');
  });

  it('closes only the connection whose handler failed, logging the error with its connection id', async () => {
    const log = recordingLogger();
    const { port } = await start({
      log,
      onMessage: async (p) => {
        if (sniffHeader(p).controlId === 'BOOM') throw new Error('handler failure');
        return ackFor(p);
      },
    });
    const other = client(port);
    await other.send(msg('before'));
    await assert.rejects(client(port).send(msg('BOOM')), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION');
    assert.equal(msaOf(await other.send(msg('after'))), 'MSA|AA|after');
    const failure = log.entries.find((e) => e.level === 'error');
    assert.ok(failure);
    assert.equal(typeof failure.bindings.conn, 'string');
  });

  it('reports bytes outside frames as junk and still serves the frames', async () => {
    const log = recordingLogger();
    const { port } = await start({ log });
    const s = await rawSocket(port);
    const replies = readFrames(s, 1);
    s.write(Buffer.concat([Buffer.from('garbage\r\n'), frameMllp(msg('J'))]));
    assert.equal(msaOf((await replies)[0] as Buffer), 'MSA|AA|J');
    assert.ok(log.entries.some((e) => e.msg === 'bytes outside an MLLP frame skipped' && (e.obj as { bytes: number }).bytes === 7));
    s.destroy();
  });

  it('answers a peer that half-closes right after sending', async () => {
    const { port } = await start();
    const s = await rawSocket(port);
    const replies = readFrames(s, 1);
    s.end(frameMllp(msg('HALF')));
    assert.equal(msaOf((await replies)[0] as Buffer), 'MSA|AA|HALF');
    await closedEvent(s);
  });

  it('closes idle connections after idleTimeoutMs', async () => {
    const { port } = await start({ idleTimeoutMs: 50 });
    const s = await rawSocket(port);
    await closedEvent(s);
  });

  it('lets an in-flight handler finish and write its reply when closing, and close twice safely', async () => {
    const entered = new Deferred();
    const release = new Deferred();
    const { server, port } = await start({
      onMessage: async (p) => { entered.resolve(); await release.promise; return ackFor(p); },
    });
    const s = await rawSocket(port);
    const replies = readFrames(s, 1);
    s.write(frameMllp(msg('LAST')));
    await entered.promise;
    const closing = server.close({ timeoutMs: 5_000 });
    assert.equal(server.close(), closing);
    release.resolve();
    assert.equal(msaOf((await replies)[0] as Buffer), 'MSA|AA|LAST');
    await closing;
    await closedEvent(s);
    assert.equal(server.connections, 0);
    await assert.rejects(rawSocket(port));
  });

  it('destroys connections whose handler outlives the close timeout', async () => {
    const entered = new Deferred();
    const { server, port } = await start({
      onMessage: async () => { entered.resolve(); return new Promise<string>(() => undefined); },
    });
    const c = client(port);
    const pending = c.send(msg('STUCK'));
    await entered.promise;
    await server.close({ timeoutMs: 50 });
    await assert.rejects(pending, (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION');
  });
});
