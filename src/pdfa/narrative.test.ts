import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSafeXml } from '../cda/index.js';
import { isRelaisError } from '../domain/index.js';
import { readNarrative, type NarrativeSection } from './narrative.js';

const limits = { maxChars: 100_000, maxDepth: 40 };

function body(sections: string): string {
  return `<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:x="urn:example:other"><component><structuredBody>${sections}</structuredBody></component></ClinicalDocument>`;
}

function read(sections: string, l = limits): NarrativeSection[] {
  return readNarrative(loadSafeXml(body(sections)), l);
}

describe('readNarrative', () => {
  it('reads titles, paragraphs with br, lists, tables and nested sections in document order', () => {
    const [s] = read(`<component><section><title>Motif  de\n l'hospitalisation</title><text>
      Texte libre <content styleCode="Bold">gras</content> avant.
      <paragraph>Première ligne<br/>seconde   ligne</paragraph>
      <list listType="ordered"><item>un</item><item>deux <paragraph>détail</paragraph></item></list>
      <table><caption>Résultats</caption><thead><tr><th>Examen</th><th>Valeur</th></tr></thead>
        <tbody><tr><td rowspan="2">TSH</td><td>1,2 <sup>mUI</sup></td></tr><tr><td colspan="1">fin</td></tr><tr><td colspan="2">tout</td></tr></tbody></table>
      </text>
      <component><section><title>Sous-section</title><text>dedans</text></section></component>
    </section></component>`);
    assert.ok(s);
    assert.equal(s.title, "Motif de l'hospitalisation");
    assert.deepEqual(s.blocks[0], { kind: 'paragraph', text: 'Texte libre gras avant.' });
    assert.deepEqual(s.blocks[1], { kind: 'paragraph', text: 'Première ligne\nseconde ligne' });
    assert.deepEqual(s.blocks[2], {
      kind: 'list', ordered: true,
      items: [[{ kind: 'paragraph', text: 'un' }], [{ kind: 'paragraph', text: 'deux' }, { kind: 'paragraph', text: 'détail' }]],
    });
    assert.deepEqual(s.blocks[3], {
      kind: 'table', caption: 'Résultats',
      rows: [
        { header: true, cells: [{ text: 'Examen', colSpan: 1, rowSpan: 1, header: true }, { text: 'Valeur', colSpan: 1, rowSpan: 1, header: true }] },
        { header: false, cells: [{ text: 'TSH', colSpan: 1, rowSpan: 2, header: false }, { text: '1,2 mUI', colSpan: 1, rowSpan: 1, header: false }] },
        { header: false, cells: [{ text: 'fin', colSpan: 1, rowSpan: 1, header: false }] },
        { header: false, cells: [{ text: 'tout', colSpan: 2, rowSpan: 1, header: false }] },
      ],
    });
    assert.equal(s.sections[0]?.title, 'Sous-section');
    assert.deepEqual(s.sections[0]?.blocks, [{ kind: 'paragraph', text: 'dedans' }]);
  });

  it('keeps the text of unknown and foreign elements and marks multimedia it cannot show', () => {
    const [s] = read(`<component><section><text><inconnu>mot <b>un</b></inconnu> <x:autre>deux</x:autre><renderMultiMedia referencedObject="i1"/></text></section></component>`);
    assert.equal(s?.title, undefined);
    assert.deepEqual(s?.blocks, [{ kind: 'paragraph', text: 'mot un deux [contenu multimédia non reproduit]' }]);
    const [t] = read(`<component><section><text><table><tbody><tr><td><renderMultiMedia referencedObject="doc-1"/></td></tr></tbody></table></text></section></component>`);
    assert.deepEqual(t?.blocks, [{ kind: 'table', rows: [{ header: false, cells: [{ text: '[contenu multimédia non reproduit]', colSpan: 1, rowSpan: 1, header: false }] }] }]);
  });

  it('reads list captions apart from the items, and rows written straight under table once', () => {
    const [s] = read(`<component><section><text><list><caption>Antécédents</caption><item>un</item></list>`
      + `<table><tr><td>a</td></tr><tr><td>b</td></tr></table></text></section></component>`);
    assert.deepEqual(s?.blocks, [
      { kind: 'list', ordered: false, caption: 'Antécédents', items: [[{ kind: 'paragraph', text: 'un' }]] },
      { kind: 'table', rows: [
        { header: false, cells: [{ text: 'a', colSpan: 1, rowSpan: 1, header: false }] },
        { header: false, cells: [{ text: 'b', colSpan: 1, rowSpan: 1, header: false }] },
      ] },
    ]);
  });

  it('gives no section for an N1 body', () => {
    const xml = '<ClinicalDocument xmlns="urn:hl7-org:v3"><component><nonXMLBody><text mediaType="application/pdf" representation="B64">JVBERi0=</text></nonXMLBody></component></ClinicalDocument>';
    assert.deepEqual(readNarrative(loadSafeXml(xml), limits), []);
  });

  it('refuses a narrative longer than maxChars or nested deeper than maxDepth', () => {
    const long = `<component><section><text>${'abcdefghij '.repeat(200)}</text></section></component>`;
    assert.throws(() => read(long, { maxChars: 1000, maxDepth: 40 }), (e) => isRelaisError(e) && e.code === 'RLS_PDFA_TOO_LARGE');
    assert.equal(read(long, { maxChars: 3000, maxDepth: 40 }).length, 1);
    const deep = `<component><section><text>${'<list><item>'.repeat(30)}x${'</item></list>'.repeat(30)}</text></section></component>`;
    assert.throws(() => read(deep, { maxChars: 1000, maxDepth: 20 }), (e) => isRelaisError(e) && e.code === 'RLS_PDFA_TOO_LARGE');
  });
});
