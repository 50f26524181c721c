import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { documentText, example, examples, getField, setComponent, setDocument, setField } from './testing/mutate.js';
import { assertAccepts, assertRejectsOnly, run } from './test-run.js';

const mdm = example(examples.mdmInit);
const oru = example(examples.oruInit);
const cda = documentText(mdm);

describe('document OBX-5: ED, base64 and CDA (volet A §2.4.7)', () => {
  it('answers AE 102 at OBX^1^5 when OBX-5 carries a placeholder sentence instead of a CDA', () => {
    const r = run(example(examples.mdmInitPlaceholder));
    assertRejectsOnly(r, ['102 OBX^1^5']);
    assert.match(r.ok ? '' : (r.errors[0]?.text ?? ''), /not well-formed XML/);
  });

  it('answers AE 102 at OBX^1^5 when the base64 holds a character outside the alphabet', () => {
    const b64 = getField(mdm, 'OBX', 1, 5).split('^')[4] ?? '';
    assertRejectsOnly(run(setComponent(mdm, 'OBX', 1, 5, 5, `${b64.slice(0, 100)}*${b64.slice(101)}`)), ['102 OBX^1^5']);
  });

  it('answers AE 102 at OBX^1^5 when the base64 is cut one character past a quantum', () => {
    const b64 = getField(mdm, 'OBX', 1, 5).split('^')[4] ?? '';
    assertRejectsOnly(run(setComponent(mdm, 'OBX', 1, 5, 5, b64.slice(0, 4001))), ['102 OBX^1^5']);
  });

  it('accepts base64 without padding (the ANS MDM deletion example)', () => {
    const del = example(examples.mdmDelete);
    assert.notEqual((getField(del, 'OBX', 1, 5).split('^')[4] ?? '').length % 4, 0);
    assertAccepts(run(del));
  });

  it('accepts base64 wrapped in escaped line breaks', () => {
    const b64 = Buffer.from(cda).toString('base64').replace(/(.{76})/g, '$1\\X0D0A\\');
    assertAccepts(run(setComponent(mdm, 'OBX', 1, 5, 5, b64)));
  });

  it('answers AE 102 at OBX^1^5 naming the DTD when the CDA declares a DOCTYPE', () => {
    const doctype = cda.replace('<ClinicalDocument', '<!DOCTYPE ClinicalDocument SYSTEM "http://example.org/cda.dtd">\n<ClinicalDocument');
    const r = run(setDocument(mdm, 1, doctype));
    assertRejectsOnly(r, ['102 OBX^1^5']);
    assert.match(r.ok ? '' : (r.errors[0]?.text ?? ''), /DTD/);
  });

  it('answers AE 102 at OBX^1^5 without expanding anything when the CDA declares entities (billion laughs)', () => {
    const bomb = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
      + '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n<ClinicalDocument xmlns="urn:hl7-org:v3">&lol3;</ClinicalDocument>';
    const r = run(setDocument(mdm, 1, bomb));
    assertRejectsOnly(r, ['102 OBX^1^5']);
    assert.match(r.ok ? '' : (r.errors[0]?.text ?? ''), /never expands/);
  });

  it('answers AE 102 at OBX^1^5 when the XML is not a CDA', () => {
    const r = run(setDocument(mdm, 1, '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'));
    assertRejectsOnly(r, ['102 OBX^1^5']);
    assert.match(r.ok ? '' : (r.errors[0]?.text ?? ''), /not an HL7 CDA R2/);
  });

  it('answers AE 102 at OBX^1^5 when the CDA is ISO-8859-15 bytes declared as UTF-8', () => {
    const latin = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${cda}`, 'latin1');
    const r = run(setDocument(mdm, 1, latin));
    assertRejectsOnly(r, ['102 OBX^1^5']);
    assert.match(r.ok ? '' : (r.errors[0]?.text ?? ''), /encoding/);
  });

  it('accepts a CDA in ISO-8859-15 that declares it', () => {
    const latin = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-15"?>\n${cda}`, 'latin1');
    assertAccepts(run(setDocument(mdm, 1, latin)));
  });

  it('answers AE 102 at OBX^1^5 naming the element when the CDA has no id', () => {
    const noId = cda.replace(/<id root="1\.2\.250\.1\.71\.4\.2\.2\.120456789\.71024000081"><\/id>/, '');
    assert.notEqual(noId, cda);
    assertRejectsOnly(run(setDocument(mdm, 1, noId)), ['102 OBX^1^5']);
  });

  it('answers AE 102 at OBX^1^5^1^4 when OBX-5.4 is not Base64', () => {
    assertRejectsOnly(run(setComponent(mdm, 'OBX', 1, 5, 4, 'Hex')), ['102 OBX^1^5^1^4']);
  });

  it('answers AE 102 at OBX^1^5^1^3 when OBX-5.3 is not XML', () => {
    assertRejectsOnly(run(setComponent(mdm, 'OBX', 1, 5, 3, 'PDF')), ['102 OBX^1^5^1^3']);
  });

  it('answers AE 102 at OBX^1^2 when the document OBX-2 is TX', () => {
    assertRejectsOnly(run(setField(mdm, 'OBX', 1, 2, 'TX')), ['102 OBX^1^2']);
  });

  it('answers AE 101 at OBX^1^5 when the document OBX-5 is empty', () => {
    assertRejectsOnly(run(setField(mdm, 'OBX', 1, 5, '')), ['101 OBX^1^5']);
  });

  it('answers AE 102 at OBX^1^5 when the document exceeds maxDocumentBytes', () => {
    assertRejectsOnly(run(mdm, { maxDocumentBytes: 100_000 }), ['102 OBX^1^5']);
  });

  it('accepts OBX-5.2 text in an ORU and TEXT in an MDM', () => {
    assertAccepts(run(setComponent(oru, 'OBX', 1, 5, 2, 'text')));
    assertAccepts(run(setComponent(mdm, 'OBX', 1, 5, 2, 'TEXT')));
  });

  it('returns the decoded CDA, its SHA-256, its id and type', () => {
    const [doc] = assertAccepts(run(mdm)).documents;
    assert.ok(doc !== undefined);
    assert.equal(doc.cda.toString('utf8'), cda);
    assert.equal(doc.sha256, createHash('sha256').update(doc.cda).digest('hex'));
    assert.equal(doc.documentId, '1.2.250.1.71.4.2.2.120456789.71024000081');
    assert.deepEqual(doc.typeCode, { code: '18748-4', label: "CR d'imagerie médicale", system: 'LN' });
    assert.equal(doc.header.code.code, '18748-4');
  });
});
