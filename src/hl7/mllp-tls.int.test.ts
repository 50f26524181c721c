import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { MllpServer } from './mllp-server.js';
import { MllpClient } from './mllp-client.js';
import type { Logger } from './logger.js';
import { isRelaisError } from '../domain/index.js';
import { hasOpenssl, makePki, type Pki } from './testing/test-pki.js';

const msg = 'MSH|^~\\&|DPI|H|PFI|H|20240101||ORU^R01|T1|P|2.5\r';

describe('MllpServer and MllpClient over TLS with a required client certificate', { skip: hasOpenssl() ? false : 'openssl CLI not available' }, () => {
  let dir = '';
  let pki: Pki;
  let server: MllpServer;
  let port = 0;
  const handled: string[] = [];
  const warnings: string[] = [];
  const log: Logger = {
    debug() {}, info() {}, error() {},
    warn(_o, m) { warnings.push(m ?? ''); },
    child() { return log; },
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relais-mllp-tls-'));
    pki = makePki(dir);
    server = new MllpServer({
      port: 0, host: '127.0.0.1', maxFrameBytes: 65_536, log,
      tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true },
      onMessage: async (_p, conn) => { handled.push(conn.peerCertificateSubject ?? '-'); return 'MSH|^~\\&|PFI|H|DPI|H|20240101||ACK|A1|P|2.5\rMSA|AA|T1\r'; },
    });
    port = (await server.listen()).port;
  });

  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves a client that presents a certificate from the trusted CA, and names it', async () => {
    const c = new MllpClient({ host: '127.0.0.1', port, tls: { ca: pki.ca, key: pki.clientKey, cert: pki.clientCert }, ackTimeoutMs: 5_000 });
    try {
      const reply = await c.send(msg);
      assert.match(reply.toString(), /MSA\|AA\|T1/);
    } finally {
      await c.close();
    }
    assert.match(handled.at(-1) ?? '', /CN=client/);
  });

  it('refuses a client without a certificate', async () => {
    const before = handled.length;
    const c = new MllpClient({ host: '127.0.0.1', port, tls: { ca: pki.ca }, ackTimeoutMs: 5_000 });
    try {
      // With TLS 1.3 the client may finish its side of the handshake before the server's refusal arrives.
      await assert.rejects(async () => { await c.connect(); await c.send(msg); },
        (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION');
    } finally {
      await c.close();
    }
    assert.equal(handled.length, before);
  });

  it('refuses a client certificate from another CA', async () => {
    const before = handled.length;
    const c = new MllpClient({ host: '127.0.0.1', port, tls: { ca: pki.ca, key: pki.rogueKey, cert: pki.rogueCert }, ackTimeoutMs: 5_000 });
    try {
      await assert.rejects(async () => { await c.connect(); await c.send(msg); },
        (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION');
    } finally {
      await c.close();
    }
    assert.equal(handled.length, before);
  });

  it('refuses a TLS 1.1 client', async () => {
    const refusalsBefore = warnings.filter((w) => w === 'TLS handshake refused').length;
    const outcome = await new Promise<string>((resolve) => {
      const s = tlsConnect({
        host: '127.0.0.1', port, ca: pki.ca, key: pki.clientKey, cert: pki.clientCert,
        minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0',
      });
      s.once('secureConnect', () => { s.destroy(); resolve('connected'); });
      s.once('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
    });
    assert.notEqual(outcome, 'connected');
    assert.match(outcome, /PROTOCOL|VERSION/i);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (warnings.filter((w) => w === 'TLS handshake refused').length > refusalsBefore) resolve();
        else setImmediate(check);
      };
      check();
    });
  });

  it('refuses a client that does not trust the server certificate', async () => {
    const c = new MllpClient({ host: '127.0.0.1', port, tls: { key: pki.clientKey, cert: pki.clientCert }, ackTimeoutMs: 5_000 });
    try {
      await assert.rejects(c.connect(), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION');
    } finally {
      await c.close();
    }
  });

  it('closes a TLS peer outside allowedPeers before any handshake', async () => {
    const refused: string[] = [];
    const filtered = new MllpServer({
      port: 0, host: '127.0.0.1', maxFrameBytes: 65_536, allowedPeers: ['10.0.0.0/8'],
      log: { ...log, warn(_o, m) { refused.push(m ?? ''); }, child() { return this; } },
      tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true },
      onMessage: async () => 'never',
    });
    const { port: p } = await filtered.listen();
    const c = new MllpClient({ host: '127.0.0.1', port: p, tls: { ca: pki.ca, key: pki.clientKey, cert: pki.clientCert } });
    try {
      await assert.rejects(c.connect(), (e) => isRelaisError(e) && e.code === 'RLS_MLLP_CONNECTION');
    } finally {
      await c.close();
      await filtered.close();
    }
    assert.deepEqual(refused, ['peer not in allowedPeers; connection closed']);
  });
});
