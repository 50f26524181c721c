import { extractNonXmlBody, type CdaHeader } from '../cda/index.js';
import { RelaisError } from '../domain/index.js';
import { renderN3, type N3RenderInput } from './render-n3.js';
import type { PdfRenderer } from './render-pool.js';

export interface PdfForCdaOptions {
  /** CreationDate of a rendered PDF (Info, XMP and the file ID derive from it). Default: now. Fix it for identical bytes. */
  creationDate?: Date;
  /** Page cap of a rendered PDF. Default 300. */
  maxPages?: number;
  /** Cap on the narrative text of an N3 document, in characters. Default 2 000 000. */
  maxNarrativeChars?: number;
  /** Cap on the CDA size (same meaning as for readCdaHeader). Default 20 MiB. */
  maxXmlBytes?: number;
  /**
   * Where an N3 document is rendered: a PdfRenderPool (worker threads, the main thread stays free), or, without
   * one, right here on the calling thread. Same bytes either way.
   */
  renderer?: PdfRenderer;
  /** Withdraws a rendering still waiting for a render thread (with a renderer). */
  signal?: AbortSignal;
}

export interface PdfCopy {
  content: Buffer;
  /** embedded = the N1 body's own PDF, byte for byte; rendered = a PDF/A-1b drawn from an N3 document. */
  source: 'embedded' | 'rendered';
}

const DEFAULT_MAX_PAGES = 300;
const DEFAULT_MAX_NARRATIVE_CHARS = 2_000_000;

/**
 * The PDF to attach beside a CDA in an MSSanté mail (SC.CDA/DD.12, digest §B5). N1: the PDF of the nonXMLBody,
 * identical to the byte. N3: a PDF/A-1b showing the title, type, creation date and time, authors, the legal
 * authenticator, the custodian, the patient's identity and the narrative of every section.
 * `header` is the document's readCdaHeader result (the caller has it already).
 */
export async function pdfForCda(cda: Buffer, header: CdaHeader, o: PdfForCdaOptions = {}): Promise<PdfCopy> {
  if (header.level === 'N1') {
    const body = extractNonXmlBody(cda, { maxBytes: o.maxXmlBytes });
    if (body === undefined || body.mediaType !== 'application/pdf' || !body.bytes.subarray(0, 5).equals(PDF_MAGIC)) {
      throw new RelaisError('RLS_PDFA_NOT_PDF', undefined, { mediaType: body?.mediaType ?? null });
    }
    return { content: body.bytes, source: 'embedded' };
  }
  const input: N3RenderInput = {
    cda, header, creationDate: o.creationDate ?? new Date(), maxPages: o.maxPages ?? DEFAULT_MAX_PAGES,
    maxNarrativeChars: o.maxNarrativeChars ?? DEFAULT_MAX_NARRATIVE_CHARS, maxXmlBytes: o.maxXmlBytes,
  };
  const content = o.renderer ? await o.renderer.render(input, o.signal) : await renderN3(input);
  return { content, source: 'rendered' };
}

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
