import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError } from '../domain/index.js';
import { decodeReferences, emptyScope, isXmlDeclaration, piProblem, readReference, Scanner, XML_NS } from './xml-scanner.js';

function reasonOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    if (isRelaisError(e)) return e.details.reason;
    throw e;
  }
  return 'ok';
}

const hl7 = () => Object.assign(emptyScope(), { '': 'urn:hl7-org:v3' });

describe('Scanner.readStartTag', () => {
  it('reads names, namespaces and unprefixed attributes with references decoded and white space normalized', () => {
    const text = '<p:a xmlns:p="urn:p" b="x&amp;y" c="1\n2" xml:lang="fr" ><b/>';
    const tag = new Scanner(text).readStartTag(hl7());
    assert.deepEqual([tag.qname, tag.localName, tag.namespace, tag.selfClosing], ['p:a', 'a', 'urn:p', false]);
    assert.deepEqual([...tag.attrs], [['b', 'x&y'], ['c', '1 2']]);
    assert.equal(tag.scope.p, 'urn:p');
    assert.equal(tag.end, text.indexOf('<b/>'));
  });

  it('keeps no attributes when asked not to, and leaves the scope unchanged without declarations', () => {
    const scope = hl7();
    const tag = new Scanner('<a b="1"/>').readStartTag(scope, false);
    assert.equal(tag.attrs.size, 0);
    assert.equal(tag.scope, scope);
    assert.equal(tag.selfClosing, true);
  });

  it('accepts only ASCII names in ASCII mode, any name otherwise', () => {
    assert.equal(reasonOf(() => new Scanner('<é/>', true).readStartTag(hl7())), 'invalid start tag');
    assert.equal(reasonOf(() => new Scanner('<a é="1"/>', true).readStartTag(hl7())), 'malformed start tag');
    assert.equal(new Scanner('<é a-é="1"/>').readStartTag(hl7()).localName, 'é');
  });

  it('takes only space, tab, CR and LF as white space between attributes', () => {
    assert.equal(reasonOf(() => new Scanner('<a\u00a0b="1"/>').readStartTag(hl7())), 'malformed start tag');
    assert.equal(reasonOf(() => new Scanner('<a\tb="1"\r\nc="2"\n/>').readStartTag(hl7())), 'ok');
  });

  it('binds xml without declaration and refuses reserved bindings', () => {
    assert.equal(new Scanner(`<a xmlns:xml="${XML_NS}" xml:lang="fr"/>`).readStartTag(hl7()).namespace, 'urn:hl7-org:v3');
    assert.equal(reasonOf(() => new Scanner(`<a xmlns="${XML_NS}"/>`).readStartTag(hl7())), 'a reserved namespace prefix or name is bound');
    assert.equal(reasonOf(() => new Scanner(`<a xmlns:p="${XML_NS}"/>`).readStartTag(hl7())), 'a reserved namespace prefix or name is bound');
    assert.equal(reasonOf(() => new Scanner('<a xmlns:p="http://www.w3.org/2000/xmlns/"/>').readStartTag(hl7())), 'a reserved namespace prefix or name is bound');
  });

  it('resolves attribute prefixes declared later in the same tag before comparing expanded names', () => {
    assert.equal(reasonOf(() => new Scanner('<a p:x="1" xmlns:p="urn:p"/>').readStartTag(hl7())), 'ok');
    assert.equal(reasonOf(() => new Scanner('<a p:x="1" q:x="2" xmlns:p="urn:p" xmlns:q="urn:p"/>').readStartTag(hl7())), 'an attribute is repeated');
  });

  it('reports positions offset by the base of the text it reads', () => {
    const sc = new Scanner('');
    sc.reset('<a b="1" b="2"/>', 1000);
    try {
      sc.readStartTag(hl7());
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(isRelaisError(e));
      assert.equal(e.details.column, 1000);
    }
  });
});

describe('Scanner comments, PIs, declaration and end tags', () => {
  it('accepts an empty comment and refuses -- inside or - at the end', () => {
    const skip = (s: string) => reasonOf(() => new Scanner(s).skipMisc());
    assert.equal(skip('<!---->'), 'ok');
    assert.equal(skip('<!-- a - b -->'), 'ok');
    assert.equal(skip('<!-- a -- b -->'), 'comment is not well-formed');
    assert.equal(skip('<!-- a --->'), 'comment is not well-formed');
  });

  it('checks PI targets', () => {
    assert.equal(piProblem('xml-stylesheet href="a"'), undefined);
    assert.equal(piProblem('target'), undefined);
    assert.equal(piProblem(' x'), 'processing instruction without a valid target');
    assert.equal(piProblem('a"b'), 'processing instruction without a valid target');
    assert.equal(piProblem('XmL x'), 'an XML declaration is allowed only at the start');
  });

  it('checks the XML declaration syntax (XML 1.0 §2.8)', () => {
    assert.ok(isXmlDeclaration('<?xml version="1.0"?>'));
    assert.ok(isXmlDeclaration("<?xml version='1.0' encoding='ISO-8859-1' standalone='yes' ?>"));
    assert.ok(!isXmlDeclaration('<?xml ?>'));
    assert.ok(!isXmlDeclaration('<?xml encoding="UTF-8" version="1.0"?>'));
    assert.ok(!isXmlDeclaration('<?xml version="2.0"?>'));
    assert.ok(!isXmlDeclaration('<?xml version="1.0" standalone="peut-être"?>'));
  });

  it('matches an end tag against the open element, white space allowed before >', () => {
    const sc = new Scanner('</p:a \n>');
    assert.equal(sc.readEndTag('p:a'), 8);
    assert.equal(reasonOf(() => new Scanner('</p:ab>').readEndTag('p:a')), 'end tag does not match the open element');
    assert.equal(reasonOf(() => new Scanner('</a').readEndTag('a')), 'end tag does not match the open element');
  });
});

describe('references', () => {
  it('reads the five predefined entities and character references only', () => {
    assert.equal(decodeReferences('&lt;&gt;&amp;&quot;&apos;&#233;&#x1F600;', 0), '<>&"\'é😀');
    assert.deepEqual(readReference('x&nbsp;', 1), { value: undefined, end: 7 });
    assert.deepEqual(readReference('&#xFFFE;', 0), { value: undefined, end: 8 });
    assert.equal(readReference('& x;', 0), undefined);
  });
});
