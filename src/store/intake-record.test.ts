import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDriver } from './testing.js';
import { metaFlags, sampleDocument } from './test-fixtures.js';
import { recordAcceptedIntake, type IntakeRecord } from './intake-record.js';
import { listDocuments } from './documents.js';
import { listDeliveries } from './deliveries.js';
import { listMessages } from './messages.js';
import type { DeliveryState } from '../domain/index.js';

function record(controlId: string, deliveryState: string = 'pending'): IntakeRecord {
  const { messageId: _unused, ...document } = sampleDocument('0', { documentId: `1.2.3.${controlId}`, flags: metaFlags({ DESTDMP: true }) });
  return {
    message: {
      direction: 'in', channel: 'hl7', peer: 'dpi@test', sendingApp: 'DPI', sendingFacility: 'CH', controlId,
      messageType: 'MDM^T02', raw: Buffer.from(`MSH|^~\\&|DPI|CH|||||MDM^T02|${controlId}`), ack: Buffer.from('MSA|AA'), ackCode: 'AA', status: 'accepted',
    },
    documents: [
      { document, deliveries: [
        { kind: 'dmp', state: 'pending' },
        { kind: 'mss_ps', recipient: 'dr@x.mssante.fr', state: deliveryState as DeliveryState },
      ] },
      { document: { ...document, documentId: `1.2.3.${controlId}.n3`, level: 'N3' }, deliveries: [{ kind: 'dmp', state: 'pending' }] },
    ],
  };
}

forEachDriver('recordAcceptedIntake', (ctx) => {
  it('writes the message, every document and every delivery in one statement', async () => {
    const r = await recordAcceptedIntake(ctx.store.db, record('A1'));
    assert.equal(r.recorded, true);
    const docs = await listDocuments(ctx.store.db, {});
    assert.deepEqual(docs.map((d) => d.documentId).sort(), ['1.2.3.A1', '1.2.3.A1.n3']);
    assert.ok(docs.every((d) => r.recorded && d.messageId === r.messageId));
    const deliveries = await listDeliveries(ctx.store.db, {});
    assert.deepEqual(deliveries.map((d) => d.kind).sort(), ['dmp', 'dmp', 'mss_ps']);
  });

  it('writes nothing and says so when the same accepted MSH-3/4/10 is recorded again', async () => {
    await recordAcceptedIntake(ctx.store.db, record('A2'));
    const again = await recordAcceptedIntake(ctx.store.db, record('A2'));
    assert.equal(again.recorded, false);
    assert.equal((await listMessages(ctx.store.db, {})).length, 1);
    assert.equal((await listDocuments(ctx.store.db, {})).length, 2);
    assert.equal((await listDeliveries(ctx.store.db, {})).length, 3);
  });

  it('leaves no message nor document behind when one delivery row is refused', async () => {
    await assert.rejects(recordAcceptedIntake(ctx.store.db, record('A3', 'lost')));
    assert.equal((await listMessages(ctx.store.db, {})).length, 0);
    assert.equal((await listDocuments(ctx.store.db, {})).length, 0);
  });
});
