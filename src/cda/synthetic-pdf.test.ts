import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { syntheticPdf } from './synthetic-pdf.js';

/** Checks the cross-reference table: every in-use entry points at "N 0 obj", startxref points at "xref". */
function checkXref(pdf: Buffer): number {
  const text = pdf.toString('latin1');
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  assert.equal(text.slice(startxref, startxref + 4), 'xref');
  const table = /^xref\n0 (\d+)\n((?:\d{10} \d{5} [nf] \n)+)trailer/.exec(text.slice(startxref));
  assert.ok(table, 'xref table readable');
  const count = Number(table[1]);
  const entries = (table[2] ?? '').match(/.{20}/gs) ?? [];
  assert.equal(entries.length, count);
  entries.forEach((entry, n) => {
    if (n === 0) return assert.equal(entry, '0000000000 65535 f \n');
    const offset = Number(entry.slice(0, 10));
    assert.equal(text.slice(offset, offset + `${n} 0 obj`.length), `${n} 0 obj`, `object ${n}`);
  });
  assert.match(text, new RegExp(`trailer\\n<< /Size ${count} /Root 1 0 R`));
  return count;
}

/** Checks each stream's /Length against the bytes between "stream\n" and "\nendstream". */
function checkStreamLengths(pdf: Buffer): void {
  const text = pdf.toString('latin1');
  const re = /\/Length (\d+) >>\nstream\n/g;
  let m: RegExpExecArray | null;
  let streams = 0;
  while ((m = re.exec(text)) !== null) {
    const start = m.index + m[0].length;
    assert.equal(text.slice(start + Number(m[1]), start + Number(m[1]) + 10), '\nendstream');
    streams++;
  }
  assert.ok(streams >= 1);
}

describe('syntheticPdf', () => {
  it('writes a PDF 1.4 that starts with %PDF-1.4 and ends with %%EOF', () => {
    const pdf = syntheticPdf('Compte rendu\nUne ligne.');
    assert.equal(pdf.subarray(0, 8).toString('latin1'), '%PDF-1.4');
    assert.equal(pdf.toString('latin1').trimEnd().slice(-5), '%%EOF');
  });

  it('has correct xref offsets and stream lengths without filler', () => {
    const pdf = syntheticPdf('Titre\nTexte avec (parenthèses) et \\ barre oblique inverse.');
    assert.equal(checkXref(pdf), 8);
    checkStreamLengths(pdf);
  });

  it('has correct xref offsets and stream lengths with filler', () => {
    const pdf = syntheticPdf('Titre\nTexte', 50_000);
    assert.equal(checkXref(pdf), 9);
    checkStreamLengths(pdf);
  });

  it('shows the text in Helvetica with WinAnsi bytes for French characters', () => {
    const text = syntheticPdf('Titre\nÉté, cœur, 12 € – fin').toString('latin1');
    assert.match(text, /\/BaseFont \/Helvetica \/Encoding \/WinAnsiEncoding/);
    assert.ok(text.includes('(\xc9t\xe9, c\x9cur, 12 \x80 \x96 fin) Tj'));
    assert.ok(text.includes('(Titre) Tj'));
  });

  it('escapes parentheses and backslashes in PDF strings', () => {
    assert.ok(syntheticPdf('a (b) \\ c').toString('latin1').includes('(a \\(b\\) \\\\ c) Tj'));
  });

  it('pads to about the requested size (within 1 KB) for the benchmark documents', () => {
    for (const size of [20_000, 175_000, 240_000]) {
      const pdf = syntheticPdf('Titre\nTexte', size);
      assert.ok(Math.abs(pdf.length - size) < 1024, `${pdf.length} vs ${size}`);
    }
  });

  it('stays small when no size is requested', () => {
    assert.ok(syntheticPdf('Titre\nTexte').length < 2048);
  });

  it('makes a filler that does not compress', () => {
    const pdf = syntheticPdf('Titre\nTexte', 100_000);
    assert.ok(deflateSync(pdf).length > pdf.length * 0.95);
  });

  it('gives the same bytes for the same input and other filler bytes for another text', () => {
    assert.deepEqual(syntheticPdf('Un texte', 30_000), syntheticPdf('Un texte', 30_000));
    const a = syntheticPdf('Un texte', 30_000);
    const b = syntheticPdf('Un autre texte', 30_000);
    assert.notDeepEqual(a.subarray(a.length - 5000), b.subarray(b.length - 5000));
  });

  it('keeps to one page when the text is long', () => {
    const pdf = syntheticPdf(Array.from({ length: 200 }, (_, i) => `Ligne ${i}`).join('\n')).toString('latin1');
    assert.match(pdf, /\/Count 1 /);
    assert.ok(!pdf.includes('(Ligne 150)'));
    checkXref(Buffer.from(pdf, 'latin1'));
  });
});
