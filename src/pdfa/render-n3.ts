import { formatInstanceId, loadSafeXml, type CdaHeader } from '../cda/index.js';
import { authorNames, documentTitle, headerLines } from './header-lines.js';
import { readNarrative } from './narrative.js';
import { renderPdfa } from './render.js';

/**
 * Everything an N3 rendering needs, as plain data: it crosses to a render thread by structured clone (the CDA
 * bytes are transferred, the header is a tree of strings and arrays).
 */
export interface N3RenderInput {
  cda: Buffer;
  header: CdaHeader;
  creationDate: Date;
  maxPages: number;
  maxNarrativeChars: number;
  maxXmlBytes: number | undefined;
}

// Sections within sections, lists within lists: far beyond any real document, low enough to keep recursion cheap.
const MAX_NESTING = 40;

/** The PDF/A-1b of an N3 document: its narrative read from the CDA, then drawn. The CPU-heavy part of pdfForCda. */
export async function renderN3(input: N3RenderInput): Promise<Buffer> {
  const doc = loadSafeXml(input.cda, { maxBytes: input.maxXmlBytes });
  const sections = readNarrative(doc, { maxChars: input.maxNarrativeChars, maxDepth: MAX_NESTING });
  const { header } = input;
  const lines = headerLines(header);
  return renderPdfa({
    title: documentTitle(header),
    author: authorNames(header),
    documentLines: lines.document,
    patientLines: lines.patient,
    sections,
    reference: formatInstanceId(header.id),
  }, { creationDate: input.creationDate, maxPages: input.maxPages });
}
