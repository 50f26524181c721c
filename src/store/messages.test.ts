import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError } from '../domain/index.js';
import { findAcceptedInbound, getMessageRaw, insertMessage, listMessages } from './messages.js';
import { isUniqueViolation } from './store-errors.js';
import { sampleMessage } from './test-fixtures.js';
import { forEachDriver } from './testing.js';

const key = { sendingApp: 'DPI', sendingFacility: 'HOPITAL', controlId: 'MSG0001' };

forEachDriver('messages', (ctx) => {
  it('lists an inserted message with every field, newest first, without the raw bytes', async () => {
    const receivedAt = new Date('2026-11-26T09:15:00.123Z');
    const first = await insertMessage(ctx.store.db, sampleMessage({ controlId: 'A1', receivedAt }));
    const second = await insertMessage(ctx.store.db, sampleMessage({
      controlId: 'A2', direction: 'out', channel: 'mail', peer: 'dr@hopital.mssante.fr', sendingApp: null,
      sendingFacility: null, messageType: null, ack: null, ackCode: null, status: 'sent', errorSummary: 'none',
    }));
    assert.match(first.id, /^\d+$/);
    const rows = await listMessages(ctx.store.db, {});
    assert.deepEqual(rows.map((r) => r.id), [second.id, first.id]);
    const a1 = rows[1];
    assert.ok(a1);
    assert.equal(a1.direction, 'in');
    assert.equal(a1.channel, 'hl7');
    assert.equal(a1.peer, 'dpi@127.0.0.1');
    assert.equal(a1.sendingApp, 'DPI');
    assert.equal(a1.sendingFacility, 'HOPITAL');
    assert.equal(a1.controlId, 'A1');
    assert.equal(a1.messageType, 'MDM^T02');
    assert.equal(a1.rawSize, sampleMessage().raw.length);
    assert.deepEqual(a1.ack, sampleMessage().ack);
    assert.equal(a1.ackCode, 'AA');
    assert.equal(a1.status, 'accepted');
    assert.equal(a1.errorSummary, null);
    assert.equal(a1.receivedAt.toISOString(), receivedAt.toISOString());
    assert.ok(a1.createdAt instanceof Date);
    assert.equal('raw' in a1, false);
    const a2 = rows[0];
    assert.ok(a2);
    assert.deepEqual([a2.direction, a2.channel, a2.sendingApp, a2.ack, a2.ackCode, a2.errorSummary], ['out', 'mail', null, null, null, 'none']);
  });

  it('returns the raw bytes unchanged, including non-UTF-8 bytes', async () => {
    const raw = Buffer.concat([Buffer.from('MSH|^~\\&|DPI|'), Buffer.from([0xe9, 0x00, 0xff, 0x0d])]);
    const { id } = await insertMessage(ctx.store.db, sampleMessage({ raw }));
    assert.deepEqual(await getMessageRaw(ctx.store.db, id), raw);
    assert.equal(await getMessageRaw(ctx.store.db, '999999'), undefined);
    assert.equal(await getMessageRaw(ctx.store.db, 'not-an-id'), undefined);
  });

  it('filters the list by control id and caps it with limit', async () => {
    for (const c of ['X', 'Y', 'X', 'X']) await insertMessage(ctx.store.db, sampleMessage({ controlId: c, ackCode: 'AE' }));
    assert.equal((await listMessages(ctx.store.db, { controlId: 'X' })).length, 3);
    assert.equal((await listMessages(ctx.store.db, { controlId: 'X', limit: 2 })).length, 2);
    assert.equal((await listMessages(ctx.store.db, { controlId: 'Z' })).length, 0);
  });

  it('finds the accepted inbound message and its ACK by MSH-3, MSH-4 and MSH-10', async () => {
    const { id } = await insertMessage(ctx.store.db, sampleMessage());
    const found = await findAcceptedInbound(ctx.store.db, key);
    assert.deepEqual(found, { id, ack: sampleMessage().ack });
    assert.equal(await findAcceptedInbound(ctx.store.db, { ...key, sendingFacility: 'OTHER' }), undefined);
  });

  it('does not offer a rejected (AE) message as an earlier acceptance', async () => {
    await insertMessage(ctx.store.db, sampleMessage({ ackCode: 'AE', status: 'rejected' }));
    assert.equal(await findAcceptedInbound(ctx.store.db, key), undefined);
  });

  it('refuses a second accepted inbound HL7 message with the same MSH-3/MSH-4/MSH-10', async () => {
    await insertMessage(ctx.store.db, sampleMessage());
    await assert.rejects(insertMessage(ctx.store.db, sampleMessage()), (e: unknown) => {
      assert.ok(isRelaisError(e));
      assert.equal(e.code, 'RLS_STORE_DUPLICATE');
      assert.equal(isUniqueViolation(e, 'message_accepted_inbound_uq'), true);
      return true;
    });
    assert.equal((await listMessages(ctx.store.db, {})).length, 1);
  });

  it('accepts a corrected resend under the MSH-10 of a rejected (AE, AR) message', async () => {
    await insertMessage(ctx.store.db, sampleMessage({ ackCode: 'AE', status: 'rejected' }));
    await insertMessage(ctx.store.db, sampleMessage({ ackCode: 'AR', status: 'unavailable' }));
    await insertMessage(ctx.store.db, sampleMessage({ ackCode: 'AE', status: 'rejected' }));
    await insertMessage(ctx.store.db, sampleMessage());
    assert.equal((await listMessages(ctx.store.db, { controlId: key.controlId })).length, 4);
  });

  it('applies the duplicate rule to inbound HL7 only: outbound, mail and other facilities pass', async () => {
    await insertMessage(ctx.store.db, sampleMessage());
    await insertMessage(ctx.store.db, sampleMessage({ direction: 'out' }));
    await insertMessage(ctx.store.db, sampleMessage({ channel: 'mail' }));
    await insertMessage(ctx.store.db, sampleMessage({ sendingFacility: 'OTHER' }));
    assert.equal((await listMessages(ctx.store.db, {})).length, 4);
  });

  it('rejects an unknown direction, channel or ACK code (CHECK constraints)', async () => {
    for (const bad of [{ direction: 'sideways' }, { channel: 'fax' }, { ackCode: 'OK' }] as const) {
      await assert.rejects(insertMessage(ctx.store.db, sampleMessage(bad as never)), (e: unknown) => {
        assert.ok(isRelaisError(e));
        assert.equal(e.code, 'RLS_BUG');
        assert.equal(e.details.sqlState, '23514');
        return true;
      });
    }
  });

  it('rejects an ACK code recorded without the ACK itself', async () => {
    await assert.rejects(insertMessage(ctx.store.db, sampleMessage({ ack: null })), (e: unknown) =>
      isRelaisError(e) && e.details.constraint === 'message_ack_check');
  });
});
