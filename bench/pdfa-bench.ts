/**
 * npm run bench (fourth part) — PDF copies of N3 documents: renders long N3 lettres de liaison (about 100 pages
 * each, `largeN3Cda`) two at a time, as the two MSSanté delivery workers would, while measuring the delay of the
 * main thread's event loop (what an MLLP ACK or a console page waits for meanwhile) and the throughput.
 * Modes: inline on the main thread, then PdfRenderPool with 1 and 2 threads (the render threads' CPU is not the
 * main thread's, so its event loop keeps turning).
 * Env: BENCH_PDF_DOCUMENTS (default 8 per mode), BENCH_PDF_DAYS (default 120, about 100 pages).
 */
import { cpus, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readCdaHeader } from '../src/cda/index.js';
import { createPdfRenderPool, defaultRenderThreads, pdfForCda } from '../src/pdfa/index.js';
import { largeN3Cda } from '../src/pdfa/testing/large-n3.js';

const total = Number(process.env.BENCH_PDF_DOCUMENTS ?? 8);
const days = Number(process.env.BENCH_PDF_DAYS ?? 120);
const callers = 2;
const creationDate = new Date('2025-03-01T08:00:00Z');

interface Mode { name: string; render: (cda: Buffer) => Promise<Buffer>; close?: () => Promise<void> }
interface Figures { perSecond: number; p50: number; p99: number; max: number; bytes: number }

const documents = Array.from({ length: total }, (_, i) => {
  const cda = largeN3Cda({ days, idRoot: `1.2.250.1.999.2.${9100 + i}` });
  return { cda, header: readCdaHeader(cda) };
});

async function run(mode: Mode): Promise<Figures> {
  // One document first, outside the measure: font loading and the JIT, as on a node that has been up a while.
  await mode.render(documents[0]!.cda);
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  let next = 0;
  let bytes = 0;
  histogram.enable();
  const start = performance.now();
  await Promise.all(Array.from({ length: callers }, async () => {
    while (next < documents.length) {
      const doc = documents[next++]!;
      bytes += (await mode.render(doc.cda)).length;
      // A caller reads the store and talks SMTP between two documents: the loop turns there.
      await new Promise((r) => setImmediate(r));
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  // The last stall is recorded only when the loop's timer fires again.
  await new Promise((r) => setTimeout(r, 20));
  histogram.disable();
  const ms = (ns: number) => ns / 1e6;
  return {
    perSecond: documents.length / elapsed, p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max),
    bytes: bytes / documents.length,
  };
}

function pooled(size: number): Mode {
  const renderer = createPdfRenderPool({ size });
  return {
    name: `pool, ${size} thread${size > 1 ? 's' : ''}${size === defaultRenderThreads() ? ' (default)' : ''}`,
    render: async (cda) => (await pdfForCda(cda, readCdaHeader(cda), { creationDate, renderer })).content,
    close: () => renderer.close(),
  };
}

// Same documents, same run, one mode after the other: on a shared machine only the ratios within a run count.
const modes: (() => Mode)[] = [
  () => ({ name: 'inline (main thread)', render: async (cda) => (await pdfForCda(cda, readCdaHeader(cda), { creationDate })).content }),
  () => pooled(1),
  () => pooled(2),
];

console.log(`\nRelais PDF/A benchmark — ${cpus().length} vCPU (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
const sample = await pdfForCda(documents[0]!.cda, documents[0]!.header, { creationDate });
const pages = (sample.content.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
console.log(`${total} N3 documents of ${(documents[0]!.cda.length / 1024).toFixed(0)} KB (${pages} pages) per mode, ${callers} at a time; `
  + 'event-loop delay of the main thread while they render');
for (const make of modes) {
  const mode = make();
  try {
    const f = await run(mode);
    console.log(`  ${mode.name.padEnd(30)} ${f.perSecond.toFixed(2).padStart(6)} documents/s  event-loop delay p50 ${f.p50.toFixed(1).padStart(6)} ms`
      + `  p99 ${f.p99.toFixed(1).padStart(7)} ms  max ${f.max.toFixed(1).padStart(7)} ms`);
  } finally {
    await mode.close?.();
  }
}
