/**
 * The render thread of PdfRenderPool: one request at a time, `renderN3` on it, the PDF bytes transferred back.
 * A RelaisError goes back as its code, message and details, so the caller gets the same error as inline.
 */
import { parentPort } from 'node:worker_threads';
import { isRelaisError } from '../domain/index.js';
import { renderN3 } from './render-n3.js';
import type { RenderReply, RenderRequest } from './render-pool.js';

const port = parentPort;
if (port === null) throw new Error('render-worker runs only as a worker thread');

port.on('message', (request: RenderRequest) => {
  void answer(request);
});

async function answer(request: RenderRequest): Promise<void> {
  const { id, cda, ...rest } = request;
  let reply: RenderReply;
  try {
    const pdf = await renderN3({ ...rest, cda: Buffer.from(cda.buffer, cda.byteOffset, cda.byteLength) });
    // Buffer.concat gives a buffer of its own at this size, but a pooled slice must not transfer its pool.
    const bytes = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength ? new Uint8Array(pdf.buffer) : new Uint8Array(pdf);
    port!.postMessage({ id, pdf: bytes } satisfies RenderReply, [bytes.buffer as ArrayBuffer]);
    return;
  } catch (e) {
    reply = isRelaisError(e)
      ? { id, error: { relais: true, code: e.code, message: e.message, details: { ...e.details } } }
      : { id, error: { relais: false, name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) } };
  }
  try {
    port!.postMessage(reply);
  } catch {
    // Details that cannot be cloned (not expected: they are plain values): the code alone still decides.
    port!.postMessage({ id, error: { ...reply.error!, details: {} } } as RenderReply);
  }
}
