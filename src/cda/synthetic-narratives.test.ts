import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isValidLoincCode } from './segur-document-types.js';
import { narrativeFor, sectionLines, wordingFor } from './synthetic-narratives.js';

describe('narrativeFor', () => {
  for (const code of ['11490-0', '34874-8', '18748-4', '11502-2', '11488-4', '57833-6', '89601-9']) {
    it(`gives 2 to 4 sections with valid LOINC section codes for type ${code}`, () => {
      const sections = narrativeFor(code, wordingFor('F'));
      assert.ok(sections.length >= 2 && sections.length <= 4, String(sections.length));
      for (const s of sections) {
        assert.ok(isValidLoincCode(s.code), s.code);
        assert.ok(s.title !== '' && (s.paragraphs !== undefined || s.items !== undefined || s.table !== undefined));
      }
    });
  }

  it('writes a text of its own for each main type', () => {
    const titles = ['11490-0', '34874-8', '18748-4', '11502-2', '11488-4', '57833-6'].map((c) => narrativeFor(c, wordingFor('M'))[0]?.title);
    assert.equal(new Set(titles).size, titles.length);
  });

  it('agrees the text with the patient gender', () => {
    const f = JSON.stringify(narrativeFor('11490-0', wordingFor('F')));
    const m = JSON.stringify(narrativeFor('11490-0', wordingFor('M')));
    assert.match(f, /La patiente a été hospitalisée/);
    assert.match(m, /Le patient a été hospitalisé /);
  });
});

describe('sectionLines', () => {
  it('renders paragraphs, list items and table rows as lines under the title', () => {
    assert.deepEqual(sectionLines({ code: '1-8', displayName: 'x', title: 'Titre', paragraphs: ['p'], items: ['i'], table: { head: ['a', 'b'], rows: [['1', '2']] } }),
      ['TITRE', 'p', '- i', 'a | b', '1 | 2']);
  });
});
