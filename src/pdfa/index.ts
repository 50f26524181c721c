export { pdfForCda } from './pdf-for-cda.js';
export type { PdfForCdaOptions, PdfCopy } from './pdf-for-cda.js';
export { pdfFileName } from './file-name.js';
export type { PdfFileNameInput } from './file-name.js';
export { createPdfRenderPool, defaultRenderThreads } from './render-pool.js';
export type { PdfRenderer, PdfRenderPoolOptions } from './render-pool.js';
