/**
 * The render thread of PdfRenderPool, except that it exits (code 7) when asked to render the document whose id
 * root is EXIT_ROOT: a thread that dies in the middle of a rendering, on demand.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import type { RenderRequest } from '../render-pool.js';

export const EXIT_ROOT = '1.2.250.1.999.2.7777';

if (!isMainThread) {
  // The real listener first: a listener attached before it is loaded would start the port and let requests pass
  // unanswered. It draws synchronously and answers only after this task, so the exit below comes first.
  await import('../render-worker.js');
  parentPort?.on('message', (request: RenderRequest) => {
    if (request.header.id.root === EXIT_ROOT) process.exit(7);
  });
}
