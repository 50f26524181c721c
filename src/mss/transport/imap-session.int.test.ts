import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { createCrlCache, createTestChain, credentialsFromPem, tlsServerOptions, type Credentials, type TestChain } from '../../pki/index.js';
import { createImapSession, type ImapSessionOptions } from './imap-session.js';
import type { MssTrace } from './mss-trace.js';
import { weakDhParamsPem } from './test-servers.js';

const bal = { address: 'relais@app.hopital.mssante.fr', password: 'imap-secret-Xy7' };
let chain: TestChain;
let credentials: Credentials;
const servers: Server[] = [];

before(async () => {
  chain = await createTestChain();
  credentials = credentialsFromPem(chain.authCli.keyPem, chain.authCli.chainPem);
});
after(() => {
  for (const s of servers) s.close();
});

/** An implicit-TLS endpoint that greets like an IMAP server; the refusals happen before any IMAP command. */
async function tlsEndpoint(tls: Partial<TlsOptions>): Promise<{ port: number; handshakes: () => number }> {
  let handshakes = 0;
  const server = createServer({ ...tlsServerOptions({ credentials: credentialsFromPem(chain.server.keyPem, chain.server.chainPem) }), ...tls }, (socket) => {
    handshakes += 1;
    socket.on('error', () => undefined);
    socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] test ready\r\n');
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, handshakes: () => handshakes };
}

async function refused(tls: Partial<TlsOptions>, o: Partial<ImapSessionOptions> = {}) {
  const endpoint = await tlsEndpoint(tls);
  const traces: MssTrace[] = [];
  const error = await createImapSession({
    host: '127.0.0.1', port: endpoint.port, tlsMode: 'implicit', bal, credentials, trust: chain.trustBundlePem,
    onTrace: (t) => traces.push(t), timeouts: { connectMs: 5000 }, ...o,
  }).then(() => undefined, (e: unknown) => e as { code: string; kind: string; details: Record<string, unknown> });
  assert.ok(error, 'the session opened');
  assert.equal(error.code, 'RLS_MSS_TLS');
  assert.equal(error.kind, 'peer_transient');
  const failed = traces.filter((t) => !t.ok);
  assert.equal(failed.length, 1, JSON.stringify(traces));
  assert.equal(failed[0]!.protocol, 'imap');
  assert.equal(failed[0]!.failure, error.details['reason']);
  assert.ok(!JSON.stringify(traces).includes(bal.password));
  return { reason: error.details['reason'], endpoint };
}

describe('IMAP session refusals of the TLS profile', () => {
  it('drops a server whose DH group is 1024 bits', async () => {
    assert.equal((await refused({ dhparam: weakDhParamsPem(), maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES256-GCM-SHA384' })).reason, 'tls_weak_dh');
  });

  it('refuses a server limited to TLS 1.1', async () => {
    assert.equal((await refused({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).reason, 'tls_protocol');
  });

  it('refuses a server certificate from another chain', async () => {
    const other = await createTestChain({ keySet: 'imap-other' });
    assert.equal((await refused({ key: other.server.keyPem, cert: other.server.chainPem })).reason, 'tls_peer_untrusted');
  });

  it('refuses a revoked server certificate', async () => {
    const serial = new X509Certificate(chain.server.certPem).serialNumber;
    const pems = [await chain.issueCrl({ issuer: 'root' }), await chain.issueCrl({ issuer: 'org', revoked: [serial] })];
    const crl = createCrlCache({ locations: [{ url: 'http://crl.test/root.crl' }, { url: 'http://crl.test/org.crl' }], issuers: [new X509Certificate(chain.rootCaPem), new X509Certificate(chain.orgCaPem)],
      fetchCrl: async (url) => Buffer.from(pems[url.endsWith('root.crl') ? 0 : 1]!) });
    assert.equal((await refused({}, { crl })).reason, 'tls_peer_revoked');
  });

  it('refuses an expired client certificate before connecting', async () => {
    const expired = await createTestChain({ expiredLeaves: true });
    const cert = new X509Certificate(expired.authCli.certPem);
    const { reason, endpoint } = await refused({}, { credentials: { ...credentials, certificate: cert, notAfter: new Date(cert.validTo) } });
    assert.equal(reason, 'client_certificate_expired');
    assert.equal(endpoint.handshakes(), 0);
  });
});
