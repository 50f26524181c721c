import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { forEachDriver } from '../store/testing.js';
import { listDeliveries, listDocuments, listMessages } from '../store/index.js';
import { defaultVoletAConfig } from '../cisis/index.js';
import { parseEr7 } from '../hl7/index.js';
import { syntheticCda } from '../cda/index.js';
import { buildVoletAMessage, demoAuthor, demoOrganization, demoPatients } from '../sandbox/index.js';
import { IntakeService } from './intake-service.js';
import { silentLogger } from './logger.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const mdmInit = join(shared, 'vectors/ans-hl7v2-exemples/Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/MDM/Transmission initiale MDM/message_MDM_CR_Radio_INIT_N1_Base64.er7');
const peer = { label: 'dpi@127.0.0.1' };

function message(controlId: string, options: { cdaPatient?: number; patientMailbox?: boolean } = {}): Buffer {
  const patient = demoPatients[0]!;
  const root = `1.2.250.1.999.3.${controlId}`;
  const cdaXml = syntheticCda({
    typeCode: '11490-0', patient: demoPatients[options.cdaPatient ?? 0]!, documentId: { root }, level: 'N3', pdfBytes: 2000,
    effectiveTime: new Date('2026-11-25T10:00:00Z'), author: demoAuthor, organization: demoOrganization,
  });
  return Buffer.from(buildVoletAMessage({
    structure: 'MDM', action: 'publish', controlId, timestamp: new Date('2026-11-25T11:00:00Z'), cdaXml, documentId: { root },
    typeCode: { code: '11490-0', label: 'Lettre de liaison de sortie' }, patient,
    sender: { ...demoAuthor, finess: demoOrganization.finess, orgName: demoOrganization.name },
    recipients: [{ address: 'dr.lemaire@demo-ville.mssante.fr' }], patientMailbox: options.patientMailbox ?? false,
    flags: { DESTDMP: true, DESTMSSANTEPS: true, DESTMSSANTEPAT: options.patientMailbox ?? false },
  }));
}

function msa(ack: Buffer): { code: string; controlId: string; err: string[] } {
  const m = parseEr7(ack);
  return {
    code: m.segment('MSA')!.get(1), controlId: m.segment('MSA')!.get(2),
    err: m.all('ERR').map((e) => `${e.get(3, 1)}${e.get(5, 1) ? '/' + e.get(5, 1) : ''}@${e.get(2, 1)}^${e.get(2, 2)}^${e.get(2, 3)}`),
  };
}

forEachDriver('intake', (ctx) => {
  const intake = () => new IntakeService({
    store: ctx.store, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '750000010', log: silentLogger,
  });

  it('answers AA only with the message, its document and one delivery per destination committed', async () => {
    const r = await intake().handle(message('I1', { patientMailbox: true }), peer);
    assert.equal(r.ackCode, 'AA');
    assert.deepEqual(msa(r.ack), { code: 'AA', controlId: 'I1', err: [] });
    const docs = await listDocuments(ctx.store.db, {});
    assert.equal(docs.length, 1);
    assert.equal(docs[0]!.controlId, 'I1');
    assert.equal(docs[0]!.patientIns, demoPatients[0]!.ins);
    assert.equal(docs[0]!.typeCode, '11490-0');
    const deliveries = await listDeliveries(ctx.store.db, {});
    assert.deepEqual(deliveries.map((d) => `${d.kind}:${d.recipient ?? ''}:${d.state}`).sort(), [
      'dmp::pending',
      `mss_patient:${demoPatients[0]!.ins}@patient.mssante.fr:pending`,
      'mss_ps:dr.lemaire@demo-ville.mssante.fr:pending',
    ]);
  });

  it('answers a resent MSH-10 with the same ACK bytes and stores no second document', async () => {
    const service = intake();
    const first = await service.handle(message('I2'), peer);
    const again = await service.handle(message('I2'), peer);
    assert.equal(again.outcome, 'duplicate');
    assert.ok(first.ack.equals(again.ack));
    assert.equal((await listDocuments(ctx.store.db, {})).length, 1);
  });

  it('stores one document when two copies of a message race on two nodes', async () => {
    const other = await ctx.open();
    const a = new IntakeService({ store: ctx.store, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '750000010', log: silentLogger });
    const b = new IntakeService({ store: other, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '750000010', log: silentLogger });
    const [ra, rb] = await Promise.all([a.handle(message('I3'), peer), b.handle(message('I3'), peer)]);
    assert.equal(ra.ackCode, 'AA');
    assert.equal(rb.ackCode, 'AA');
    assert.ok(ra.ack.equals(rb.ack), 'both copies get the ACK that was committed');
    assert.equal((await listDocuments(ctx.store.db, {})).length, 1);
  });

  it('answers AE 207 PATIENT_MISMATCH at PID^1^3 and keeps the rejected message, but no document', async () => {
    const r = await intake().handle(message('I4', { cdaPatient: 2 }), peer);
    assert.equal(r.ackCode, 'AE');
    assert.ok(msa(r.ack).err.some((e) => e.startsWith('207/PATIENT_MISMATCH@PID^1^3')), msa(r.ack).err.join(' '));
    assert.equal((await listDocuments(ctx.store.db, {})).length, 0);
    const stored = await listMessages(ctx.store.db, { controlId: 'I4' });
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.status, 'rejected');
    assert.equal(stored[0]!.ackCode, 'AE');
  });

  it('validates a corrected message resent with the MSH-10 of a rejected one', async () => {
    const service = intake();
    assert.equal((await service.handle(message('I5', { cdaPatient: 2 }), peer)).ackCode, 'AE');
    assert.equal((await service.handle(message('I5'), peer)).ackCode, 'AA');
  });

  it('answers AE with MSA-2 from the header when the bytes do not parse', async () => {
    const bytes = Buffer.from('MSH|^~\\&|DPI|CH|RELAIS|CH|20261125||MDM^T02^MDM_T02|BAD1|P|2.6|||||FRA|UNICODE UTF-8\rPID|||\xe9t\xe9', 'latin1');
    const r = await intake().handle(bytes, peer);
    assert.equal(r.ackCode, 'AE');
    const ack = msa(r.ack);
    assert.equal(ack.controlId, 'BAD1');
    assert.ok(ack.err.some((e) => e.startsWith('102@MSH^1^18')), ack.err.join(' '));
  });

  it('accepts the ANS MDM^T02 example carrying a real CDA N1', async () => {
    const r = await intake().handle(readFileSync(mdmInit), peer);
    assert.equal(r.ackCode, 'AA');
    const docs = await listDocuments(ctx.store.db, {});
    assert.equal(docs[0]!.patientIns, '279035121518989');
  });

  it('answers AR, never AA, when the store is unavailable', async () => {
    const gone = await ctx.open();
    await gone.close();
    const service = new IntakeService({ store: gone, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '750000010', log: silentLogger });
    const r = await service.handle(message('I6'), peer);
    assert.equal(r.ackCode, 'AR');
    assert.deepEqual(msa(r.ack).err.map((e) => e.split('@')[0]), ['207/STORE_UNAVAILABLE']);
  });
});
