import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  claimInboundAnswers, listInboundMails, listInboundMdms, listInboundToMove, markInboundAnswered, markInboundAnswerRetry,
  markInboundMoved, recordInboundMail, type NewInboundMail,
} from './inbound.js';
import { claimDueNotifications, markNotificationDead, markNotificationDone } from './notifications.js';
import { forEachDriver } from './testing.js';

function mail(over: Partial<NewInboundMail> = {}): NewInboundMail {
  return {
    mailbox: 'relais@x.mssante.fr', uidValidity: '7', uid: 1, mailMessageId: '<m1@pro>', archiveSha256: 'aa', kind: 'xdm',
    state: 'dispatching', raw: Buffer.from('Subject: x\r\n\r\nbody'), peer: 'dr@pro.mssante.fr',
    documents: [
      { uniqueId: '1.2.3.1', action: 'publish', controlId: 'B1' },
      { uniqueId: '1.2.3.2', action: 'replace', controlId: 'B2' },
    ],
    mdms: [
      { kind: 'mdm_t02', payload: Buffer.from('MSH|1'), controlId: 'B1' },
      { kind: 'mdm_t10', payload: Buffer.from('MSH|2'), controlId: 'B2' },
    ],
    ...over,
  };
}

forEachDriver('inbound mails', (ctx) => {
  it('records a mail with its MDMs once: the same Message-ID and archive again is a duplicate', async () => {
    const first = await recordInboundMail(ctx.store.db, mail());
    assert.equal(first.duplicate, false);
    const again = await recordInboundMail(ctx.store.db, mail({ uid: 9 }));
    assert.deepEqual(again, { id: first.id, duplicate: true });
    const other = await recordInboundMail(ctx.store.db, mail({ archiveSha256: 'bb', uid: 10 }));
    assert.equal(other.duplicate, false);
    const [row] = await listInboundMails(ctx.store.db, { limit: 1 });
    assert.equal(row?.id, other.id);
    const all = await listInboundMails(ctx.store.db);
    const firstRow = all.find((r) => r.id === first.id);
    assert.equal(firstRow?.documents.length, 2);
  });

  it('is answerable only once every MDM is settled, and answered once', async () => {
    const { id } = await recordInboundMail(ctx.store.db, mail());
    assert.deepEqual(await claimInboundAnswers(ctx.store.db, { limit: 5, workerId: 'w', leaseMs: 60_000 }), []);
    const mdms = await claimDueNotifications(ctx.store.db, { limit: 5, workerId: 'n', leaseMs: 60_000 });
    assert.equal(mdms.length, 2);
    await markNotificationDone(ctx.store.db, mdms[0]!.id, Buffer.from('MSA|AA|B1'), { lease: mdms[0]! });
    assert.deepEqual(await claimInboundAnswers(ctx.store.db, { limit: 5, workerId: 'w', leaseMs: 60_000 }), []);
    await markNotificationDead(ctx.store.db, mdms[1]!.id, 'ack_AE', { lease: mdms[1]!, ack: Buffer.from('MSA|AE|B2') });
    const [claimed] = await claimInboundAnswers(ctx.store.db, { limit: 5, workerId: 'w', leaseMs: 60_000 });
    assert.equal(claimed?.id, id);
    assert.deepEqual(await claimInboundAnswers(ctx.store.db, { limit: 5, workerId: 'w2', leaseMs: 60_000 }), [], 'leased');
    const outcomes = await listInboundMdms(ctx.store.db, claimed!.messageRowId);
    assert.deepEqual(outcomes.map((o) => [o.controlId, o.state]), [['B1', 'done'], ['B2', 'dead']]);
    assert.equal(await markInboundAnswered(ctx.store.db, id, { outcome: 'refused', answerKind: 'mdn', errorCode: '902' }, 'other'), 0);
    assert.equal(await markInboundAnswered(ctx.store.db, id, { outcome: 'refused', answerKind: 'mdn', errorCode: '902' }, 'w'), 1);
    assert.deepEqual(await claimInboundAnswers(ctx.store.db, { limit: 5, workerId: 'w', leaseMs: 60_000 }), []);
    const [move] = await listInboundToMove(ctx.store.db, 'relais@x.mssante.fr', '7');
    assert.deepEqual([move?.id, move?.uid, move?.outcome], [id, 1, 'refused']);
    await markInboundMoved(ctx.store.db, [id], 'Erreurs');
    assert.deepEqual(await listInboundToMove(ctx.store.db, 'relais@x.mssante.fr', '7'), []);
  });

  it('retries an answer later when it could not be sent', async () => {
    const { id } = await recordInboundMail(ctx.store.db, mail({ state: 'answer_due', mdms: [], documents: [], error: { code: '906', label: 'Pas d\'archive' } }));
    const [c] = await claimInboundAnswers(ctx.store.db, { limit: 5, workerId: 'w', leaseMs: 60_000 });
    assert.equal(c?.errorCode, '906');
    assert.equal(await markInboundAnswerRetry(ctx.store.db, id, new Date(Date.now() + 3_600_000), 'smtp down', 'w'), 1);
    assert.deepEqual(await claimInboundAnswers(ctx.store.db, { limit: 5, workerId: 'w', leaseMs: 60_000 }), []);
    const [later] = await claimInboundAnswers(ctx.store.db, { limit: 5, workerId: 'w', leaseMs: 60_000, now: new Date(Date.now() + 7_200_000) });
    assert.equal(later?.answerAttempts, 2);
  });
});
