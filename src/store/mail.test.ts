import { it } from 'node:test';
import assert from 'node:assert/strict';
import { insertDeliveries, listDeliveries } from './deliveries.js';
import { insertDocument } from './documents.js';
import {
  advanceMailboxCursor, findDeliveriesByMailMessageId, fixMailMessageId, getMailboxCursor, insertMssTraces,
  listMailReceipts, listMssTraces, MAX_TRACE_TEXT, purgeMssTraces, recordMailReceipt,
} from './mail.js';
import { insertMessage } from './messages.js';
import { sampleDocument, sampleMessage } from './test-fixtures.js';
import { forEachDriver } from './testing.js';
import type { DriverContext } from './testing.js';

async function aMailDelivery(ctx: DriverContext, recipient = 'dr.martin@pro.test.mssante.fr'): Promise<string> {
  const { id: messageId } = await insertMessage(ctx.store.db, sampleMessage({ controlId: `M-${Math.random().toString(36).slice(2)}` }));
  const { id: documentRowId } = await insertDocument(ctx.store.db, sampleDocument(messageId, {
    documentId: `1.2.250.1.999.1.2.3.${Math.floor(Math.random() * 1e9)}`,
  }));
  await insertDeliveries(ctx.store.db, [{ documentRowId, kind: 'mss_ps', state: 'pending', recipient }]);
  const [row] = await listDeliveries(ctx.store.db, { documentRowId });
  assert.ok(row);
  return row.id;
}

forEachDriver('mail bookkeeping', (ctx) => {
  it('fixes a delivery Message-ID once: a retry gets the first one back', async () => {
    const id = await aMailDelivery(ctx);
    assert.equal(await fixMailMessageId(ctx.store.db, id, '<a@relais>'), '<a@relais>');
    assert.equal(await fixMailMessageId(ctx.store.db, id, '<b@relais>'), '<a@relais>');
    const [found] = await findDeliveriesByMailMessageId(ctx.store.db, '<a@relais>');
    assert.equal(found?.deliveryId, id);
    assert.equal(found?.recipient, 'dr.martin@pro.test.mssante.fr');
    assert.deepEqual(await findDeliveriesByMailMessageId(ctx.store.db, '<b@relais>'), []);
  });

  it('records a receipt once even when the same report is read twice', async () => {
    const id = await aMailDelivery(ctx);
    const r = { deliveryId: id, kind: 'dsn' as const, status: 'failed', code: '550', detail: '5.1.1 unknown user', reportMessageId: '<dsn1@mta>' };
    assert.equal(await recordMailReceipt(ctx.store.db, r), true);
    assert.equal(await recordMailReceipt(ctx.store.db, r), false);
    assert.equal(await recordMailReceipt(ctx.store.db, { ...r, kind: 'mdn', status: 'displayed', code: null, reportMessageId: '<mdn1@mua>' }), true);
    const rows = await listMailReceipts(ctx.store.db, id);
    assert.deepEqual(rows.map((x) => [x.kind, x.status, x.code]), [['dsn', 'failed', '550'], ['mdn', 'displayed', null]]);
  });

  it('keeps traces newest first, filters them, clips long texts and purges by age', async () => {
    const old = new Date('2026-01-01T10:00:00Z');
    const recent = new Date('2026-11-20T10:00:00Z');
    await insertMssTraces(ctx.store.db, [
      { at: old, actor: 'relais@x.mssante.fr', protocol: 'smtp', action: 'send', request: 'MAIL FROM:<relais@x.mssante.fr>', response: '250 2.1.0 Ok', ok: true, mailMessageId: '<m1@x>', durationMs: 12.6 },
      { at: recent, actor: 'relais@x.mssante.fr', protocol: 'imap', action: 'fetch', request: 'UID FETCH 1:*', response: 'x'.repeat(MAX_TRACE_TEXT + 50), ok: false },
    ]);
    const all = await listMssTraces(ctx.store.db);
    assert.deepEqual(all.map((t) => t.action), ['fetch', 'send']);
    assert.equal(all[0]?.response.length, MAX_TRACE_TEXT);
    assert.equal(all[1]?.durationMs, 13);
    assert.deepEqual((await listMssTraces(ctx.store.db, { failedOnly: true })).map((t) => t.protocol), ['imap']);
    assert.deepEqual((await listMssTraces(ctx.store.db, { mailMessageId: '<m1@x>' })).map((t) => t.action), ['send']);
    assert.equal(await purgeMssTraces(ctx.store.db, new Date('2026-06-01T00:00:00Z')), 1);
    assert.deepEqual((await listMssTraces(ctx.store.db)).map((t) => t.action), ['fetch']);
  });

  it('moves a mailbox cursor forward only, and resets it when UIDVALIDITY changes', async () => {
    assert.equal(await getMailboxCursor(ctx.store.db, 'relais@x', 'INBOX'), undefined);
    await advanceMailboxCursor(ctx.store.db, 'relais@x', 'INBOX', { uidValidity: '77', lastUid: 10 });
    await advanceMailboxCursor(ctx.store.db, 'relais@x', 'INBOX', { uidValidity: '77', lastUid: 4 });
    assert.deepEqual(await getMailboxCursor(ctx.store.db, 'relais@x', 'INBOX'), { uidValidity: '77', lastUid: 10 });
    await advanceMailboxCursor(ctx.store.db, 'relais@x', 'INBOX', { uidValidity: '78', lastUid: 2 });
    assert.deepEqual(await getMailboxCursor(ctx.store.db, 'relais@x', 'INBOX'), { uidValidity: '78', lastUid: 2 });
  });
});
