import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createTestChain, createTrustStore, tlsServerOptions } from '../pki/index.js';
import { DmpClient, type DmpClientOptions } from './dmp-client.js';
import { buildMtom, parseSoapMessage } from './mtom.js';
import { fixture, identity, PATIENT_ID } from './testing.js';
import { FAILURE, MAINTENANCE_FAULT, QUERY, SUCCESS, VIHF_FAULT } from './test-samples.js';
import { verifyVihf } from './vihf.js';

const f = await fixture();
type Mode = 'success' | 'mtom-success' | 'registry-error' | 'fault' | 'maintenance' | '503' | 'garbage' | 'slow' | 'reset' | 'query';
let mode: Mode = 'success';
const seen: { path: string; contentType: string; action?: string; vihfNameId?: string; parts: number }[] = [];
const hanging: ServerResponse[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (mode === 'reset') {
    // Drop the connection as soon as the upload starts.
    req.once('data', () => req.socket.destroy());
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const msg = parseSoapMessage(req.headers['content-type'], body);
    const action = /<wsa:Action[^>]*>([^<]+)</.exec(msg.rootXml.toString())?.[1];
    seen.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', parts: msg.parts.size,
      vihfNameId: verifyVihf(msg.rootXml, f.chain.sign.certPem).nameId, ...(action === undefined ? {} : { action }) });
    const soap = { 'Content-Type': 'application/soap+xml; charset=UTF-8' };
    switch (mode) {
      case 'success': res.writeHead(200, soap).end(SUCCESS); break;
      case 'mtom-success': {
        const m = buildMtom({ rootXml: SUCCESS, parts: [], action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse', rootContentId: '0.urn:uuid:x@apache.org' });
        res.writeHead(200, { 'Content-Type': m.contentType }).end(m.body);
        break;
      }
      case 'query': res.writeHead(200, soap).end(QUERY); break;
      case 'registry-error': res.writeHead(200, soap).end(FAILURE); break;
      case 'fault': res.writeHead(500, soap).end(VIHF_FAULT); break;
      case 'maintenance': res.writeHead(500, soap).end(MAINTENANCE_FAULT); break;
      case '503': res.writeHead(503, { 'Content-Type': 'text/html' }).end('<html><body>Service Unavailable</body></html>'); break;
      case 'garbage': res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end('\u0000\u0001 not soap'); break;
      case 'slow': hanging.push(res); break;
    }
  });
}

let server: Server;
let baseUrl: string;
const clients: DmpClient[] = [];

function client(o: Partial<DmpClientOptions> = {}): DmpClient {
  const c = new DmpClient({
    baseUrl, tlsCredentials: f.authCli, trustStore: createTrustStore('dmp', f.chain.trustBundlePem),
    vihf: { ...identity, signer: f.signer }, timeoutMs: 10_000, ...o,
  });
  clients.push(c);
  return c;
}

before(async () => {
  server = createServer(tlsServerOptions({ credentials: f.server, trustStore: createTrustStore('clients', f.chain.trustBundlePem) }), handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `https://localhost:${(server.address() as AddressInfo).port}/si-dmp-server/v2/services`;
});

after(async () => {
  for (const c of clients) c.close();
  for (const r of hanging) r.destroy();
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('DmpClient over mutual TLS', () => {
  it('publishes with ITI-41 over MTOM to /repository and returns Success with the exchanged bytes', async () => {
    mode = 'success';
    const r = await client().publish(f.submission);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.equal(r.status, 'Success');
    const last = seen.at(-1);
    assert.equal(last?.path, '/si-dmp-server/v2/services/repository');
    assert.match(last?.contentType ?? '', /^multipart\/related; .*type="application\/xop\+xml"/);
    assert.equal(last?.action, 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b');
    assert.equal(last?.parts, 2);
    assert.equal(last?.vihfNameId, identity.nameId);
    assert.ok(r.exchange.request.body.length > 0);
    assert.equal(r.exchange.response?.body.toString(), SUCCESS);
    assert.match(r.exchange.messageId, /^urn:uuid:/);
  });

  it('reads an MTOM answer', async () => {
    mode = 'mtom-success';
    const r = await client().publish(f.submission);
    assert.ok(r.ok);
  });

  it('finds documents with ITI-18 on /registry as plain SOAP', async () => {
    mode = 'query';
    const r = await client().find(PATIENT_ID, { uniqueId: '1.2.250.1.999.2.2001' });
    assert.ok(r.ok);
    assert.equal(r.entries[0]?.entryUUID, 'urn:uuid:0b7b8e2c-3c1a-4d8e-9f00-1234567890ab');
    assert.equal(seen.at(-1)?.path, '/si-dmp-server/v2/services/registry');
    assert.match(seen.at(-1)?.contentType ?? '', /^application\/soap\+xml/);
  });

  it('deletes with ITI-57 UpdateDocumentSet', async () => {
    mode = 'success';
    const r = await client().delete(f.deletion);
    assert.ok(r.ok);
    assert.equal(seen.at(-1)?.action, 'urn:ihe:iti:2010:UpdateDocumentSet');
  });

  it('classifies a RegistryError Failure as refused and keeps the registry errors', async () => {
    mode = 'registry-error';
    const r = await client().publish(f.submission);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_REFUSED');
    assert.equal(r.registryErrors[0]?.errorCode, 'XDSPatientIdDoesNotMatch');
  });

  it('classifies a Sender fault as refused and a Receiver maintenance fault as unavailable', async () => {
    mode = 'fault';
    const refused = await client().publish(f.submission);
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'RLS_DMP_REFUSED');
    assert.equal(refused.fault?.code, 'Sender');
    mode = 'maintenance';
    const down = await client().publish(f.submission);
    assert.ok(!down.ok);
    assert.equal(down.error.code, 'RLS_DMP_UNAVAILABLE');
  });

  it('classifies an HTTP 503 as unavailable', async () => {
    mode = '503';
    const r = await client().publish(f.submission);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_UNAVAILABLE');
    assert.equal(r.exchange.response?.status, 503);
  });

  it('classifies a garbage 200 answer as a transient bad response', async () => {
    mode = 'garbage';
    const r = await client().publish(f.submission);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_BAD_RESPONSE');
    assert.equal(r.error.kind, 'peer_transient');
  });

  it('classifies a slow answer as a timeout after the request was sent', async () => {
    mode = 'slow';
    const r = await client({ timeoutMs: 300 }).publish(f.submission);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_TIMEOUT');
    assert.equal(r.error.details['requestSent'], true);
    assert.equal(r.exchange.response, undefined);
  });

  it('classifies a connection reset during the upload as unavailable, the request not fully sent', async () => {
    mode = 'reset';
    const big = { ...f.submission, documents: f.submission.documents.map((d, i) => i === 0 ? { ...d, content: Buffer.alloc(8 * 1024 * 1024, 0x41) } : d) };
    const r = await client().publish(big);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_UNAVAILABLE');
    assert.equal(r.error.details['requestSent'], false);
  });

  it('classifies an untrusted server certificate as a TLS failure', async () => {
    const other = await createTestChain({ keySet: 'dmp-other' });
    const r = await client({ trustStore: createTrustStore('dmp', other.trustBundlePem) }).publish(f.submission);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_TLS');
  });

  it('stops with RLS_DMP_ABORTED when the signal is aborted', async () => {
    mode = 'slow';
    const ac = new AbortController();
    const p = client().publish(f.submission, { signal: ac.signal });
    ac.abort();
    const r = await p;
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_ABORTED');
  });
});
