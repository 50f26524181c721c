import { extractNonXmlBody, formatInstanceId, loadSafeXml, type CdaHeader } from '../cda/index.js';
import { RelaisError } from '../domain/index.js';
import { authorNames, documentTitle, headerLines } from './header-lines.js';
import { readNarrative } from './narrative.js';
import { renderPdfa } from './render.js';

export interface PdfForCdaOptions {
  /** CreationDate of a rendered PDF (Info, XMP and the file ID derive from it). Default: now. Fix it for identical bytes. */
  creationDate?: Date;
  /** Page cap of a rendered PDF. Default 300. */
  maxPages?: number;
  /** Cap on the narrative text of an N3 document, in characters. Default 2 000 000. */
  maxNarrativeChars?: number;
  /** Cap on the CDA size (same meaning as for readCdaHeader). Default 20 MiB. */
  maxXmlBytes?: number;
}

export interface PdfCopy {
  content: Buffer;
  /** embedded = the N1 body's own PDF, byte for byte; rendered = a PDF/A-1b drawn from an N3 document. */
  source: 'embedded' | 'rendered';
}

const DEFAULT_MAX_PAGES = 300;
const DEFAULT_MAX_NARRATIVE_CHARS = 2_000_000;
// Sections within sections, lists within lists: far beyond any real document, low enough to keep recursion cheap.
const MAX_NESTING = 40;

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
  const doc = loadSafeXml(cda, { maxBytes: o.maxXmlBytes });
  const sections = readNarrative(doc, { maxChars: o.maxNarrativeChars ?? DEFAULT_MAX_NARRATIVE_CHARS, maxDepth: MAX_NESTING });
  const lines = headerLines(header);
  const content = await renderPdfa({
    title: documentTitle(header),
    author: authorNames(header),
    documentLines: lines.document,
    patientLines: lines.patient,
    sections,
    reference: formatInstanceId(header.id),
  }, { creationDate: o.creationDate ?? new Date(), maxPages: o.maxPages ?? DEFAULT_MAX_PAGES });
  return { content, source: 'rendered' };
}

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
