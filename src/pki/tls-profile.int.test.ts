import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type ConnectionOptions, type Server, type TlsOptions, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { isRelaisError } from '../domain/index.js';
import { checkNegotiated, dropIfOutsideProfile, tls12CipherSuites, tlsClientOptions, tlsServerOptions } from './tls-profile.js';
import { credentialsFromPem, type Credentials } from './load-credentials.js';
import { createTrustStore, type TrustStore } from './trust-store.js';
import { createTestChain, type TestChain } from './igc-test-chain.js';

interface Outcome {
  client: TLSSocket;
  clientError: Error | undefined;
  serverSocket: TLSSocket | undefined;
  serverError: Error | undefined;
}

const servers: Server[] = [];
const sockets: TLSSocket[] = [];

/** Opens one connection and waits for both ends to settle: the client's handshake and the server's verdict. */
async function handshake(serverOptions: TlsOptions, clientOptions: ConnectionOptions): Promise<Outcome> {
  const server = createServer(serverOptions, (s) => { sockets.push(s); s.on('error', () => undefined); });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const serverSide = new Promise<{ socket?: TLSSocket; error?: Error }>((resolve) => {
    server.once('secureConnection', (socket: TLSSocket) => resolve({ socket }));
    server.once('tlsClientError', (error: Error) => resolve({ error }));
  });
  const client = connect({ host: '127.0.0.1', port, ...clientOptions });
  sockets.push(client);
  const clientSide = new Promise<Error | undefined>((resolve) => {
    client.once('secureConnect', () => resolve(undefined));
    client.once('error', (e) => resolve(e));
  });
  const [clientError, s] = await Promise.all([clientSide, serverSide]);
  return { client, clientError, serverSocket: s.socket, serverError: s.error };
}

describe('TLS handshakes with the profile and the IGC Santé-shaped test chain', () => {
  let chain: TestChain;
  let store: TrustStore;
  let serverCreds: Credentials;
  let authCli: Credentials;

  before(async () => {
    chain = await createTestChain();
    store = createTrustStore('test', chain.trustBundlePem);
    serverCreds = credentialsFromPem(chain.server.keyPem, chain.server.chainPem);
    authCli = credentialsFromPem(chain.authCli.keyPem, chain.authCli.chainPem);
  });

  after(() => {
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
  });

  it('completes mutual TLS with the ORG AUTH_CLI certificate, within the profile on both ends', async () => {
    const o = await handshake(tlsServerOptions({ credentials: serverCreds, trustStore: store }),
      tlsClientOptions({ credentials: authCli, trustStore: store, servername: 'localhost' }));
    assert.equal(o.clientError, undefined);
    assert.equal(o.serverError, undefined);
    assert.deepEqual(checkNegotiated(o.client, { requirePeerCertificate: true }), { ok: true, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    const peer = o.serverSocket!.getPeerX509Certificate();
    assert.match(peer?.subject ?? '', /CN=PFI RELAIS TEST/);
    assert.equal(store.verifyChain(peer, [], { purpose: 'client' }).ok, true);
    assert.equal(checkNegotiated(o.serverSocket!, { requirePeerCertificate: true }).ok, true);
  });

  it('negotiates a CONF.03 ECDHE suite on P-256 when TLS 1.3 is switched off', async () => {
    const o = await handshake(tlsServerOptions({ credentials: serverCreds, trustStore: store, allowTls13: false }),
      tlsClientOptions({ credentials: authCli, trustStore: store, servername: 'localhost', allowTls13: false }));
    assert.equal(o.clientError, undefined);
    const v = checkNegotiated(o.client, { requirePeerCertificate: true });
    assert.deepEqual(v, { ok: true, protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384' });
    assert.deepEqual(o.client.getEphemeralKeyInfo(), { type: 'ECDH', name: 'prime256v1', size: 256 });
  });

  it('serves the DHE-GCM suites with a 2048-bit group', async () => {
    const o = await handshake(tlsServerOptions({ credentials: serverCreds }),
      { ...tlsClientOptions({ trustStore: store, servername: 'localhost', allowTls13: false }), ciphers: 'DHE-RSA-AES256-GCM-SHA384' });
    assert.equal(o.clientError, undefined);
    assert.equal(o.client.getCipher().name, 'DHE-RSA-AES256-GCM-SHA384');
    assert.deepEqual(o.client.getEphemeralKeyInfo(), { type: 'DH', size: 2048 });
    assert.equal(checkNegotiated(o.client).ok, true);
  });

  it('refuses a TLS 1.2 client that offers only AES-CBC-SHA1, which a default server accepts', async () => {
    const cbc: ConnectionOptions = { ca: store.caPem, servername: 'localhost', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' };
    const refused = await handshake(tlsServerOptions({ credentials: serverCreds }), cbc);
    assert.ok(refused.clientError);
    assert.match(String((refused.serverError as { code?: string } | undefined)?.code), /NO_SHARED_CIPHER/);
    const control = await handshake({ key: serverCreds.keyPem, cert: serverCreds.certPem }, cbc);
    assert.equal(control.clientError, undefined);
  });

  it('refuses a TLS 1.1 client', async () => {
    const o = await handshake(tlsServerOptions({ credentials: serverCreds }),
      { ca: store.caPem, servername: 'localhost', minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    assert.ok(o.clientError);
    assert.match(String((o.serverError as { code?: string } | undefined)?.code), /UNSUPPORTED_PROTOCOL/);
  });

  it('refuses a client without a certificate when mutual TLS is on', async () => {
    const o = await handshake(tlsServerOptions({ credentials: serverCreds, trustStore: store }),
      tlsClientOptions({ trustStore: store, servername: 'localhost' }));
    assert.ok(o.serverError);
    assert.equal(o.serverSocket, undefined);
  });

  it('refuses, as a client, a server certificate from a PKI outside the trust store', async () => {
    const other = await createTestChain({ keySet: 'unrelated' });
    const otherServer = credentialsFromPem(other.server.keyPem, other.server.chainPem);
    const o = await handshake(tlsServerOptions({ credentials: otherServer }), tlsClientOptions({ trustStore: store, servername: 'localhost' }));
    assert.ok(o.clientError);
    assert.match(String((o.clientError as { code?: string }).code), /UNABLE_TO_GET_ISSUER_CERT/);
  });

  it('lets checkNegotiated find a session outside the profile, and dropIfOutsideProfile closes it', async () => {
    const o = await handshake({ key: serverCreds.keyPem, cert: serverCreds.certPem },
      { ca: store.caPem, servername: 'localhost', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' });
    assert.equal(o.clientError, undefined);
    const v = checkNegotiated(o.client);
    assert.equal(v.ok ? 'ok' : v.reason, 'cipher');
    assert.ok(!tls12CipherSuites.some((s) => s.openssl === o.client.getCipher().name));
    const closed = once(o.client, 'close');
    const e = dropIfOutsideProfile(o.client);
    assert.ok(isRelaisError(e) && e.code === 'RLS_PKI_TLS_PROFILE' && e.details.reason === 'cipher');
    await closed;
    assert.equal(o.client.destroyed, true);
  });
});
