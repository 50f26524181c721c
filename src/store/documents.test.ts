import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError } from '../domain/index.js';
import { getDocumentContent, getDocumentSource, insertDocument, listDocuments } from './documents.js';
import { insertMessage } from './messages.js';
import { metaFlags, sampleDocument, sampleMessage } from './test-fixtures.js';
import { forEachDriver } from './testing.js';

forEachDriver('documents', (ctx) => {
  it('gives a sender the message, document id, parent, action, historical flag and acceptance time of a document row', async () => {
    const { id: messageId } = await insertMessage(ctx.store.db, sampleMessage({ controlId: 'MSG43' }));
    const doc = sampleDocument(messageId, { action: 'replace', parentDocumentId: '1.2.250.1.999.9.1', historical: true });
    const before = Date.now() - 60_000;
    const { id } = await insertDocument(ctx.store.db, doc);
    const { createdAt, ...source } = (await getDocumentSource(ctx.store.db, id))!;
    assert.deepEqual(source, {
      messageId, documentId: doc.documentId, parentDocumentId: '1.2.250.1.999.9.1', action: 'replace', historical: true,
    });
    assert.ok(createdAt instanceof Date && createdAt.getTime() > before);
    assert.equal(await getDocumentSource(ctx.store.db, '999999'), undefined);
    assert.equal(await getDocumentSource(ctx.store.db, 'not-an-id'), undefined);
  });

  it('lists an inserted document with its message control id and every field, without the CDA', async () => {
    const { id: messageId } = await insertMessage(ctx.store.db, sampleMessage({ controlId: 'MSG42' }));
    const doc = sampleDocument(messageId, { flags: metaFlags({ MASQUE_PS: true, DESTDMP: true, ACK_LECTURE_MSS: true }) });
    const { id } = await insertDocument(ctx.store.db, doc);
    const [row, ...rest] = await listDocuments(ctx.store.db, {});
    assert.equal(rest.length, 0);
    assert.ok(row);
    const { createdAt, ...fields } = row;
    assert.ok(createdAt instanceof Date);
    assert.deepEqual(fields, {
      id,
      messageId,
      controlId: 'MSG42',
      documentId: doc.documentId,
      setId: doc.setId,
      parentDocumentId: null,
      versionNumber: '1',
      action: 'publish',
      patientIns: doc.patientIns,
      patientInsOid: doc.patientInsOid,
      insQualified: true,
      ipp: 'IPP-0001',
      typeCode: '11490-0',
      typeSystem: '2.16.840.1.113883.6.1',
      typeLabel: 'Lettre de sortie',
      title: 'Lettre de sortie',
      level: 'N3',
      flags: doc.flags,
      cdaSha256: doc.cdaSha256,
      cdaSize: doc.cda.length,
      effectiveTime: '20261126101500+0100',
      historical: false,
      finessGeo: '999999999',
    });
  });

  it('stores optional fields as null when they are left out', async () => {
    const { id: messageId } = await insertMessage(ctx.store.db, sampleMessage());
    const minimal = sampleDocument(messageId);
    for (const k of ['setId', 'parentDocumentId', 'versionNumber', 'patientIns', 'patientInsOid', 'ipp', 'typeLabel',
      'title', 'effectiveTime', 'finessGeo'] as const) delete minimal[k];
    await insertDocument(ctx.store.db, { ...minimal, insQualified: false, level: 'N1', action: 'delete', historical: true });
    const [row] = await listDocuments(ctx.store.db, {});
    assert.ok(row);
    assert.deepEqual(
      [row.setId, row.parentDocumentId, row.versionNumber, row.patientIns, row.ipp, row.title, row.effectiveTime, row.finessGeo],
      [null, null, null, null, null, null, null, null],
    );
    assert.deepEqual([row.insQualified, row.level, row.action, row.historical], [false, 'N1', 'delete', true]);
  });

  it('returns the CDA bytes unchanged', async () => {
    const { id: messageId } = await insertMessage(ctx.store.db, sampleMessage());
    const cda = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><ClinicalDocument>\xe9</ClinicalDocument>', 'latin1');
    const { id } = await insertDocument(ctx.store.db, sampleDocument(messageId, { cda }));
    assert.deepEqual(await getDocumentContent(ctx.store.db, id), cda);
    assert.equal(await getDocumentContent(ctx.store.db, '424242'), undefined);
    assert.equal(await getDocumentContent(ctx.store.db, '1; drop table document'), undefined);
  });

  it('filters by patient INS, document id and message control id', async () => {
    const m1 = await insertMessage(ctx.store.db, sampleMessage({ controlId: 'C1' }));
    const m2 = await insertMessage(ctx.store.db, sampleMessage({ controlId: 'C2' }));
    await insertDocument(ctx.store.db, sampleDocument(m1.id, { patientIns: '100000000000001', documentId: '1.2.3^A' }));
    await insertDocument(ctx.store.db, sampleDocument(m2.id, { patientIns: '100000000000001', documentId: '1.2.3^B' }));
    await insertDocument(ctx.store.db, sampleDocument(m2.id, { patientIns: '200000000000002', documentId: '1.2.3^C' }));
    const ids = async (f: Parameters<typeof listDocuments>[1]) => (await listDocuments(ctx.store.db, f)).map((d) => d.documentId);
    assert.deepEqual(await ids({ patientIns: '100000000000001' }), ['1.2.3^B', '1.2.3^A']);
    assert.deepEqual(await ids({ documentId: '1.2.3^C' }), ['1.2.3^C']);
    assert.deepEqual(await ids({ controlId: 'C2' }), ['1.2.3^C', '1.2.3^B']);
    assert.deepEqual(await ids({ controlId: 'C2', patientIns: '200000000000002' }), ['1.2.3^C']);
    assert.deepEqual(await ids({ limit: 1 }), ['1.2.3^C']);
  });

  it('rejects an unknown action, an unknown level and a malformed SHA-256 (CHECK constraints)', async () => {
    const { id: messageId } = await insertMessage(ctx.store.db, sampleMessage());
    for (const bad of [{ action: 'archive' }, { level: 'N2' }, { cdaSha256: 'ABC' }]) {
      await assert.rejects(insertDocument(ctx.store.db, sampleDocument(messageId, bad as never)), (e: unknown) =>
        isRelaisError(e) && e.code === 'RLS_BUG' && e.details.sqlState === '23514');
    }
  });

  it('rejects a document whose message does not exist (foreign key)', async () => {
    await assert.rejects(insertDocument(ctx.store.db, sampleDocument('987654')), (e: unknown) =>
      isRelaisError(e) && e.details.sqlState === '23503');
  });
});
