import { it } from 'node:test';
import assert from 'node:assert/strict';
import { insertDocument } from './documents.js';
import { insertMessage } from './messages.js';
import {
  claimDueNotifications, getNotificationPayload, getNotificationSource, insertNotification, listNotifications,
  markNotificationDead, markNotificationDone, markNotificationRetry,
} from './notifications.js';
import { metaFlags, sampleDocument, sampleMessage } from './test-fixtures.js';
import { forEachDriver } from './testing.js';
import type { DriverContext } from './testing.js';

async function aMessage(ctx: DriverContext): Promise<string> {
  return (await insertMessage(ctx.store.db, sampleMessage({ controlId: `MSG-${Math.random().toString(36).slice(2)}` }))).id;
}

async function aNotification(ctx: DriverContext, controlId = 'ZAM1'): Promise<string> {
  const messageId = await aMessage(ctx);
  return (await insertNotification(ctx.store.db, { messageId, kind: 'zam_z01', payload: Buffer.from(`MSH|${controlId}\r`), controlId })).id;
}

const claim = (ctx: DriverContext, workerId = 'w1', now?: Date) =>
  claimDueNotifications(ctx.store.db, { limit: 10, workerId, leaseMs: 60_000, ...(now ? { now } : {}) });

forEachDriver('notifications', (ctx) => {
  it('claims a pending notification once with its payload and counts the attempt', async () => {
    const id = await aNotification(ctx);
    const [c] = await claim(ctx);
    assert.equal(c?.id, id);
    assert.equal(c?.payload.toString(), 'MSH|ZAM1\r');
    assert.equal(c?.attemptCount, 1);
    assert.equal(c?.claimedBy, 'w1');
    assert.deepEqual(await claim(ctx, 'w2'), []);
    assert.equal((await listNotifications(ctx.store.db))[0]?.state, 'in_flight');
  });

  it('never gives one notification to two concurrent claimers', async () => {
    for (let i = 0; i < 6; i++) await aNotification(ctx, `Z${i}`);
    const other = await ctx.open();
    const [a, b] = await Promise.all([
      claimDueNotifications(ctx.store.db, { limit: 4, workerId: 'a', leaseMs: 60_000 }),
      claimDueNotifications(other.db, { limit: 4, workerId: 'b', leaseMs: 60_000 }),
    ]);
    const ids = [...a, ...b].map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 6);
  });

  it('marks a claimed notification done and keeps the ACK verbatim', async () => {
    await aNotification(ctx);
    const [c] = await claim(ctx);
    assert.ok(c);
    const ack = Buffer.from('MSH|^~\\&|DPI\rMSA|AA|ZAM1\r');
    assert.equal(await markNotificationDone(ctx.store.db, c.id, ack, { lease: c }), 1);
    const [row] = await listNotifications(ctx.store.db);
    assert.equal(row?.state, 'done');
    assert.deepEqual(row?.ack, ack);
    assert.deepEqual(await claim(ctx), []);
  });

  it('claims a retry only once its next attempt time has come', async () => {
    await aNotification(ctx);
    const [c] = await claim(ctx);
    assert.ok(c);
    const next = new Date(Date.now() + 60_000);
    assert.equal(await markNotificationRetry(ctx.store.db, c.id, next, 'AE', { lease: c }), 1);
    assert.deepEqual(await claim(ctx), []);
    const [again] = await claim(ctx, 'w1', new Date(next.getTime() + 1000));
    assert.equal(again?.attemptCount, 2);
    assert.equal((await listNotifications(ctx.store.db))[0]?.lastError, 'AE');
  });

  it('marks a notification dead and does not claim it again', async () => {
    await aNotification(ctx);
    const [c] = await claim(ctx);
    assert.ok(c);
    assert.equal(await markNotificationDead(ctx.store.db, c.id, 'max_attempts', { lease: c }), 1);
    assert.equal((await listNotifications(ctx.store.db, { state: 'dead' })).length, 1);
    assert.deepEqual(await claim(ctx, 'w1', new Date(Date.now() + 86_400_000)), []);
  });

  it('moves nothing when the lease was taken over after it expired', async () => {
    await aNotification(ctx);
    const [c] = await claim(ctx);
    assert.ok(c);
    const [taken] = await claim(ctx, 'w2', new Date(Date.now() + 120_000));
    assert.equal(taken?.id, c.id);
    assert.equal(taken?.attemptCount, 2);
    assert.equal(await markNotificationDone(ctx.store.db, c.id, Buffer.from('late'), { lease: c }), 0);
    assert.equal(await markNotificationDone(ctx.store.db, c.id, Buffer.from('ok'), { lease: taken }), 1);
  });

  it('refuses a state outside the CHECK list', async () => {
    const messageId = await aMessage(ctx);
    await assert.rejects(ctx.store.db.insertInto('notification').values({
      message_id: messageId, kind: 'zam_z01', payload: Buffer.from('x'), control_id: 'c',
      state: 'sent' as unknown as 'pending',
    }).execute());
  });

  it('finds the request header and flags behind a document row', async () => {
    const messageId = (await insertMessage(ctx.store.db, sampleMessage({ controlId: 'REQ-7', sendingApp: 'DPI-A', sendingFacility: 'CHU' }))).id;
    const { id } = await insertDocument(ctx.store.db, sampleDocument(messageId, { flags: metaFlags({ DESTDMP: true, ACK_RECEPTION: true }) }));
    const s = await getNotificationSource(ctx.store.db, id);
    assert.equal(s?.messageId, messageId);
    assert.equal(s?.controlId, 'REQ-7');
    assert.equal(s?.sendingApp, 'DPI-A');
    assert.equal(s?.sendingFacility, 'CHU');
    assert.equal(s?.flags.ACK_RECEPTION, true);
    assert.equal(await getNotificationSource(ctx.store.db, '999999'), undefined);
  });

  it('lists by message and returns the payload by id', async () => {
    const id = await aNotification(ctx, 'ZZ');
    const [row] = await listNotifications(ctx.store.db);
    assert.ok(row);
    assert.equal((await listNotifications(ctx.store.db, { messageId: row.messageId })).length, 1);
    assert.equal((await listNotifications(ctx.store.db, { messageId: '999999' })).length, 0);
    assert.equal((await getNotificationPayload(ctx.store.db, id))?.toString(), 'MSH|ZZ\r');
  });
});
