import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MllpClient, parseEr7 } from '../../hl7/index.js';
import { readVoletBAck } from '../../cisis/index.js';
import { isRelaisError } from '../../domain/index.js';
import { writeTestChain } from '../../pki/index.js';
import { DpiSandbox, parseDpiAnswer, readDpiIndex } from './dpi-sandbox.js';
import { exampleDocumentId, exampleIns, voletBMdm } from './testing.js';

describe('sandbox DPI over MLLP', () => {
  let dir = '';
  let sandbox: DpiSandbox;
  let client: MllpClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relais-dpi-sandbox-'));
    sandbox = await DpiSandbox.start({ port: 0, dataDir: join(dir, 'data') });
    client = new MllpClient({ host: sandbox.host, port: sandbox.port, ackTimeoutMs: 5_000 });
  });
  after(async () => {
    await client.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers AA by default, keeps the message verbatim and indexes it', async () => {
    const mdm = voletBMdm('C1');
    const ack = await client.send(mdm);
    assert.deepEqual(readVoletBAck(ack.toString('utf8'), 'C1'), { outcome: 'integrated' });
    const [entry] = (await sandbox.received()).filter((r) => r.controlId === 'C1');
    assert.equal(entry?.event, 'T02');
    assert.equal(entry?.documentId, exampleDocumentId);
    assert.equal(entry?.ins, exampleIns);
    assert.equal(entry?.ack, 'AA');
    assert.ok(Number.isFinite(Date.parse(entry?.receivedAt ?? '')));
    assert.equal(readFileSync(join(dir, 'data', entry?.file ?? ''), 'utf8'), mdm);
  });

  it('refuses one patient with AE 207 + 902 (ERR-2 PID^1^3) and accepts the others', async () => {
    sandbox.setPatientAnswer('299999999999999', 'AE:902');
    try {
      const refused = await client.send(voletBMdm('C2', '299999999999999'));
      assert.deepEqual(readVoletBAck(refused.toString('utf8'), 'C2'), { outcome: 'refused', code: '902', label: 'Identifiant de patient inconnu' });
      const err = parseEr7(refused).segment('ERR');
      assert.equal(err?.raw(2), 'PID^1^3');
      assert.equal(err?.raw(3), '207^Application error^messageErrorCondition');
      assert.equal(err?.get(5, 3), 'applicationErrorCode');
      assert.deepEqual(readVoletBAck((await client.send(voletBMdm('C3'))).toString('utf8'), 'C3'), { outcome: 'integrated' });
    } finally {
      sandbox.setPatientAnswer('299999999999999', undefined);
    }
    const index = await sandbox.received();
    assert.deepEqual(index.filter((r) => r.controlId === 'C2' || r.controlId === 'C3').map((r) => [r.controlId, r.ack, r.errorCode ?? '']),
      [['C2', 'AE', '902'], ['C3', 'AA', '']]);
  });

  it('answers AR, and AE 906 without a location, when told', async () => {
    sandbox.setAnswer('AR');
    const ar = await client.send(voletBMdm('C4'));
    assert.equal(readVoletBAck(ar.toString('utf8'), 'C4').outcome, 'retry');
    sandbox.setAnswer('AE:906');
    const ae = await client.send(voletBMdm('C5'));
    assert.deepEqual(readVoletBAck(ae.toString('utf8'), 'C5'), { outcome: 'refused', code: '906', label: 'Autre' });
    assert.equal(parseEr7(ae).segment('ERR')?.raw(2), '');
    sandbox.setAnswer('AA');
  });

  it('answers volet A business acks (ZAM) AA whatever it was told for MDMs', async () => {
    sandbox.setAnswer('AR');
    const zam = 'MSH|^~\\&|RELAIS|CH|DPI|CH|20261126100000||ZAM^Z01^ZAM_Z01|Z1|P|2.6|||||FRA|UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\r';
    const ack = parseEr7(await client.send(zam));
    sandbox.setAnswer('AA');
    assert.equal(ack.segment('MSA')?.get(1), 'AA');
    assert.equal(ack.messageType.event, 'Z01');
    assert.equal((await sandbox.received()).find((r) => r.controlId === 'Z1')?.event, 'Z01');
  });

  it('stays silent when told: the sender\'s ACK timeout runs out, and the message is still recorded', async () => {
    sandbox.setAnswer('silent');
    const quick = new MllpClient({ host: sandbox.host, port: sandbox.port, ackTimeoutMs: 400 });
    try {
      await assert.rejects(quick.send(voletBMdm('C6')), (e: unknown) => isRelaisError(e) && e.code === 'RLS_MLLP_ACK_TIMEOUT');
    } finally {
      await quick.close();
      sandbox.setAnswer('AA');
    }
    assert.equal((await sandbox.received()).find((r) => r.controlId === 'C6')?.ack, 'silent');
  });

  it('answers AE 100 to what it cannot parse, and still records it', async () => {
    const ack = await client.send(Buffer.from('this is not HL7'));
    assert.equal(parseEr7(ack).segment('MSA')?.get(1), 'AE');
    assert.equal(parseEr7(ack).segment('ERR')?.get(3), '100');
    const last = (await sandbox.received()).at(-1);
    assert.deepEqual([last?.event, last?.ack], ['', 'AE']);
  });

  it('keeps numbering after a restart on the same data directory', async () => {
    const before = await readDpiIndex(join(dir, 'data'));
    const again = await DpiSandbox.start({ port: 0, dataDir: join(dir, 'data') });
    const c = new MllpClient({ host: again.host, port: again.port, ackTimeoutMs: 5_000 });
    try {
      await c.send(voletBMdm('C7'));
    } finally {
      await c.close();
      await again.close();
    }
    const after = await readDpiIndex(join(dir, 'data'));
    assert.equal(after.length, before.length + 1);
    assert.equal(after.at(-1)?.seq, Math.max(...before.map((r) => r.seq)) + 1);
  });
});

describe('sandbox DPI over TLS', () => {
  it('serves MLLP over TLS with the test chain\'s server certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relais-dpi-tls-'));
    await writeTestChain(dir);
    const sandbox = await DpiSandbox.start({
      port: 0, dataDir: join(dir, 'data'),
      tls: { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
    });
    const client = new MllpClient({
      host: sandbox.host, port: sandbox.port, ackTimeoutMs: 5_000, tls: { ca: readFileSync(join(dir, 'root-ca.pem')), servername: 'localhost' },
    });
    try {
      assert.deepEqual(readVoletBAck((await client.send(voletBMdm('T1'))).toString('utf8'), 'T1'), { outcome: 'integrated' });
    } finally {
      await client.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseDpiAnswer', () => {
  it('takes AA, AR, silent and AE:<900…906>, nothing else', () => {
    for (const a of ['AA', 'AR', 'silent', 'AE:900', 'AE:906']) assert.equal(parseDpiAnswer(a), a);
    for (const a of ['AE', 'AE:207', 'AE:9021', 'CA', '']) assert.throws(() => parseDpiAnswer(a));
  });
});
