import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect } from 'node:tls';
import { once } from 'node:events';
import {
  DmpClient, SOAP_ACTION, buildMtom, buildVihf, classifyAnswer, parseSoapAnswer, soapEnvelope, vihfPatientFromXds, type DmpClientOptions,
} from '../../dmp/index.js';
import { createTestChain, createTrustStore, credentialsFromPem } from '../../pki/index.js';
import { XDS_STATUS, provideAndRegisterXml, type XdsSubmission } from '../../xds/index.js';
import { DmpSandbox } from './dmp-sandbox.js';
import { readEntries } from './registry-store.js';
import { PATIENT_ID, deletionFor, identity, postRaw, sandboxFixture, submissionFor, tempDataDir } from './testing.js';

const f = await sandboxFixture();
const dataDir = tempDataDir();
let sandbox: DmpSandbox;
const clients: DmpClient[] = [];

function client(o: Partial<DmpClientOptions> = {}): DmpClient {
  const c = new DmpClient({
    baseUrl: sandbox.baseUrl, tlsCredentials: f.authCli, trustStore: f.trust,
    vihf: { ...identity, signer: f.signer }, timeoutMs: 10_000, ...o,
  });
  clients.push(c);
  return c;
}

/** An ITI-41 as DmpClient sends it, with `edit` applied to the envelope text before framing. */
function rawPublish(s: XdsSubmission, edit: (xml: string) => string): Promise<{ status: number; contentType: string; body: Buffer }> {
  const pnr = provideAndRegisterXml(s);
  const url = `${sandbox.baseUrl}/repository`;
  const vihf = buildVihf({ ...identity, signer: f.signer, patient: vihfPatientFromXds(PATIENT_ID) });
  const envelope = soapEnvelope({ action: SOAP_ACTION.provideAndRegister, to: url, vihf, body: pnr.xml });
  const m = buildMtom({ rootXml: edit(envelope.xml), parts: pnr.parts, action: SOAP_ACTION.provideAndRegister });
  return postRaw(url, f.authCli, f.trust, m.contentType, m.body);
}

before(async () => {
  sandbox = await DmpSandbox.start({ port: 0, credentials: f.server, trustStore: f.trust, dataDir, adminPort: 0 });
});

after(async () => {
  for (const c of clients) c.close();
  await sandbox.close();
});

