import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import PDFDocument from 'pdfkit';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { readCdaHeader, syntheticCda, type SyntheticDocumentOptions } from '../cda/index.js';
import { isRelaisError } from '../domain/index.js';
import { sharedDir } from '../cisis/testing/mutate.js';
import { extractTexts, pdfboxSkipReason, preflight, type PreflightResult } from './testing/pdfbox.js';
import { pdfForCda } from './pdf-for-cda.js';

const skip = pdfboxSkipReason();
const fixedDate = new Date('2025-03-01T08:00:00Z');
const ansExamples = join(sharedDir, 'vectors/ans-hl7v2-exemples');
const vectorFiles = [
  ...readdirSync(join(sharedDir, 'vectors/cda')).filter((f) => f.endsWith('.xml')).map((f) => join(sharedDir, 'vectors/cda', f)),
  join(ansExamples, 'Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/ORU/Transmission initiale ORU/SEGUR_CR-BIO_2023.01_Electrophorese.xml'),
  join(ansExamples, 'Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/ORU/Remplacement ORU/SEGUR_CR_Bio_CDA_Niv3_v2.xml'),
  join(ansExamples, 'Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission initiale ORU/CR_Bio_CDA_Niv3_v1.XML'),
  join(ansExamples, 'Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission initiale ORU/CR_Bio_CDA_Niv1_v1.XML'),
  join(ansExamples, 'Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/MDM/Transmission initiale MDM/CR_Radio_CDAN1_v1.XML'),
];

const synthBase: Omit<SyntheticDocumentOptions, 'typeCode' | 'level'> = {
  patient: {
    ins: '248000000000001', insOid: '1.2.250.1.213.1.4.10', ipp: 'IPP-42', ippAuthority: '1.2.250.1.999.1',
    family: 'ÉLÉONORE-FICTIF', given: ['Chloé', 'Anaïs'], gender: 'F', birthDate: '19800214', birthPlace: '63113',
  },
  documentId: { root: '1.2.250.1.999.2.1001' },
  effectiveTime: new Date('2025-01-15T09:30:00Z'),
  // "&" and "<" reach the PDF Info dictionary and the XMP packet (dc:creator).
  author: { rpps: '10001234567', family: "D'ARC & <FILS>", given: 'Jérôme' },
  organization: { finess: '630000001', name: 'Centre hospitalier <Démo> & associés' },
};
const synthetic = ['11490-0', '34874-8', '11502-2', '18748-4'].map((typeCode, i) => ({
  name: `synthetic-${typeCode}.xml`,
  xml: Buffer.from(syntheticCda({ ...synthBase, typeCode, level: 'N3', documentId: { root: `1.2.250.1.999.2.${2000 + i}` } })),
}));
// Characters DejaVu Sans lacks (CJK, emoji outside its range, private use) besides ones it has, in a title and
// in every kind of block: without care they are drawn with glyph 0, which PDF/A-1 forbids.
const unusual = 'mesure ≥ 5 µg → ½ ‰ 漢字 \uE000 e\u0301 مرحبا';
synthetic.push({
  name: 'synthetic-unusual-characters.xml',
  xml: Buffer.from(syntheticCda({ ...synthBase, typeCode: '11490-0', level: 'N3' }).replace('</structuredBody>',
    `<component><section><title>Caractères ${unusual}</title><text><paragraph>${unusual}</paragraph>`
    + `<list><item>${unusual}</item></list><table><tbody><tr><td>${unusual}</td><td/></tr><tr/></tbody></table><table/></text>`
    + '</section></component><component><section><text/></section></component></structuredBody>')),
});
// One cell taller than a page in an 8-column grid: pdfkit would cut it with an ellipsis.
const tallCell = Array.from({ length: 220 }, (_, i) => `m${String(i + 1).padStart(3, '0')}`).join(' ');
synthetic.push({
  name: 'synthetic-tall-cell.xml',
  xml: Buffer.from(syntheticCda({ ...synthBase, typeCode: '11490-0', level: 'N3' }).replace('</structuredBody>',
    `<component><section><title>Cellule haute</title><text><table><tbody><tr>${'<td>a</td>'.repeat(7)}<td>${tallCell}</td></tr>`
    + '</tbody></table></text></section></component></structuredBody>')),
});

interface Rendered { name: string; cda: Buffer; pdf: Buffer; source: 'embedded' | 'rendered'; file: string; ms: number }

/** The Preflight verdict as the tests require it: valid and without any error. */
function assertPdfA(name: string, result: PreflightResult | undefined): void {
  assert.ok(result, `no Preflight result for ${name}`);
  assert.deepEqual(result.errors, [], `${name}: Preflight errors`);
  assert.equal(result.valid, true, `${name}: not PDF/A-1b`);
}

