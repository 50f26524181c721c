import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isRelaisError, type RelaisError } from '../domain/index.js';
import { scanHeader } from './header-scan.js';
import { openXml, sourceBytes, type XmlEncoding } from './safe-xml.js';
import { checkWellFormed } from './xml-well-formed.js';

const cdaDir = fileURLToPath(new URL('../../../shared/vectors/cda/', import.meta.url));

function errorOf(fn: () => unknown): RelaisError | undefined {
  try {
    fn();
  } catch (e) {
    if (isRelaisError(e)) return e;
    throw e;
  }
  return undefined;
}

/** checkWellFormed over a text written as UTF-8 (or as ISO-8859-1/15 when asked). */
function check(xml: string, encoding: XmlEncoding = 'utf-8'): string {
  const bytes = Buffer.from(xml, encoding === 'utf-8' ? 'utf8' : 'latin1');
  return errorOf(() => checkWellFormed(bytes, encoding))?.code ?? 'ok';
}

function reasonOf(xml: string): unknown {
  return errorOf(() => checkWellFormed(Buffer.from(xml), 'utf-8'))?.details.reason;
}

const open = '<ClinicalDocument xmlns="urn:hl7-org:v3">';
const close = '</ClinicalDocument>';
const doc = (content: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${open}${content}${close}\n`;

describe('checkWellFormed on whole documents', () => {
  it('accepts every ANS CDA fixture', () => {
    for (const file of ['IMG_CR_IMG_2024.01_CDA-R2-Niveau-1.xml', 'DOC_NON_STRUCTURE_CDA-R2-N1.xml', 'IMG_CR_IMG_2024.01.xml', 'eP-MED-DM_2024.01_PosoStruct.xml']) {
      const { bytes, encoding } = sourceBytes(openXml(readFileSync(cdaDir + file)));
      assert.doesNotThrow(() => checkWellFormed(bytes, encoding), file);
    }
  });

  it('accepts comments, PIs, CDATA, references, a > in a value and an empty comment', () => {
    const content = '<!-- c --><!----><?pi data?><a b="x>y" c=\'&quot;&#233;&#x41;\'>t &lt; &amp; &gt; &apos; &quot;<![CDATA[<&>]]></a >';
    assert.equal(check(doc(content)), 'ok');
    assert.equal(check(`<?xml version="1.0"?><!-- avant --><?pi x?>\n${open}${close}<!-- après -->\n<?fin?>\n`), 'ok');
    assert.equal(check(`${open.replace('>', '/>')}`), 'ok');
  });

  it('accepts prefixes declared in the body, on the element or an ancestor, and xml: without declaration', () => {
    assert.equal(check(doc('<s xmlns:p="urn:p"><p:a p:x="1" xml:lang="fr"><p:b/></p:a></s><c xmlns=""><d/></c>')), 'ok');
    assert.equal(check(doc('<p:a xmlns:p="urn:p"/>')), 'ok');
  });

  it('accepts non-ASCII names in UTF-8, ISO-8859-1 and ISO-8859-15', () => {
    const content = '<données attribut_é="é"><sous-élément/></données>';
    assert.equal(check(doc(content)), 'ok');
    assert.equal(check(doc(content).replace('UTF-8', 'ISO-8859-1'), 'iso-8859-1'), 'ok');
    assert.equal(check(doc(content).replace('UTF-8', 'ISO-8859-15'), 'iso-8859-15'), 'ok');
  });

  it('refuses a start tag whose name is not ASCII when it is malformed', () => {
    assert.equal(check(doc('<données a="1" a="2"/>')), 'RLS_CDA_NOT_XML');
    assert.equal(check(doc('<données>x</donnée>')), 'RLS_CDA_NOT_XML');
  });

  it('refuses what is not well-formed, with RLS_CDA_NOT_XML', () => {
    const bad: [string, string][] = [
      ['<a><b></a></b>', 'end tag does not match the open element'],
      ['<a>', 'end tag does not match the open element'],
      ['</a>', 'end tag does not match the open element'],
      ['<a>x & y</a>', 'an ampersand does not start a reference'],
      ['<a>x &nbsp; y</a>', 'an entity or character reference is not defined'],
      ['<a>&#0;</a>', 'an entity or character reference is not defined'],
      ['<a>&#xD800;</a>', 'an entity or character reference is not defined'],
      ['<a>x < y</a>', 'invalid start tag'],
      ['<a>]]></a>', 'a CDATA end (]]>) in text'],
      ['<a b="1" b="2"/>', 'an attribute is repeated'],
      ['<a xmlns:p="urn:x" xmlns:q="urn:x" p:b="1" q:b="2"/>', 'an attribute is repeated'],
      ['<a b=1/>', 'malformed start tag'],
      ['<a b="1"c="2"/>', 'malformed start tag'],
      ['<a b="<"/>', 'malformed start tag'],
      ['<a b="&x;"/>', 'an entity or character reference is not defined'],
      ['<a/ >', 'malformed start tag'],
      ['<p:a/>', 'a namespace prefix is not bound'],
      ['<a p:b="1"/>', 'a namespace prefix is not bound'],
      ['<s xmlns:p="urn:p"/><p:a/>', 'a namespace prefix is not bound'],
      ['<a xmlns:p=""/>', 'a namespace prefix cannot be undeclared'],
      ['<a xmlns:xmlns="urn:x"/>', 'a reserved namespace prefix or name is bound'],
      ['<a xmlns:xml="urn:x"/>', 'a reserved namespace prefix or name is bound'],
      ['<xmlns:a/>', 'an element name has the prefix xmlns'],
      ['<!-- a -- b -->', 'comment is not well-formed'],
      ['<!-- a --->', 'comment is not well-formed'],
      ['<!-- a', 'unterminated comment'],
      ['<![CDATA[ a', 'unterminated CDATA section'],
      ['<? x?>', 'processing instruction without a valid target'],
      ['<?xml version="1.0"?>', 'an XML declaration is allowed only at the start'],
      ['<?pi x', 'unterminated processing instruction'],
      ['<!ELEMENT a ANY>', 'unexpected declaration'],
    ];
    for (const [content, reason] of bad) assert.equal(reasonOf(doc(content)), reason, content);
  });

  it('refuses a faulty prolog or epilog', () => {
    assert.equal(reasonOf(`texte${open}${close}`), 'content before the root element');
    assert.equal(reasonOf(`${open}${close}texte`), 'content after the root element');
    assert.equal(reasonOf(`${open}${close}${open}${close}`), 'content after the root element');
    assert.equal(reasonOf(`${open}${close}<!-- x`), 'unterminated comment');
    assert.equal(reasonOf(`<?xml version="1.0" foo="x"?>${open}${close}`), 'the XML declaration is not well-formed');
    assert.equal(reasonOf(`<?xml encoding="UTF-8"?>${open}${close}`), 'the XML declaration is not well-formed');
    assert.equal(reasonOf(`<?xml version="1.0"${open}${close}`), 'unterminated XML declaration');
    assert.equal(reasonOf(`<?xml version="1.0"${open}${close}<?pi?>`), 'the XML declaration is not well-formed');
    assert.equal(reasonOf(doc('<a>').slice(0, -close.length - 1)), 'unclosed element at end of document');
    assert.equal(reasonOf(`\n<?xml version="1.0"?>${open}${close}`), 'an XML declaration is allowed only at the start');
  });

  it('gives the byte offset of the fault and no document text', () => {
    const xml = doc('<title>DUPONT Hélène</title><a>DUPONT</b>');
    const e = errorOf(() => checkWellFormed(Buffer.from(xml), 'utf-8'));
    assert.equal(e?.details.column, Buffer.from(xml).indexOf('</b>'));
    assert.doesNotMatch(JSON.stringify(e?.details), /DUPONT/);
  });

  it('checks only the rest of the document when resuming inside the root', () => {
    const xml = `${open}<a>&bogus;</a><component><b/></component>${close}`;
    const bytes = Buffer.from(xml);
    const resume = { rootAt: 0, at: xml.indexOf('<component>'), rootScope: { '': 'urn:hl7-org:v3' } };
    assert.doesNotThrow(() => checkWellFormed(bytes, 'utf-8', resume));
    assert.equal(errorOf(() => checkWellFormed(bytes, 'utf-8'))?.code, 'RLS_CDA_NOT_XML');
    const broken = Buffer.from(xml.replace('<b/>', '<b>'));
    assert.equal(errorOf(() => checkWellFormed(broken, 'utf-8', resume))?.details.reason, 'end tag does not match the open element');
  });

  it('resumes with the root prefix and bindings the header reader found', () => {
    const xml = `<cda:ClinicalDocument xmlns:cda="urn:hl7-org:v3"><cda:component><cda:x/></cda:component></cda:ClinicalDocument>`;
    const scan = scanHeader(xml);
    const stop = scan.stoppedAt;
    assert.ok(stop !== undefined);
    assert.doesNotThrow(() => checkWellFormed(Buffer.from(xml), 'utf-8', { rootAt: stop.rootAt, at: stop.componentAt, rootScope: stop.rootScope }));
    const wrongEnd = Buffer.from(xml.replace('</cda:ClinicalDocument>', '</ClinicalDocument>'));
    assert.equal(errorOf(() => checkWellFormed(wrongEnd, 'utf-8', { rootAt: stop.rootAt, at: stop.componentAt, rootScope: stop.rootScope }))?.code, 'RLS_CDA_NOT_XML');
  });

  it('reads tags longer than its window and tags followed by a long text', () => {
    const longValue = 'v'.repeat(20_000);
    assert.equal(check(doc(`<a b="${longValue}"/><c>${'x'.repeat(20_000)}</c><d e="1"/>`)), 'ok');
    assert.equal(check(doc(`<a b="${longValue}"/><c>${'x'.repeat(20_000)}</c><d e="1" e="2"/>`)), 'RLS_CDA_NOT_XML');
    // A tag straddling the end of one window and every other window boundary: many small tags.
    assert.equal(check(doc('<e a="1">t</e>'.repeat(3000))), 'ok');
    assert.equal(check(doc(`${'<e a="1">t</e>'.repeat(3000)}<e a="1" a="1"/>`)), 'RLS_CDA_NOT_XML');
  });
});