describe('DmpSandbox with the real DmpClient', () => {
  it('accepts a new document with its signature and lists both entries as Approved', async () => {
    const r = await client().publish(submissionFor(f, { documentId: '1.2.250.1.999.2.100' }));
    assert.ok(r.ok, r.ok ? '' : `${r.error.code} ${JSON.stringify(r.registryErrors)} ${r.fault?.reason ?? ''}`);
    assert.equal(r.status, 'Success');
    const doc = sandbox.list().find((e) => e.uniqueId === '1.2.250.1.999.2.100');
    assert.equal(doc?.status, XDS_STATUS.approved);
    assert.equal(doc?.patientId, PATIENT_ID);
    assert.equal(doc?.typeCode, '11490-0');
    assert.match(doc?.entryUUID ?? '', /^urn:uuid:/);
    assert.ok(doc?.receivedAt);
    assert.ok(sandbox.list().some((e) => e.uniqueId === '1.2.250.1.999.2.100.1' && e.kind === 'signature'));
    const onDisk = await readEntries(dataDir);
    assert.ok(onDisk.some((e) => e.uniqueId === '1.2.250.1.999.2.100'));
  });

  it('refuses the same uniqueId again with a duplicate RegistryError', async () => {
    const r = await client().publish(submissionFor(f, { documentId: '1.2.250.1.999.2.100' }));
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_REFUSED');
    assert.ok(r.registryErrors.some((e) => e.errorCode === 'XDSDuplicateUniqueIdInRegistry'), JSON.stringify(r.registryErrors));
  });

  it('finds a document by uniqueId with its entryUUID, status and patient', async () => {
    const r = await client().find(PATIENT_ID, { uniqueId: '1.2.250.1.999.2.100' });
    assert.ok(r.ok);
    assert.equal(r.entries.length, 1);
    assert.equal(r.entries[0]?.uniqueId, '1.2.250.1.999.2.100');
    assert.equal(r.entries[0]?.status, XDS_STATUS.approved);
    assert.equal(r.entries[0]?.patientId, PATIENT_ID);
    assert.equal(r.entries[0]?.entryUUID, sandbox.list().find((e) => e.uniqueId === '1.2.250.1.999.2.100')?.entryUUID);
  });

  it('replaces an Approved entry: the old one becomes Deprecated, the new one Approved', async () => {
    const found = await client().find(PATIENT_ID, { uniqueId: '1.2.250.1.999.2.100' });
    assert.ok(found.ok);
    const old = found.entries[0]?.entryUUID ?? '';
    const r = await client().replace(submissionFor(f, { documentId: '1.2.250.1.999.2.101', replaces: { uniqueId: '1.2.250.1.999.2.100', entryUUID: old } }));
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.registryErrors));
    const list = sandbox.list();
    assert.equal(list.find((e) => e.entryUUID === old)?.status, XDS_STATUS.deprecated);
    assert.equal(list.find((e) => e.uniqueId === '1.2.250.1.999.2.101')?.status, XDS_STATUS.approved);
    assert.equal(list.find((e) => e.uniqueId === '1.2.250.1.999.2.101')?.replaces, old);
  });

  it('refuses a replacement of an entry that is no longer Approved', async () => {
    const old = sandbox.list().find((e) => e.uniqueId === '1.2.250.1.999.2.100')?.entryUUID ?? '';
    const r = await client().replace(submissionFor(f, { documentId: '1.2.250.1.999.2.102', replaces: { uniqueId: '1.2.250.1.999.2.100', entryUUID: old } }));
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_REFUSED');
    assert.equal(sandbox.list().find((e) => e.uniqueId === '1.2.250.1.999.2.102'), undefined);
  });

  it('finds only Approved entries of the patient by default', async () => {
    const r = await client().find(PATIENT_ID);
    assert.ok(r.ok);
    assert.ok(r.entries.some((e) => e.uniqueId === '1.2.250.1.999.2.101'));
    assert.ok(r.entries.every((e) => e.status === XDS_STATUS.approved));
  });

  it('deletes an existing entry with ITI-57: its status becomes Deleted', async () => {
    const entry = sandbox.list().find((e) => e.uniqueId === '1.2.250.1.999.2.101');
    const r = await client().delete(deletionFor(entry?.entryUUID ?? ''));
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.registryErrors));
    assert.equal(sandbox.list().find((e) => e.uniqueId === '1.2.250.1.999.2.101')?.status, XDS_STATUS.dmpDeleted);
  });

  it('refuses the deletion of an unknown entry', async () => {
    const r = await client().delete(deletionFor('urn:uuid:00000000-0000-4000-8000-000000000000'));
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_REFUSED');
    assert.equal(r.registryErrors[0]?.errorCode, 'UnresolvedReferenceException');
  });

  it('refuses a uniqueId with an extension with a metadata RegistryError', async () => {
    const s = submissionFor(f, { documentId: '1.2.250.1.999.2.110' });
    const bad = { ...s, documentEntries: s.documentEntries.map((e, i) => i === 0 ? { ...e, uniqueId: '1.2.250.1.999.2.110^X1' } : e) };
    const r = await client().publish(bad);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_REFUSED');
    assert.ok(r.registryErrors.some((e) => e.errorCode === 'XDSRegistryMetadataError' && e.codeContext.includes('uniqueId')));
  });

  it('refuses a creationTime with a time-zone offset', async () => {
    const r = await rawPublish(submissionFor(f, { documentId: '1.2.250.1.999.2.111' }),
      (xml) => xml.replace(/(<rim:Slot name="creationTime"><rim:ValueList><rim:Value>)(\d{14})/, '$1$2+0100'));
    const c = classifyAnswer(r.status, r.contentType, r.body);
    assert.ok(!c.ok);
    assert.equal(c.error.code, 'RLS_DMP_REFUSED');
    assert.ok(c.answer?.kind === 'registry' && c.answer.errors.some((e) => e.codeContext.includes('creationTime')));
  });

  it('refuses a submission whose hash does not match the attached CDA', async () => {
    const s = submissionFor(f, { documentId: '1.2.250.1.999.2.112' });
    const bad = { ...s, documentEntries: s.documentEntries.map((e, i) => i === 0 ? { ...e, hash: '0'.repeat(40) } : e) };
    const r = await client().publish(bad);
    assert.ok(!r.ok);
    assert.ok(r.registryErrors.some((e) => e.errorCode === 'XDSNonIdenticalHash'));
  });

  it('refuses a submission without the signs association of the signature entry', async () => {
    const s = submissionFor(f, { documentId: '1.2.250.1.999.2.113' });
    const r = await client().publish({ ...s, associations: s.associations.filter((a) => a.kind !== 'signs') });
    assert.ok(!r.ok);
    assert.ok(r.registryErrors.some((e) => e.codeContext.includes('signs')));
  });

  it('answers a Sender SOAP Fault to a tampered VIHF', async () => {
    const r = await rawPublish(submissionFor(f, { documentId: '1.2.250.1.999.2.120' }),
      (xml) => xml.replace('<saml:AttributeValue>1990000000</saml:AttributeValue>', '<saml:AttributeValue>1990000001</saml:AttributeValue>'));
    const answer = parseSoapAnswer(r.body);
    assert.equal(answer.kind, 'fault');
    assert.equal(answer.kind === 'fault' ? answer.code : '', 'Sender');
    const c = classifyAnswer(r.status, r.contentType, r.body);
    assert.ok(!c.ok);
    assert.equal(c.error.code, 'RLS_DMP_REFUSED');
    assert.equal(sandbox.list().find((e) => e.uniqueId === '1.2.250.1.999.2.120'), undefined);
  });

  it('answers a Sender SOAP Fault to a VIHF signed by a certificate of another chain', async () => {
    const other = await createTestChain({ keySet: 'sandbox-other' });
    const r = await client({ vihf: { ...identity, signer: credentialsFromPem(other.sign.keyPem, other.sign.chainPem) } })
      .publish(submissionFor(f, { documentId: '1.2.250.1.999.2.121' }));
    assert.ok(!r.ok);
    assert.equal(r.fault?.code, 'Sender');
  });

  it('answers a Sender SOAP Fault when the wsa:Action does not match the service', async () => {
    const r = await rawPublish(submissionFor(f, { documentId: '1.2.250.1.999.2.122' }),
      (xml) => xml.replace(`>${SOAP_ACTION.provideAndRegister}<`, `>${SOAP_ACTION.updateDocumentSet}<`));
    const answer = parseSoapAnswer(r.body);
    assert.ok(answer.kind === 'fault');
    assert.equal(answer.code, 'Sender');
    assert.deepEqual(answer.subcodes, ['wsa:ActionNotSupported']);
  });

  it('refuses a client certificate from another chain before any request is read', async () => {
    const other = await createTestChain({ keySet: 'sandbox-other' });
    const before = readdirSync(join(dataDir, 'requests')).length;
    const r = await client({ tlsCredentials: credentialsFromPem(other.authCli.keyPem, other.authCli.chainPem) })
      .publish(submissionFor(f, { documentId: '1.2.250.1.999.2.130' }));
    assert.ok(!r.ok);
    // Under TLS 1.3 the client finishes its handshake before the server's alert, which then reads as a reset.
    assert.ok(['RLS_DMP_TLS', 'RLS_DMP_UNAVAILABLE'].includes(r.error.code), r.error.code);
    assert.equal(r.exchange.response, undefined);
    assert.equal(readdirSync(join(dataDir, 'requests')).length, before);
  });

  it('fails the TLS 1.2 handshake of a client certificate from another chain', async () => {
    const other = await createTestChain({ keySet: 'sandbox-other' });
    const socket = connect({
      host: '127.0.0.1', port: sandbox.port, servername: 'localhost', maxVersion: 'TLSv1.2', ca: f.trust.caPem,
      key: other.authCli.keyPem, cert: other.authCli.chainPem,
    });
    let secure = false;
    socket.on('secureConnect', () => { secure = true; });
    const [e] = await once(socket, 'error') as [NodeJS.ErrnoException];
    // Under TLS 1.2 the server checks the client certificate before its Finished: no secure connection ever.
    assert.equal(secure, false);
    assert.match(e.code ?? '', /^(ERR_SSL_|ECONNRESET$)/);
  });

  it('keeps every request verbatim on disk', async () => {
    const r = await client().find(PATIENT_ID, { uniqueId: '1.2.250.1.999.2.100' });
    assert.ok(r.ok);
    const dir = join(dataDir, 'requests');
    const last = readdirSync(dir).sort().at(-1) ?? '';
    assert.match(last, /^\d{8}T\d{9}Z-\d{6}\.http$/);
    const bytes = readFileSync(join(dir, last));
    const split = bytes.indexOf('\r\n\r\n');
    assert.match(bytes.subarray(0, split).toString('latin1'), /^POST \/si-dmp-server\/v2\/services\/registry HTTP\/1\.1\r\n/);
    assert.ok(bytes.subarray(split + 4).equals(r.exchange.request.body));
  });
});

