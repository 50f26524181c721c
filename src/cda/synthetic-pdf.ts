/**
 * A small, valid PDF 1.4 written by hand: one A4 page of Helvetica text, and, to reach a requested size, an
 * unpainted grey image filled by a seeded PRNG (incompressible, like the scanned content of real reports, and
 * the same bytes for the same input). Used for synthetic CDA bodies, the demo and the benchmark.
 */

const PAGE_WIDTH = 595;
const PAGE_HEIGHT = 842;
const MARGIN = 56;
const FONT_SIZE = 10;
const TITLE_SIZE = 13;
const LEADING = 13;
const WRAP_COLUMNS = 92;
const MAX_LINES = Math.floor((PAGE_HEIGHT - 2 * MARGIN) / LEADING) - 1;
const FILLER_WIDTH = 512;

// WinAnsiEncoding positions of the characters French text needs beyond Latin-1.
const winAnsiExtras: Readonly<Record<string, number>> = {
  '€': 0x80, '…': 0x85, 'Œ': 0x8c, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, 'œ': 0x9c, 'Ÿ': 0x9f,
};

/** PDF literal string in WinAnsiEncoding; characters it cannot show become '?'. */
function pdfString(text: string): Buffer {
  const bytes: number[] = [0x28];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    let b = winAnsiExtras[ch] ?? (cp >= 0x20 && cp < 0x7f ? cp : cp >= 0xa0 && cp <= 0xff ? cp : 0x3f);
    if (ch === '\u00a0') b = 0x20;
    if (b === 0x28 || b === 0x29 || b === 0x5c) bytes.push(0x5c);
    bytes.push(b);
  }
  bytes.push(0x29);
  return Buffer.from(bytes);
}

function wrap(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    const words = paragraph.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) {
      out.push('');
      continue;
    }
    let line = '';
    for (const word of words) {
      if (line !== '' && line.length + 1 + word.length > WRAP_COLUMNS) {
        out.push(line);
        line = '';
      }
      line = line === '' ? word : `${line} ${word}`;
    }
    out.push(line);
  }
  if (out.length > MAX_LINES) {
    out.length = MAX_LINES;
    out[MAX_LINES - 1] = '…';
  }
  return out;
}

/** FNV-1a: a seed derived from the text, so each document gets its own filler. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32 PRNG. */
function fillerBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let a = seed;
  for (let i = 0; i < length; i += 4) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const v = (t ^ (t >>> 14)) >>> 0;
    out[i] = v & 0xff;
    if (i + 1 < length) out[i + 1] = (v >>> 8) & 0xff;
    if (i + 2 < length) out[i + 2] = (v >>> 16) & 0xff;
    if (i + 3 < length) out[i + 3] = v >>> 24;
  }
  return out;
}

function contentStream(lines: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`BT\n/F2 ${TITLE_SIZE} Tf\n${LEADING} TL\n${MARGIN} ${PAGE_HEIGHT - MARGIN} Td\n`, 'latin1')];
  lines.forEach((line, i) => {
    if (i === 1) parts.push(Buffer.from(`/F1 ${FONT_SIZE} Tf\n`, 'latin1'));
    parts.push(pdfString(line), Buffer.from(' Tj\nT*\n', 'latin1'));
  });
  parts.push(Buffer.from('ET\n', 'latin1'));
  return Buffer.concat(parts);
}

function assemble(lines: string[], fillerRows: number, seed: number): Buffer {
  const content = contentStream(lines);
  const withFiller = fillerRows > 0;
  const objects: Buffer[] = [];
  const obj = (body: Buffer | string) => objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
  const stream = (dict: string, data: Buffer) =>
    Buffer.concat([Buffer.from(`<< ${dict}/Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);

  obj('<< /Type /Catalog /Pages 2 0 R >>');
  obj('<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  obj(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] /Contents 4 0 R `
    + `/Resources << /Font << /F1 5 0 R /F2 6 0 R >>${withFiller ? ' /XObject << /Im1 8 0 R >>' : ''} >> >>`);
  obj(stream('', content));
  obj('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  obj('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  obj(Buffer.concat([Buffer.from('<< /Producer (Relais synthetic document) /Title ', 'latin1'), pdfString(lines[0] ?? ''), Buffer.from(' >>', 'latin1')]));
  if (withFiller) {
    obj(stream(`/Type /XObject /Subtype /Image /Width ${FILLER_WIDTH} /Height ${fillerRows} /ColorSpace /DeviceGray /BitsPerComponent 8 `,
      fillerBytes(FILLER_WIDTH * fillerRows, seed)));
  }

  // %PDF header, then a comment with high bytes so transfer tools treat the file as binary (PDF 1.4 §3.4.1).
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]?.length ?? 0;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const framed = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(framed);
    offset += framed.length;
  });
  // Each xref entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, n|f, space, LF.
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/**
 * Writes a one-page PDF 1.4 showing `text` (first line as a bold title, the rest wrapped at ~90 columns, cut
 * to one page), padded to about `approxBytes` (within one filler row, 512 bytes) when that is larger than the
 * text alone. Same input, same bytes.
 */
export function syntheticPdf(text: string, approxBytes = 0): Buffer {
  const lines = wrap(text);
  const seed = seedOf(text);
  const bare = assemble(lines, 0, seed);
  if (approxBytes <= bare.length + 400) return bare;
  let rows = Math.max(1, Math.round((approxBytes - bare.length - 200) / FILLER_WIDTH));
  const first = assemble(lines, rows, seed);
  rows = Math.max(1, rows + Math.round((approxBytes - first.length) / FILLER_WIDTH));
  return assemble(lines, rows, seed);
}
