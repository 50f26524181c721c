import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { createCrlCache, createTestChain, credentialsFromPem, tlsServerOptions, type Credentials, type TestChain } from '../../pki/index.js';
import { createSmtpSubmitter, type SmtpSubmitterOptions } from './smtp-submitter.js';
import type { MssTrace } from './mss-trace.js';
import { startTestSmtpServer, weakDhParamsPem, type TestSmtpServer, type TestSmtpServerOptions } from './test-servers.js';

const bal = { address: 'relais@app.hopital.mssante.fr', password: 'bal-secret-Zq9' };
const body = 'Corps confidentiel du compte rendu: PATIENT-SECRET-1234';
const raw = (id: string): Buffer => Buffer.from(
  `From: <${bal.address}>\r\nTo: <dr.a@test.mssante.fr>\r\nSubject: test\r\nMessage-ID: ${id}\r\n\r\n${body}\r\n`);

let chain: TestChain;
let credentials: Credentials;
const servers: TestSmtpServer[] = [];

before(async () => {
  chain = await createTestChain();
  credentials = credentialsFromPem(chain.authCli.keyPem, chain.authCli.chainPem);
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(o: Partial<TestSmtpServerOptions> & { tls?: TestSmtpServerOptions['tls'] } = {}): Promise<TestSmtpServer> {
  const s = await startTestSmtpServer({
    mode: 'starttls',
    ...o,
    tls: o.tls ?? { ...tlsServerOptions({ credentials: credentialsFromPem(chain.server.keyPem, chain.server.chainPem) }), ca: chain.trustBundlePem, rejectUnauthorized: true },
  });
  servers.push(s);
  return s;
}

function submitter(s: TestSmtpServer, traces: MssTrace[], o: Partial<SmtpSubmitterOptions> = {}) {
  return createSmtpSubmitter({
    host: '127.0.0.1', port: s.port, tlsMode: 'starttls', bal, credentials, trust: chain.trustBundlePem,
    onTrace: (t) => traces.push(t), timeouts: { connectMs: 5000 }, ...o,
  });
}

function assertNoSecrets(traces: MssTrace[]): void {
  const all = JSON.stringify(traces);
  assert.ok(!all.includes(bal.password), 'a trace carries the password');
  assert.ok(!all.includes(Buffer.from(`\0${bal.address}\0${bal.password}`).toString('base64')), 'a trace carries the AUTH payload');
  assert.ok(!all.includes('PATIENT-SECRET-1234'), 'a trace carries the message body');
}

describe('SMTP submitter (STARTTLS, ORG AUTH_CLI, AUTH PLAIN)', () => {
  it('sends over STARTTLS with the client certificate and AUTH PLAIN as the BAL, and reports each recipient', async () => {
    const s = await server({ rcptReply: (a) => (a.startsWith('unknown') ? '550 5.1.1 <unknown@test.mssante.fr>: Recipient address rejected' : '250 2.1.5 Ok') });
    const traces: MssTrace[] = [];
    const sub = submitter(s, traces);
    try {
      const r = await sub.send({ raw: raw('<m1@relais.test>'), messageId: '<m1@relais.test>', envelope: { from: bal.address, to: ['dr.a@test.mssante.fr', 'unknown@test.mssante.fr'] },
        dsn: { envelopeId: 'ENV-1', notify: ['SUCCESS', 'FAILURE'], ret: 'HDRS' } });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.deepEqual(r.recipients.map((x) => [x.address, x.accepted, x.code, x.enhancedCode]), [
        ['dr.a@test.mssante.fr', true, 250, '2.1.5'], ['unknown@test.mssante.fr', false, 550, '5.1.1']]);
      assert.equal(s.received.length, 1);
      assert.deepEqual(s.received[0]!.auth, { user: bal.address, pass: bal.password });
      assert.match(s.received[0]!.data, /PATIENT-SECRET-1234/);
      assert.match(s.received[0]!.mailFromLine, /RET=HDRS/);
      assert.match(s.received[0]!.mailFromLine, /ENVID=ENV-1/);
      assert.match(s.received[0]!.rcptLines[0]!, /NOTIFY=SUCCESS,FAILURE/);
      assert.deepEqual(s.clientCertificates, ['CN=PFI RELAIS TEST']);
      const actions = traces.map((t) => `${t.action}:${t.ok}`);
      assert.deepEqual(actions.slice(0, 5), ['connect:true', 'starttls:true', 'connect:true', 'auth:true', 'send:true']);
      const sendTrace = traces.find((t) => t.action === 'send')!;
      assert.equal(sendTrace.messageId, '<m1@relais.test>');
      assert.match(sendTrace.request, /^MAIL FROM:<relais@app\.hopital\.mssante\.fr>/);
      assert.match(sendTrace.response, /550 5\.1\.1/);
      assert.match(sendTrace.response, /250 2\.0\.0 Ok: queued as TEST1/);
      assert.match(traces.find((t) => t.action === 'auth')!.request, /^AUTH PLAIN \[redacted\]$/);
      assert.ok(traces.every((t) => t.actor === bal.address && t.protocol === 'smtp' && t.at instanceof Date));
      assertNoSecrets(traces);
    } finally {
      sub.close();
    }
  });

  it('classifies a 5xx refusal of every recipient as permanent with its code', async () => {
    const s = await server({ rcptReply: () => '550 5.1.1 Recipient address rejected: User unknown' });
    const traces: MssTrace[] = [];
    const sub = submitter(s, traces);
    try {
      const r = await sub.send({ raw: raw('<m2@relais.test>'), messageId: '<m2@relais.test>', envelope: { from: bal.address, to: ['nobody@test.mssante.fr'] } });
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.kind, 'permanent');
      assert.equal(r.scope, 'message');
      assert.equal(r.code, 'smtp_rejected');
      assert.equal(r.smtpCode, 550);
      assert.equal(r.error.code, 'RLS_MSS_REFUSED');
      assert.deepEqual(r.recipients.map((x) => [x.accepted, x.code]), [[false, 550]]);
      const t = traces.find((x) => x.action === 'send')!;
      assert.equal(t.ok, false);
      assert.match(t.response, /550 5\.1\.1/);
    } finally {
      sub.close();
    }
  });

  it('classifies a 552 after DATA (size limit) as permanent', async () => {
    const s = await server({ dataReply: () => '552 5.3.4 Message size exceeds fixed limit' });
    const sub = submitter(s, []);
    try {
      const r = await sub.send({ raw: raw('<m3@relais.test>'), messageId: '<m3@relais.test>', envelope: { from: bal.address, to: ['dr.a@test.mssante.fr'] } });
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual([r.kind, r.code, r.smtpCode], ['permanent', 'smtp_rejected', 552]);
    } finally {
      sub.close();
    }
  });

  it('classifies a 4xx as transient for the message', async () => {
    const s = await server({ rcptReply: () => '450 4.2.0 Mailbox temporarily unavailable' });
    const sub = submitter(s, []);
    try {
      const r = await sub.send({ raw: raw('<m4@relais.test>'), messageId: '<m4@relais.test>', envelope: { from: bal.address, to: ['dr.a@test.mssante.fr'] } });
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual([r.kind, r.scope, r.code, r.smtpCode], ['transient', 'message', 'smtp_deferred', 450]);
    } finally {
      sub.close();
    }
  });

  it('classifies a refused AUTH as transient for the peer', async () => {
    const s = await server({ authReply: () => '535 5.7.8 Error: authentication failed' });
    const traces: MssTrace[] = [];
    const sub = submitter(s, traces);
    try {
      const r = await sub.send({ raw: raw('<m5@relais.test>'), messageId: '<m5@relais.test>', envelope: { from: bal.address, to: ['dr.a@test.mssante.fr'] } });
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual([r.kind, r.scope, r.code], ['transient', 'peer', 'auth_failed']);
      const t = traces.find((x) => x.action === 'auth')!;
      assert.equal(t.ok, false);
      assert.match(t.response, /535/);
      assertNoSecrets(traces);
    } finally {
      sub.close();
    }
  });

  it('works over implicit TLS when configured', async () => {
    const s = await server({ mode: 'implicit' });
    const traces: MssTrace[] = [];
    const sub = submitter(s, traces, { tlsMode: 'implicit' });
    try {
      const r = await sub.send({ raw: raw('<m6@relais.test>'), messageId: '<m6@relais.test>', envelope: { from: bal.address, to: ['dr.a@test.mssante.fr'] } });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(traces[0]!.action, 'connect');
      assert.match(traces[0]!.request, /implicit TLS/);
    } finally {
      sub.close();
    }
  });
});

describe('SMTP submitter set-up and health', () => {
  it('refuses to start with requireCrl and no CRL source', () => {
    assert.throws(() => createSmtpSubmitter({ host: '127.0.0.1', port: 1, tlsMode: 'starttls', bal, credentials, trust: chain.trustBundlePem, requireCrl: true, onTrace: () => undefined }),
      (e: { code?: string }) => e.code === 'RLS_CONFIG_INVALID');
  });

  it('verify() opens a checked, authenticated connection, and names the failure otherwise', async () => {
    const good = await server();
    const sub = submitter(good, []);
    try {
      assert.deepEqual(await sub.verify(), { ok: true });
    } finally {
      sub.close();
    }
    const other = await createTestChain({ keySet: 'another-igc' });
    const bad = await server({ tls: { ...tlsServerOptions({ credentials: credentialsFromPem(other.server.keyPem, other.server.chainPem) }) } });
    const sub2 = submitter(bad, []);
    try {
      const v = await sub2.verify();
      assert.equal(v.ok, false);
      assert.equal(v.code, 'tls_peer_untrusted');
    } finally {
      sub2.close();
    }
  });

  it('gives up a send aborted by its signal, as transient, without sending', async () => {
    const s = await server();
    const sub = submitter(s, []);
    try {
      const controller = new AbortController();
      controller.abort();
      const r = await sub.send({ raw: raw('<a1@relais.test>'), messageId: '<a1@relais.test>', envelope: { from: bal.address, to: ['dr.a@test.mssante.fr'] } }, controller.signal);
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual([r.kind, r.code], ['transient', 'aborted']);
      assert.equal(s.received.length, 0);
    } finally {
      sub.close();
    }
  });

  it('classifies a server that never greets as a transient timeout of the peer, traced', async () => {
    const silent = createTcpServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const traces: MssTrace[] = [];
    const sub = createSmtpSubmitter({ host: '127.0.0.1', port: (silent.address() as AddressInfo).port, tlsMode: 'starttls', bal, credentials, trust: chain.trustBundlePem,
      onTrace: (t) => traces.push(t), timeouts: { connectMs: 300 } });
    try {
      const r = await sub.send({ raw: raw('<t1@relais.test>'), messageId: '<t1@relais.test>', envelope: { from: bal.address, to: ['dr.a@test.mssante.fr'] } });
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual([r.kind, r.scope, r.code], ['transient', 'peer', 'timeout']);
      assert.deepEqual(traces.filter((t) => !t.ok).map((t) => [t.action, t.failure]), [['connect', 'timeout'], ['send', 'timeout']]);
      assert.equal(traces.at(-1)!.messageId, '<t1@relais.test>');
    } finally {
      sub.close();
      silent.close();
    }
  });
});

describe('SMTP submitter refusals of the TLS profile', () => {
  async function refused(serverTls: Partial<TestSmtpServerOptions['tls']> | undefined, o: Partial<SmtpSubmitterOptions> = {}, serverOptions: Partial<TestSmtpServerOptions> = {}) {
    const base = { ...tlsServerOptions({ credentials: credentialsFromPem(chain.server.keyPem, chain.server.chainPem) }), ca: chain.trustBundlePem, rejectUnauthorized: true };
    const s = await server({ ...serverOptions, tls: { ...base, ...serverTls } });
    const traces: MssTrace[] = [];
    const sub = submitter(s, traces, o);
    try {
      const r = await sub.send({ raw: raw('<x@relais.test>'), messageId: '<x@relais.test>', envelope: { from: bal.address, to: ['dr.a@test.mssante.fr'] } });
      assert.equal(r.ok, false, 'the mail was sent');
      assert.equal(s.received.length, 0);
      if (r.ok) throw new Error('unreachable');
      assert.equal(r.kind, 'transient');
      assert.equal(r.scope, 'peer');
      const failed = traces.filter((t) => !t.ok);
      assert.ok(failed.length > 0, 'no failure trace');
      assert.ok(failed.some((t) => t.failure === r.code), `no trace with ${r.code}: ${JSON.stringify(failed)}`);
      assertNoSecrets(traces);
      return { r, s, traces };
    } finally {
      sub.close();
    }
  }

  it('drops a server whose DH group is 1024 bits (tls_weak_dh)', async () => {
    const { r } = await refused({ dhparam: weakDhParamsPem(), maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES256-GCM-SHA384' });
    assert.equal(r.code, 'tls_weak_dh');
  });

  it('refuses a server that only offers a suite outside the six (tls_handshake_failed)', async () => {
    const { r } = await refused({ maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384' });
    assert.equal(r.code, 'tls_handshake_failed');
  });

  it('refuses a server limited to TLS 1.1 (tls_protocol)', async () => {
    const { r } = await refused({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    assert.equal(r.code, 'tls_protocol');
  });

  it('refuses a server certificate from another chain (tls_peer_untrusted)', async () => {
    const other = await createTestChain({ keySet: 'another-igc' });
    const { r } = await refused({ key: other.server.keyPem, cert: other.server.chainPem });
    assert.equal(r.code, 'tls_peer_untrusted');
    assert.equal(r.error.code, 'RLS_MSS_TLS');
  });

  it('refuses a revoked server certificate (tls_peer_revoked)', async () => {
    const serial = new X509Certificate(chain.server.certPem).serialNumber;
    const crls = new Map([['root', await chain.issueCrl({ issuer: 'root' })], ['org', await chain.issueCrl({ issuer: 'org', revoked: [serial] })]]);
    const crl = createCrlCache({ locations: [{ url: 'http://crl.test/root.crl' }, { url: 'http://crl.test/org.crl' }], issuers: [new X509Certificate(chain.rootCaPem), new X509Certificate(chain.orgCaPem)],
      fetchCrl: async (url) => Buffer.from(crls.get(url.endsWith('root.crl') ? 'root' : 'org')!) });
    const { r } = await refused(undefined, { crl });
    assert.equal(r.code, 'tls_peer_revoked');
  });

  it('accepts the same server with valid CRLs for every CA of the chain', async () => {
    const crls = new Map([['root', await chain.issueCrl({ issuer: 'root' })], ['org', await chain.issueCrl({ issuer: 'org' })]]);
    const crl = createCrlCache({ locations: [{ url: 'http://crl.test/root.crl' }, { url: 'http://crl.test/org.crl' }], issuers: [new X509Certificate(chain.rootCaPem), new X509Certificate(chain.orgCaPem)],
      fetchCrl: async (url) => Buffer.from(crls.get(url.endsWith('root.crl') ? 'root' : 'org')!) });
    const s = await server();
    const sub = submitter(s, [], { crl, requireCrl: true });
    try {
      const r = await sub.send({ raw: raw('<c1@relais.test>'), messageId: '<c1@relais.test>', envelope: { from: bal.address, to: ['dr.a@test.mssante.fr'] } });
      assert.equal(r.ok, true, JSON.stringify(r));
    } finally {
      sub.close();
    }
  });

  it('refuses to connect when a CRL expired and no replacement can be downloaded (tls_crl_unavailable)', async () => {
    let now = new Date();
    const crls = new Map([['root', await chain.issueCrl({ issuer: 'root', nextUpdate: new Date(Date.now() + 60_000) })], ['org', await chain.issueCrl({ issuer: 'org' })]]);
    let online = true;
    const crl = createCrlCache({ locations: [{ url: 'http://crl.test/root.crl' }, { url: 'http://crl.test/org.crl' }], issuers: [new X509Certificate(chain.rootCaPem), new X509Certificate(chain.orgCaPem)],
      now: () => now, retryAfterMs: 0,
      fetchCrl: async (url) => {
        if (!online) throw new Error('connect ECONNREFUSED');
        return Buffer.from(crls.get(url.endsWith('root.crl') ? 'root' : 'org')!);
      } });
    await crl.refresh();
    online = false;
    now = new Date(Date.now() + 120_000);
    const { r, s, traces } = await refused(undefined, { crl });
    assert.equal(r.code, 'tls_crl_unavailable');
    assert.equal(s.connections, 0, 'a connection was opened');
    assert.match(traces.find((t) => !t.ok)!.response, /expired/);
  });

  it('refuses to send with an expired client certificate, before connecting (client_certificate_expired)', async () => {
    const expired = await createTestChain({ expiredLeaves: true });
    const expiredCredentials = { ...credentials, certificate: new X509Certificate(expired.authCli.certPem), notAfter: new Date(new X509Certificate(expired.authCli.certPem).validTo) };
    const { r, s } = await refused(undefined, { credentials: expiredCredentials });
    assert.equal(r.code, 'client_certificate_expired');
    assert.equal(s.connections, 0);
  });

  it('refuses a server that does not offer STARTTLS (starttls_unavailable)', async () => {
    const { r } = await refused(undefined, {}, { offerStartTls: false });
    assert.equal(r.code, 'starttls_unavailable');
  });
});
