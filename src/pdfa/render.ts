import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { RelaisError } from '../domain/index.js';
import type { HeaderLine } from './header-lines.js';
import type { NarrativeBlock, NarrativeRow, NarrativeSection } from './narrative.js';

/** What the renderer lays out: already extracted from the CDA, so this file knows PDF, not CDA. */
export interface PdfContent {
  title: string;
  author: string;
  documentLines: HeaderLine[];
  patientLines: HeaderLine[];
  sections: NarrativeSection[];
  /** Printed in every page footer (the CDA id), so a printed page can be traced to its document. */
  reference: string;
}

export interface RenderOptions { creationDate: Date; maxPages: number }

// DejaVu Sans ships with Relais (src/pdfa/fonts, licence beside it): PDF/A forbids non-embedded fonts, so the
// standard-14 fonts of pdfkit are never used.
const regularFont = fileURLToPath(new URL('./fonts/DejaVuSans.ttf', import.meta.url));
const boldFont = fileURLToPath(new URL('./fonts/DejaVuSans-Bold.ttf', import.meta.url));

const MARGIN = 56;
const BODY_SIZE = 9.5;
const HEADING_SIZES = [13, 11.5, 10.5, 10];
// Beyond these a table is listed row by row: a grid of many columns or with very long cells is unreadable and
// a row taller than a page cannot be drawn as a grid.
const GRID_MAX_COLUMNS = 8;
const GRID_MAX_CELL_CHARS = 1200;
// Below this a cell cannot fill a page even in the narrowest column the grid allows.
const MIN_CHARS_FOR_A_PAGE = 400;
const PRODUCER = 'Relais';