describe('DmpSandbox fault injection', () => {
  it('answers HTTP 503, which DmpClient classifies as unavailable', async () => {
    sandbox.setFault({ mode: 'status', status: 503 });
    const r = await client().find(PATIENT_ID);
    sandbox.setFault({ mode: 'none' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_UNAVAILABLE');
    assert.equal(r.exchange.response?.status, 503);
  });

  it('answers the injected RegistryError, which DmpClient classifies as refused', async () => {
    sandbox.setFault({ mode: 'registryError', errorCode: 'DMP_PATIENT_OPPOSED' });
    const r = await client().publish(submissionFor(f, { documentId: '1.2.250.1.999.2.140' }));
    sandbox.setFault({ mode: 'none' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_REFUSED');
    assert.equal(r.registryErrors[0]?.errorCode, 'DMP_PATIENT_OPPOSED');
  });

  it('answers garbage, which DmpClient classifies as a bad response', async () => {
    sandbox.setFault({ mode: 'garbage' });
    const r = await client().find(PATIENT_ID);
    sandbox.setFault({ mode: 'none' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_BAD_RESPONSE');
  });

  it('closes the connection when down, which DmpClient classifies as unavailable', async () => {
    sandbox.setFault({ mode: 'down' });
    const r = await client().find(PATIENT_ID);
    sandbox.setFault({ mode: 'none' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_UNAVAILABLE');
  });

  it('answers late when slow, which DmpClient classifies as a timeout', async () => {
    sandbox.setFault({ mode: 'slow', delayMs: 5_000 });
    const r = await client({ timeoutMs: 200 }).find(PATIENT_ID);
    sandbox.setFault({ mode: 'none' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RLS_DMP_TIMEOUT');
  });

  it('sets a fault over the plain-HTTP admin port and refuses an unknown mode', async () => {
    const post = (json: string) => new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: sandbox.adminPort, path: '/_sandbox/fault', method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(json);
    });
    assert.equal(await post('{"mode":"status","status":503}'), 200);
    assert.deepEqual(sandbox.fault, { mode: 'status', status: 503 });
    assert.equal(await post('{"mode":"explode"}'), 400);
    assert.equal(await post('{"mode":"none"}'), 200);
    assert.deepEqual(sandbox.fault, { mode: 'none' });
  });
});

describe('DmpSandbox state', () => {
  it('reloads entries.json when started again on the same data directory', async () => {
    const again = await DmpSandbox.start({ port: 0, credentials: f.server, trustStore: createTrustStore('s', f.chain.trustBundlePem), dataDir });
    try {
      assert.deepEqual(again.list(), sandbox.list());
    } finally {
      await again.close();
    }
  });
});
