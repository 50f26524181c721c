import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readCdaHeader, syntheticCda } from '../cda/index.js';
import { isRelaisError, type RelaisError } from '../domain/index.js';
import { pdfForCda } from './pdf-for-cda.js';
import { createPdfRenderPool, type PdfRenderer } from './render-pool.js';
import { EXIT_ROOT } from './testing/exiting-render-worker.js';
import { largeN3Cda } from './testing/large-n3.js';

const creationDate = new Date('2025-03-01T08:00:00Z');
const patient = {
  ins: '248000000000001', insOid: '1.2.250.1.213.1.4.10', ipp: 'IPP-42', ippAuthority: '1.2.250.1.999.1',
  family: 'FICTIF', given: ['Anaïs'], gender: 'F' as const, birthDate: '19800214', birthPlace: '63113',
};
const pools: PdfRenderer[] = [];
function pool(o: Parameters<typeof createPdfRenderPool>[0] = {}): PdfRenderer {
  const p = createPdfRenderPool(o);
  pools.push(p);
  return p;
}
after(() => Promise.all(pools.map((p) => p.close())));

function doc(o: { days?: number; idRoot?: string } = {}): { cda: Buffer; header: ReturnType<typeof readCdaHeader> } {
  const cda = largeN3Cda({ days: o.days ?? 3, ...(o.idRoot ? { idRoot: o.idRoot } : {}) });
  return { cda, header: readCdaHeader(cda) };
}

function isCode(code: string, reason?: string) {
  return (e: unknown): boolean => {
    assert.ok(isRelaisError(e), `not a RelaisError: ${String(e)}`);
    assert.equal(e.code, code);
    if (reason !== undefined) assert.equal(e.details.reason, reason);
    return true;
  };
}

describe('PdfRenderPool', { timeout: 120_000 }, () => {
  it('renders the same bytes as the main thread, from the .ts sources under tsx', async () => {
    const renderer = pool({ size: 2 });
    const synthetic = Buffer.from(syntheticCda({
      typeCode: '34874-8', level: 'N3', documentId: { root: '1.2.250.1.999.2.5001' }, effectiveTime: new Date('2025-01-15T09:30:00Z'),
      patient,
      author: { rpps: '10001234567', family: "D'ARC & <FILS>", given: 'Jérôme' }, organization: { finess: '630000001', name: 'CH <Démo>' },
    }));
    const inputs = [doc({ days: 12 }).cda, doc({ days: 1, idRoot: '1.2.250.1.999.2.5002' }).cda, synthetic];
    const pooled = await Promise.all(inputs.map((cda) => pdfForCda(cda, readCdaHeader(cda), { creationDate, renderer })));
    for (const [i, cda] of inputs.entries()) {
      const inline = await pdfForCda(cda, readCdaHeader(cda), { creationDate });
      assert.equal(pooled[i]!.source, 'rendered');
      assert.ok(pooled[i]!.content.equals(inline.content), `document ${i}: bytes differ`);
    }
  });

  it('gives an N1 its own PDF without a thread', async () => {
    const renderer: PdfRenderer = { render: () => Promise.reject(new Error('no rendering for an N1')), close: () => Promise.resolve() };
    const n1 = Buffer.from(syntheticCda({
      typeCode: '11490-0', level: 'N1', documentId: { root: '1.2.250.1.999.2.5003' },
      patient,
      author: { rpps: '10001234567', family: 'MARTIN', given: 'Jérôme' }, organization: { finess: '630000001', name: 'CH' },
    }));
    const out = await pdfForCda(n1, readCdaHeader(n1), { renderer });
    assert.equal(out.source, 'embedded');
  });

  it('brings an error of the thread back as the same RelaisError, code and details', async () => {
    const renderer = pool({ size: 1 });
    const { cda, header } = doc({ days: 10 });
    await assert.rejects(pdfForCda(cda, header, { creationDate, renderer, maxPages: 2 }),
      (e: RelaisError) => isCode('RLS_PDFA_TOO_LARGE')(e) && e.details.maxPages === 2 && e.message === 'the rendered document exceeds the page limit');
    await assert.rejects(pdfForCda(cda, header, { creationDate, renderer, maxNarrativeChars: 1000 }),
      (e: RelaisError) => isCode('RLS_PDFA_TOO_LARGE')(e) && e.details.maxChars === 1000);
    await assert.rejects(pdfForCda(Buffer.from('<ClinicalDocument'), header, { creationDate, renderer }), isCode('RLS_CDA_NOT_XML'));
    // The thread is still there and well.
    assert.equal((await pdfForCda(cda, header, { creationDate, renderer })).source, 'rendered');
  });

  it('fails only the rendering whose thread died; the calls waiting and the next ones are rendered', async () => {
    const renderer = pool({ size: 1, workerUrl: new URL('./testing/exiting-render-worker.ts', import.meta.url) });
    const fatal = doc({ idRoot: EXIT_ROOT });
    const good = doc();
    const expected = (await pdfForCda(good.cda, good.header, { creationDate })).content;
    const crashing = pdfForCda(fatal.cda, fatal.header, { creationDate, renderer });
    const waiting = pdfForCda(good.cda, good.header, { creationDate, renderer });
    await assert.rejects(crashing, (e: RelaisError) => isCode('RLS_BUG', 'render_thread_exit')(e) && e.details.exitCode === 7);
    assert.ok((await waiting).content.equals(expected));
    assert.ok((await pdfForCda(good.cda, good.header, { creationDate, renderer })).content.equals(expected));
    await assert.rejects(pdfForCda(fatal.cda, fatal.header, { creationDate, renderer }), isCode('RLS_BUG', 'render_thread_exit'));
    assert.ok((await pdfForCda(good.cda, good.header, { creationDate, renderer })).content.equals(expected));
  });

  it('rejects the waiting and running calls when closed, and any call after', async () => {
    const renderer = createPdfRenderPool({ size: 1 });
    const { cda, header } = doc({ days: 40 });
    const calls = [1, 2, 3].map(() => pdfForCda(cda, header, { creationDate, renderer }));
    const checks = calls.map((call) => assert.rejects(call, isCode('RLS_BUG', 'closed')));
    await renderer.close();
    await Promise.all(checks);
    await assert.rejects(pdfForCda(cda, header, { creationDate, renderer }), isCode('RLS_BUG', 'closed'));
    await renderer.close();
  });

  it('withdraws a waiting call when its signal aborts, and refuses calls beyond the queue bound', async () => {
    const renderer = pool({ size: 1, maxQueue: 2 });
    const { cda, header } = doc({ days: 20 });
    const abort = new AbortController();
    const running = pdfForCda(cda, header, { creationDate, renderer });
    const withdrawn = pdfForCda(cda, header, { creationDate, renderer, signal: abort.signal });
    const waiting = pdfForCda(cda, header, { creationDate, renderer });
    await assert.rejects(pdfForCda(cda, header, { creationDate, renderer }), (e: RelaisError) => isCode('RLS_BUG', 'queue_full')(e) && e.details.maxQueue === 2);
    abort.abort(new Error('gave up'));
    await assert.rejects(withdrawn, /gave up/);
    const [a, b] = await Promise.all([running, waiting]);
    assert.ok(a.content.equals(b.content));
  });
});