/** A PDF/A-1b file (pdfkit's PDF/A mode: XMP pdfaid part 1 conformance B, sRGB output intent, embedded fonts). */
export async function renderPdfa(content: PdfContent, options: RenderOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 14, left: MARGIN, right: MARGIN },
    pdfVersion: '1.4',
    subset: 'PDF/A-1b',
    lang: 'fr-FR',
    displayTitle: true,
    bufferPages: true,
    autoFirstPage: false,
    font: regularFont,
    info: {
      Title: content.title,
      ...(content.author ? { Author: content.author } : {}),
      Creator: PRODUCER,
      Producer: PRODUCER,
      CreationDate: options.creationDate,
    },
  });
  escapeXmpInfo(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  let pages = 0;
  // Thrown from inside pdfkit's addPage, which unwinds the layout at once: memory stays bounded by maxPages.
  doc.on('pageAdded', () => {
    pages += 1;
    if (pages > options.maxPages) {
      throw new RelaisError('RLS_PDFA_TOO_LARGE', 'the rendered document exceeds the page limit', { maxPages: options.maxPages });
    }
  });
  doc.addPage();

  new Layout(doc).document(content);
  footers(doc, content.reference);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

class Layout {
  private readonly width: number;
  private readonly drawable: (text: string) => string;

  constructor(private readonly doc: PDFKit.PDFDocument) {
    this.width = doc.page.width - 2 * MARGIN;
    this.drawable = glyphFilter(doc);
  }

  document(content: PdfContent): void {
    const { doc } = this;
    doc.font(boldFont).fontSize(16).text(this.drawable(content.title), { width: this.width });
    doc.moveDown(0.6);
    this.labelled(content.documentLines);
    doc.moveDown(0.5);
    doc.font(boldFont).fontSize(BODY_SIZE + 1).text('Patient');
    doc.moveDown(0.2);
    this.labelled(content.patientLines);
    doc.moveDown(0.4);
    this.rule();
    for (const section of content.sections) this.section(section, 0);
  }

  private labelled(lines: HeaderLine[]): void {
    for (const line of lines) {
      this.doc.font(boldFont).fontSize(BODY_SIZE).text(this.drawable(`${line.label} : `), MARGIN, undefined, { continued: true, width: this.width });
      this.doc.font(regularFont).text(this.drawable(line.value));
    }
  }

  private rule(): void {
    const { doc } = this;
    doc.moveDown(0.3);
    doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + this.width, doc.y).lineWidth(0.5).strokeColor('#555555').stroke();
    doc.moveDown(0.6);
  }

  private section(section: NarrativeSection, depth: number): void {
    const { doc } = this;
    const indent = Math.min(depth, 4) * 10;
    if (section.title) {
      doc.moveDown(depth === 0 ? 0.8 : 0.5);
      doc.font(boldFont).fontSize(HEADING_SIZES[Math.min(depth, HEADING_SIZES.length - 1)] ?? BODY_SIZE)
        .text(this.drawable(section.title), MARGIN + indent, undefined, { width: this.width - indent });
      doc.moveDown(0.3);
    }
    this.blocks(section.blocks, indent);
    for (const child of section.sections) this.section(child, depth + 1);
  }

  private blocks(blocks: NarrativeBlock[], indent: number): void {
    for (const block of blocks) {
      if (block.kind === 'paragraph') this.paragraph(block.text, indent, block.emphasis === true);
      else if (block.kind === 'list') this.list(block, indent);
      else this.table(block.rows, block.caption, indent);
    }
  }

  private paragraph(text: string, indent: number, emphasis: boolean): void {
    this.doc.font(emphasis ? boldFont : regularFont).fontSize(BODY_SIZE)
      .text(this.drawable(text), MARGIN + indent, undefined, { width: this.width - indent, paragraphGap: 3 });
  }

  private list(block: Extract<NarrativeBlock, { kind: 'list' }>, indent: number): void {
    const { doc } = this;
    if (block.caption) this.paragraph(block.caption, indent, true);
    block.items.forEach((item, i) => {
      const marker = block.ordered ? `${i + 1}.` : '•';
      const y = doc.y;
      doc.font(regularFont).fontSize(BODY_SIZE).text(marker, MARGIN + indent, y, { width: 14, lineBreak: false });
      doc.y = y;
      if (item.length === 0) doc.text(' ', MARGIN + indent + 14, y);
      else this.blocks(item, indent + 14);
    });
    doc.x = MARGIN;
    doc.moveDown(0.2);
  }

  private table(rows: NarrativeRow[], caption: string | undefined, indent: number): void {
    const { doc } = this;
    if (caption) this.paragraph(caption, indent, true);
    if (rows.length === 0) return;
    const widths = rowWidths(rows);
    const columns = Math.max(...widths);
    const longest = Math.max(...rows.flatMap((r) => r.cells.map((c) => c.text.length)));
    if (columns > GRID_MAX_COLUMNS || longest > GRID_MAX_CELL_CHARS || this.tallerThanAPage(rows, columns, indent)) {
      this.tableAsLines(rows, indent);
      return;
    }
    const data = rows.map((row, r) => {
      const cells: PDFKit.Mixins.CellOptions[] = row.cells.map((c) => ({
        text: this.drawable(c.text),
        colSpan: c.colSpan,
        // A span past the last row would leave pdfkit waiting for rows that never come.
        rowSpan: Math.min(c.rowSpan, rows.length - r),
        font: { src: row.header || c.header ? boldFont : regularFont, size: BODY_SIZE - 1 },
        ...(row.header ? { backgroundColor: '#e8e8e8' } : {}),
      }));
      for (let i = widths[r] ?? 0; i < columns; i++) cells.push({ text: '', font: { src: regularFont, size: BODY_SIZE - 1 } });
      return cells;
    });
    doc.moveDown(0.2);
    doc.table({
      position: { x: MARGIN + indent, y: doc.y },
      maxWidth: this.width - indent,
      defaultStyle: { border: 0.5, borderColor: '#777777', padding: [2, 3, 2, 3] },
      data,
    });
    doc.x = MARGIN;
    doc.moveDown(0.5);
  }

  /**
   * pdfkit cuts a cell taller than a page with an ellipsis: the text would be lost. Cells long enough to risk it
   * are measured at the width an equal-column grid gives them (in bold, the wider face).
   */
  private tallerThanAPage(rows: NarrativeRow[], columns: number, indent: number): boolean {
    const { doc } = this;
    const room = doc.page.height - doc.page.margins.top - doc.page.margins.bottom - 24;
    const columnWidth = (this.width - indent) / columns;
    doc.font(boldFont).fontSize(BODY_SIZE - 1);
    return rows.some((row) => row.cells.some((c) => c.text.length > MIN_CHARS_FOR_A_PAGE
      && doc.heightOfString(this.drawable(c.text), { width: columnWidth * c.colSpan - 6 }) > room));
  }

  /** Each row as one paragraph "header: value; …" when the first row is a header row, else cells joined. */
  private tableAsLines(rows: NarrativeRow[], indent: number): void {
    const head = rows[0]?.header ? rows[0].cells.map((c) => c.text) : undefined;
    for (const row of head ? rows.slice(1) : rows) {
      const parts = row.cells.map((c, i) => (head?.[i] ? `${head[i]} : ${c.text}` : c.text));
      this.paragraph(parts.filter((p) => p.trim() !== '').join(' ; '), indent, row.header);
    }
  }
}