/** Section titles read straight from the CDA (every section/title, nested ones too), not through the renderer. */
function sectionTitles(cda: Buffer): string[] {
  const doc = new DOMParser().parseFromString(cda.toString('utf8').replace(/^\uFEFF/, ''), 'text/xml');
  const sections = doc.getElementsByTagNameNS('urn:hl7-org:v3', 'section');
  const titles: string[] = [];
  for (let i = 0; i < sections.length; i++) {
    const section = sections.item(i) as Element;
    for (let n = section.firstChild; n !== null; n = n.nextSibling) {
      if (n.nodeType === 1 && (n as Element).localName === 'title') titles.push(n.textContent ?? '');
    }
  }
  return titles.filter((t) => t.trim() !== '');
}

/** PDF text extraction breaks lines where the layout did: compare without any white space. */
function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

/** nonXMLBody/text decoded without the cda layer. */
function embeddedPdf(cda: Buffer): Buffer {
  const m = /<nonXMLBody[\s\S]*?<text[^>]*>([\s\S]*?)<\/text>/.exec(cda.toString('utf8'));
  assert.ok(m?.[1], 'no nonXMLBody text');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

describe('pdfForCda', { skip }, () => {
  let dir: string;
  const rendered: Rendered[] = [];
  let verdicts: Map<string, PreflightResult>;
  let notPdfA: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relais-pdfa-'));
    const inputs = [...vectorFiles.map((f) => ({ name: basename(f), xml: readFileSync(f) })), ...synthetic];
    for (const { name, xml } of inputs) {
      const t = performance.now();
      const out = await pdfForCda(xml, readCdaHeader(xml), { creationDate: fixedDate });
      const ms = performance.now() - t;
      const file = join(dir, `${name}.pdf`);
      writeFileSync(file, out.content);
      rendered.push({ name, cda: xml, pdf: out.content, source: out.source, file, ms });
    }
    // A plain PDF (pdfkit without its PDF/A mode, standard Helvetica) to prove Preflight does say no.
    notPdfA = join(dir, 'plain-pdfkit.pdf');
    writeFileSync(notPdfA, await plainPdf());
    verdicts = await preflight([...rendered.filter((r) => r.source === 'rendered').map((r) => r.file), notPdfA], dir);
    const summary = rendered.map((r) => `${r.name} ${r.source} ${r.pdf.length} B ${Math.round(r.ms)} ms`).join('\n  ');
    console.log(`pdfForCda, render times:\n  ${summary}`);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every N3 example of the ANS and every synthetic N3 as PDF/A-1b that Preflight accepts', () => {
    const n3 = rendered.filter((r) => r.source === 'rendered');
    assert.equal(n3.length, 15);
    for (const r of n3) assertPdfA(r.name, verdicts.get(basename(r.file)));
  });

  it('would fail on a PDF that is not PDF/A (Preflight reports errors)', () => {
    const verdict = verdicts.get(basename(notPdfA));
    assert.ok(verdict && !verdict.valid && verdict.errors.length > 0);
    assert.throws(() => assertPdfA('plain', verdict), assert.AssertionError);
  });

  it('shows the title, type, creation date, authors, custodian, patient identity and every section title', async () => {
    // The unusual-characters document has its own test: some of its title is replaced by design.
    const n3 = rendered.filter((x) => x.source === 'rendered' && x.name !== 'synthetic-unusual-characters.xml');
    const texts = await extractTexts(n3.map((r) => r.file));
    for (const r of n3) {
      const text = squash(texts.get(r.file) ?? '');
      const header = readCdaHeader(r.cda);
      const expected = [
        header.title ?? '', header.code.displayName ?? header.code.code, 'Dateetheuredecréation', header.custodian?.name ?? '',
        header.patient.birthFamily?.toUpperCase() ?? '', ...header.patient.given,
        ...header.authors.map((a) => a.person?.family?.toUpperCase() ?? ''),
        ...header.patient.ids.filter((id) => id.root.startsWith('1.2.250.1.213.1.4.')).map((id) => id.extension ?? ''),
        ...sectionTitles(r.cda),
      ];
      for (const want of expected) assert.ok(text.includes(squash(want)), `${r.name}: "${want}" not in the PDF text`);
    }
  });

  it('shows a character the fonts lack as U+FFFD and keeps the others', async () => {
    const r = rendered.find((x) => x.name === 'synthetic-unusual-characters.xml');
    assert.ok(r);
    const text = (await extractTexts([r.file])).get(r.file) ?? '';
    assert.ok(text.includes('mesure ≥ 5 µg → ½ ‰'), text);
    assert.ok(!text.includes('漢') && !text.includes('\uE000'));
    assert.ok(text.includes('\uFFFD\uFFFD'));
  });

  it('keeps the whole text of a table cell taller than a page', async () => {
    const r = rendered.find((x) => x.name === 'synthetic-tall-cell.xml');
    assert.ok(r);
    const text = (await extractTexts([r.file])).get(r.file) ?? '';
    for (const word of tallCell.split(' ')) assert.ok(text.includes(word), word);
  });

  it('gives the PDF of an N1 document byte for byte, without rendering', async () => {
    const n1 = rendered.filter((r) => r.source === 'embedded');
    assert.equal(n1.length, 4);
    for (const r of n1) assert.ok(r.pdf.equals(embeddedPdf(r.cda)), r.name);
    const synthN1 = Buffer.from(syntheticCda({ ...synthBase, typeCode: '11490-0', level: 'N1' }));
    const out = await pdfForCda(synthN1, readCdaHeader(synthN1));
    assert.equal(out.source, 'embedded');
    assert.ok(out.content.equals(embeddedPdf(synthN1)));
  });

  it('refuses an N1 whose body is not a PDF', async () => {
    const synthN1 = syntheticCda({ ...synthBase, typeCode: '11490-0', level: 'N1' });
    const text = Buffer.from(synthN1.replace(/<text mediaType="application\/pdf" representation="B64">[^<]*<\/text>/, '<text mediaType="text/plain">bonjour</text>'));
    assert.notEqual(text.toString(), synthN1);
    await assert.rejects(pdfForCda(text, readCdaHeader(text)), (e) => isRelaisError(e) && e.code === 'RLS_PDFA_NOT_PDF');
  });

  it('is deterministic for a fixed creation date, and the date changes the bytes', async () => {
    const first = rendered.find((r) => r.name === 'LDL-SES_2022.01.xml');
    assert.ok(first);
    const again = await pdfForCda(first.cda, readCdaHeader(first.cda), { creationDate: fixedDate });
    assert.ok(again.content.equals(first.pdf));
    const later = await pdfForCda(first.cda, readCdaHeader(first.cda), { creationDate: new Date('2025-03-02T08:00:00Z') });
    assert.ok(!later.content.equals(first.pdf));
  });

  it('writes the PDF/A identification, escaped XMP metadata and the sRGB output intent', () => {
    const r = rendered.find((x) => x.name === 'synthetic-11490-0.xml');
    assert.ok(r);
    const raw = r.pdf.toString('latin1');
    assert.match(raw, /<pdfaid:part>1<\/pdfaid:part>/);
    assert.match(raw, /<pdfaid:conformance>B<\/pdfaid:conformance>/);
    assert.match(raw, /<xmp:CreateDate>2025-03-01T08:00:00Z<\/xmp:CreateDate>/);
    assert.match(raw, /<dc:creator><rdf:Seq><rdf:li>[^<]*D'ARC &amp; &lt;FILS&gt;<\/rdf:li>/);
    assert.match(raw, /\/S \/GTS_PDFA1/);
    assert.match(raw, /\/OutputConditionIdentifier \(sRGB IEC61966-2\.1\)/);
    assert.match(raw, /^%PDF-1\.4/);
  });

  it('stops a huge narrative at the page or character limit with RLS_PDFA_TOO_LARGE', async () => {
    const base = syntheticCda({ ...synthBase, typeCode: '11490-0', level: 'N3' });
    const long = '<paragraph>Ligne de texte assez longue pour remplir une page après une autre page.</paragraph>'.repeat(20_000);
    const huge = Buffer.from(base.replace('</structuredBody>', `<component><section><title>Annexe</title><text>${long}</text></section></component></structuredBody>`));
    const header = readCdaHeader(huge);
    const heapBefore = process.memoryUsage().heapUsed;
    await assert.rejects(pdfForCda(huge, header, { maxPages: 20 }), (e) => isRelaisError(e) && e.code === 'RLS_PDFA_TOO_LARGE' && e.details.maxPages === 20);
    await assert.rejects(pdfForCda(huge, header, { maxNarrativeChars: 100_000 }),
      (e) => isRelaisError(e) && e.code === 'RLS_PDFA_TOO_LARGE' && e.details.maxChars === 100_000);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 200 * 1024 * 1024);
  });
});

async function plainPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ pdfVersion: '1.4' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => doc.on('end', resolve));
  doc.fontSize(12).text('Bonjour');
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
