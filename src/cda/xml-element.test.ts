import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlStrict } from './safe-xml.js';
import { attr, child, children, fromDomElement, path, text } from './xml-element.js';

function root(xml: string) {
  const el = parseXmlStrict(xml).documentElement;
  assert.ok(el);
  return fromDomElement(el);
}

describe('XmlElement helpers over xmldom', () => {
  const doc = root(`<r xmlns="urn:hl7-org:v3" xmlns:o="urn:other"><a k=" v "/><o:a/><a k=""/><b><c>  deux
    lignes </c></b></r>`);

  it('selects HL7 v3 children by local name only in the HL7 v3 namespace', () => {
    assert.equal(children(doc, 'a').length, 2);
    assert.equal(children(doc, 'a', 'urn:other').length, 1);
    assert.equal(child(doc, 'missing'), undefined);
  });

  it('trims attributes and treats blank ones as absent', () => {
    assert.equal(attr(child(doc, 'a'), 'k'), 'v');
    assert.equal(attr(children(doc, 'a')[1], 'k'), undefined);
    assert.equal(attr(child(doc, 'a'), 'absent'), undefined);
  });

  it('follows a path and collapses white space in text', () => {
    assert.equal(text(path(doc, 'b', 'c')), 'deux lignes');
    assert.equal(text(path(doc, 'b', 'x')), undefined);
  });
});
