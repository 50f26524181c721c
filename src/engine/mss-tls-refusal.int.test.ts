/**
 * An operator outside the MSSanté TLS profile (a 1024-bit DH group): Relais refuses the connection, the mail order
 * waits (retry_wait, never dead, nothing sent), and the refusal is in the traces.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticCda } from '../cda/index.js';
import { defaultVoletAConfig } from '../cisis/index.js';
import { loadConfig } from '../config/index.js';
import { buildVoletAMessage } from '../sandbox/index.js';
import { demoAuthor, demoOrganization, demoPatients } from '../sandbox/demo-patients.js';
import { mssSkip, startTestMss, type TestMss } from '../sandbox/mss/testing.js';
import { listAttempts, listDeliveries, listMssTraces } from '../store/index.js';
import { forEachDriver } from '../store/testing.js';
import { IntakeService } from './intake-service.js';
import { silentLogger } from './logger.js';
import { startMssDelivery } from './mss-delivery.js';
import { TraceWriter } from './trace-writer.js';

const skip = mssSkip();
let mss: TestMss;
if (skip) it('MSSanté TLS profile at the engine', { skip }, () => undefined);
else {
  before(async () => { mss = await startTestMss({ weak: true }); });
  after(async () => { await mss?.stop(); });
}

forEachDriver('MSSanté operator outside the TLS profile', (ctx) => {
  if (skip) return;
  it('holds the mail order in retry_wait and traces the refused handshake', async () => {
    const store = ctx.store;
    const app = mss.sandbox.mailbox('app');
    const ps = mss.sandbox.mailbox('ps');
    const config = loadConfig({ env: {
      RELAIS_MSS_SMTP: `${mss.sandbox.smtpHost}:${mss.sandbox.smtpPort}`, RELAIS_MSS_BAL: app.address, RELAIS_MSS_PASSWORD: app.password,
      RELAIS_PKI_DIR: mss.pkiDir,
    } });
    const traces = new TraceWriter({ store, retentionDays: 183, flushMs: 20 });
    const delivery = startMssDelivery(config, { store, validation: defaultVoletAConfig, log: silentLogger, version: 'test', traces });
    assert.ok(delivery);
    try {
      const intake = new IntakeService({
        store, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '990000000', log: silentLogger,
        onAccepted: () => delivery.notify(),
      });
      const patient = demoPatients[3]!;
      const id = { root: `1.2.250.1.999.12.${process.pid}.${Date.now() % 100_000}` };
      const raw = Buffer.from(buildVoletAMessage({
        structure: 'MDM', action: 'publish', controlId: `TLS${Date.now()}`, timestamp: new Date(), documentId: id,
        cdaXml: syntheticCda({ typeCode: '11490-0', patient, documentId: id, setId: id, version: 1, level: 'N3', author: demoAuthor, organization: demoOrganization }),
        typeCode: { code: '11490-0', label: 'Lettre de liaison de sortie' }, patient,
        sender: { ...demoAuthor, finess: demoOrganization.finess, orgName: demoOrganization.name },
        recipients: [{ address: ps.address }],
        flags: { DESTDMP: false, DESTMSSANTEPS: true, DESTMSSANTEPAT: false, ACK_RECEPTION: false, ACK_LECTURE_MSS: false },
      }));
      assert.equal((await intake.handle(raw, { label: 'dpi' })).ackCode, 'AA');
      let d = (await listDeliveries(store.db, {}))[0];
      for (let i = 0; i < 200 && d?.state !== 'retry_wait'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        d = (await listDeliveries(store.db, {}))[0];
      }
      assert.equal(d?.state, 'retry_wait');
      const [attempt] = await listAttempts(store.db, d!.id);
      assert.equal(attempt?.errorCode, 'tls_weak_dh');
      await traces.flush();
      const refused = (await listMssTraces(store.db, { failedOnly: true })).find((t) => /tls_weak_dh/.test(t.response));
      assert.ok(refused, 'the refused handshake is traced');
      assert.equal(mss.sandbox.deliveredTo(ps.address).length, 0, 'nothing reached the mailbox');
    } finally {
      await delivery.close({ timeoutMs: 2000 });
      await traces.close();
    }
  });
});
