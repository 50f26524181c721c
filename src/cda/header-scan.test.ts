import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError } from '../domain/index.js';
import { scanHeader } from './header-scan.js';
import { child, HL7_V3, text } from './xml-element.js';

const open = '<ClinicalDocument xmlns="urn:hl7-org:v3">';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isRelaisError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('scanHeader', () => {
  it('stops at the first root-level component and reads the nonXMLBody text attributes', () => {
    const scan = scanHeader(`${open}<title>T</title><component><!-- c --><nonXMLBody>\n<text representation="B64" mediaType="application/pdf">JVBE`);
    assert.deepEqual(scan.body, { kind: 'nonXMLBody', textMediaType: 'application/pdf', textRepresentation: 'B64' });
    assert.equal(text(child(scan.root, 'title')), 'T');
  });

  it('does not stop at a component nested in a header element', () => {
    const scan = scanHeader(`${open}<documentationOf><component><x/></component></documentationOf><component><structuredBody>`);
    assert.deepEqual(scan.body, { kind: 'structuredBody' });
    assert.ok(child(scan.root, 'documentationOf') !== undefined);
  });

  it('marks the body as truncated when the input ends right after the component tag', () => {
    assert.deepEqual(scanHeader(`${open}<component>  `).body, { truncated: true });
    assert.deepEqual(scanHeader(`${open}<component><nonXMLBody>`).body, { kind: 'nonXMLBody', truncated: true });
  });

  it('decodes references, CDATA and CRLF in text, and normalizes white space in attributes', () => {
    const scan = scanHeader(`${open}<title>A &lt;&#x42;&gt; &#233;<![CDATA[<c>]]>\r\nd</title><id root="1.2\r\n3"/></ClinicalDocument>`);
    assert.equal(child(scan.root, 'title')?.textContent(), 'A <B> é<c>\nd');
    assert.equal(child(scan.root, 'id')?.attribute('root'), '1.2 3');
  });

  it('resolves namespaces per element, including an undeclared default namespace', () => {
    const scan = scanHeader(`${open}<a xmlns=""><b/></a><p:c xmlns:p="urn:hl7-org:v3"/></ClinicalDocument>`);
    const [a, c] = scan.root.childElements();
    assert.equal(a?.namespace, null);
    assert.equal(a?.childElements()[0]?.namespace, null);
    assert.equal(c?.namespace, HL7_V3);
    assert.equal(c?.localName, 'c');
  });

  it('reads the whole document when there is no root-level component and checks what follows the root', () => {
    assert.equal(scanHeader(`${open}<title/></ClinicalDocument>\n<!-- fin -->\n`).body, undefined);
    assert.equal(codeOf(() => scanHeader(`${open}</ClinicalDocument><x/>`)), 'RLS_CDA_NOT_XML');
  });

  it('refuses a root other than the HL7 v3 ClinicalDocument before reading further', () => {
    assert.equal(codeOf(() => scanHeader('<ClinicalDocument xmlns="urn:x"><a></b>')), 'RLS_CDA_NOT_CDA');
  });

  it('refuses malformed markup with RLS_CDA_NOT_XML', () => {
    for (const bad of [
      `${open}<a></b>`, `${open}<a b="1" b="2"/>`, `${open}<p:a/>`, `${open}<a>&bogus;</a>`, `${open}<a>&#0;</a>`, `${open}<a>x & y</a>`,
      `${open}<a>]]></a>`, `${open}<!-- x -- y -->`, `${open}<? x?>`, `${open}<!ELEMENT a ANY>`, `${open}<a b='<'/>`, `${open}<a b="1"c="2"/>`,
      `<?xml version="1.0"?><?xml version="1.0"?>${open}`, `x${open}`, `${open}<a/>`, `${open}<a xmlns:p=""/>`,
    ]) {
      assert.equal(codeOf(() => scanHeader(bad)), 'RLS_CDA_NOT_XML', bad);
    }
  });

  it('gives the position but no document text in error details', () => {
    try {
      scanHeader(`${open}<title>DUPONT</titl>`);
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(isRelaisError(e));
      assert.equal(typeof e.details.column, 'number');
      assert.doesNotMatch(JSON.stringify(e.details), /DUPONT/);
    }
  });
});