/**
 * The number of grid columns each row fills, counting the columns still covered by a rowspan from a row above
 * (cells go to the first free column, as in HTML), so short rows can be padded to a rectangle.
 */
function rowWidths(rows: NarrativeRow[]): number[] {
  let covered: number[] = [];
  return rows.map((row) => {
    let col = 0;
    const next = covered.map((n) => Math.max(n - 1, 0));
    for (const cell of row.cells) {
      while ((covered[col] ?? 0) > 0) col++;
      for (let k = col; k < col + cell.colSpan; k++) next[k] = Math.max(next[k] ?? 0, cell.rowSpan - 1);
      col += cell.colSpan;
    }
    const lastCovered = covered.reduce((last, n, i) => (n > 0 ? i + 1 : last), 0);
    covered = next;
    return Math.max(col, lastCovered);
  });
}

/** "reference — page n / N" at the bottom of every page, written once the page count is known. */
function footers(doc: PDFKit.PDFDocument, reference: string): void {
  const range = doc.bufferedPageRange();
  const label = glyphFilter(doc)(reference);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    // Writing inside the bottom margin would otherwise make pdfkit open a new page.
    doc.page.margins.bottom = 0;
    doc.font(regularFont).fontSize(7.5).fillColor('#555555')
      .text(`${label} — page ${i + 1} / ${range.count}`, MARGIN, doc.page.height - MARGIN, {
        width: doc.page.width - 2 * MARGIN, align: 'center', lineBreak: false,
      });
    doc.fillColor('#000000');
    doc.page.margins.bottom = bottom;
  }
  doc.flushPages();
}

interface FontkitFont { hasGlyphForCodePoint(codePoint: number): boolean }

/**
 * Characters neither embedded font can draw (CJK, emoji, private use…) would be drawn with glyph 0 (.notdef), which
 * PDF/A-1 forbids (Preflight 3.3.1): they are shown as U+FFFD instead, so the reader sees that something was there.
 * pdfkit keeps the fontkit font of the current font in `_font.font`.
 */
function glyphFilter(doc: PDFKit.PDFDocument): (text: string) => string {
  const current = doc as unknown as { _font: { font: FontkitFont } };
  const fonts = [regularFont, boldFont].map((f) => {
    doc.font(f);
    return current._font.font;
  });
  doc.font(regularFont);
  const known = new Map<number, boolean>();
  const drawable = (cp: number): boolean => {
    let ok = known.get(cp);
    if (ok === undefined) {
      ok = fonts.every((f) => f.hasGlyphForCodePoint(cp));
      known.set(cp, ok);
    }
    return ok;
  };
  const replacement = drawable(0xfffd) ? '\uFFFD' : '?';
  return (text) => text.replace(/[^\n]/gu, (ch) => (drawable(ch.codePointAt(0) ?? 0) ? ch : replacement));
}

interface PdfkitInternals {
  info: Record<string, string | Date | undefined>;
  appendXML(xml: string, newline?: boolean): void;
  _addInfo(): void;
}

/**
 * pdfkit 0.20 copies the Info entries into the XMP packet without XML escaping: a title with "&" or "<" would make
 * the metadata ill-formed and the file not PDF/A. Same packet, escaped (PDF/A-1 wants Info and XMP to agree).
 */
function escapeXmpInfo(doc: PDFKit.PDFDocument): void {
  const internals = doc as unknown as PdfkitInternals;
  internals._addInfo = function addEscapedInfo(this: PdfkitInternals) {
    const info = this.info;
    const s = (key: string): string => xmlEscape(String(info[key] ?? ''));
    const created = (info.CreationDate as Date).toISOString().split('.')[0] + 'Z';
    let xml = `<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">`
      + `<xmp:CreateDate>${created}</xmp:CreateDate><xmp:CreatorTool>${s('Creator')}</xmp:CreatorTool></rdf:Description>`;
    if (info.Title || info.Author) {
      xml += '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">';
      if (info.Title) xml += `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${s('Title')}</rdf:li></rdf:Alt></dc:title>`;
      if (info.Author) xml += `<dc:creator><rdf:Seq><rdf:li>${s('Author')}</rdf:li></rdf:Seq></dc:creator>`;
      xml += '</rdf:Description>';
    }
    xml += `<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"><pdf:Producer>${s('Producer')}</pdf:Producer></rdf:Description>`;
    this.appendXML(xml);
  };
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
