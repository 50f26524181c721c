import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isRelaisError } from '../domain/index.js';
import { extractNonXmlBody } from './non-xml-body.js';

const cdaDir = fileURLToPath(new URL('../../../shared/vectors/cda/', import.meta.url));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function doc(body: string): string {
  return `<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.3"/><code code="11502-2"/>
<recordTarget><patientRole><id root="1.2.3.4" extension="1"/></patientRole></recordTarget>${body}</ClinicalDocument>`;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isRelaisError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('extractNonXmlBody', () => {
  it('returns the PDF of the N1 imaging fixture, byte for byte', () => {
    const body = extractNonXmlBody(readFileSync(`${cdaDir}IMG_CR_IMG_2024.01_CDA-R2-Niveau-1.xml`));
    assert.equal(body?.mediaType, 'application/pdf');
    assert.equal(body?.bytes.length, 61736);
    assert.equal(body?.bytes.subarray(0, 8).toString('latin1'), '%PDF-1.7');
    assert.equal(sha256(body?.bytes ?? Buffer.alloc(0)), 'ce6c6ca92158909917fb6097f562c69f08dcc7b070635af1ad8e42b4eabe48ea');
  });

  it('returns undefined for an N3 document unless its PDF copy is asked for', () => {
    const bytes = readFileSync(`${cdaDir}BIO-CR-BIO_2024.01_TSH_1.xml`);
    assert.equal(extractNonXmlBody(bytes), undefined);
    const copy = extractNonXmlBody(bytes, { includeN3Copy: true });
    assert.equal(copy?.mediaType, 'application/pdf');
    assert.equal(sha256(copy?.bytes ?? Buffer.alloc(0)), 'bed94d7deded3753fa560ea0a9c20fa1828eea955bcae34af583e0d61c12fffb');
  });

  it('skips observationMedia that are not PDF when looking for the N3 copy', () => {
    const bytes = readFileSync(`${cdaDir}eP-MED-DM_2024.01_PosoStruct.xml`);
    assert.equal(extractNonXmlBody(bytes, { includeN3Copy: true })?.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  });

  it('returns undefined for an N3 document without a PDF copy', () => {
    assert.equal(extractNonXmlBody(readFileSync(`${cdaDir}LDL-SES_2022.01.xml`), { includeN3Copy: true }), undefined);
  });

  it('accepts base64 split over lines and without = padding', () => {
    const body = extractNonXmlBody(doc('<component><nonXMLBody><text mediaType="application/pdf" representation="B64">JVBE\n  Ri0xLjQ</text></nonXMLBody></component>'));
    assert.equal(body?.bytes.toString('latin1'), '%PDF-1.4');
  });

  it('decodes a TXT representation as UTF-8 text and defaults the media type to text/plain', () => {
    const body = extractNonXmlBody(doc('<component><nonXMLBody><text>Compte rendu &amp; résultat</text></nonXMLBody></component>'));
    assert.deepEqual(body, { mediaType: 'text/plain', bytes: Buffer.from('Compte rendu & résultat', 'utf8') });
  });

  it('returns undefined when the body only references an external document', () => {
    assert.equal(extractNonXmlBody(doc('<component><nonXMLBody><text mediaType="application/pdf"><reference value="http://x/y.pdf"/></text></nonXMLBody></component>')), undefined);
  });

  it('answers RLS_CDA_BAD_BODY for invalid base64 or an unknown representation', () => {
    assert.equal(codeOf(() => extractNonXmlBody(doc('<component><nonXMLBody><text representation="B64">JVBE*Ri0</text></nonXMLBody></component>'))), 'RLS_CDA_BAD_BODY');
    assert.equal(codeOf(() => extractNonXmlBody(doc('<component><nonXMLBody><text representation="B64">JVBER</text></nonXMLBody></component>'))), 'RLS_CDA_BAD_BODY');
    assert.equal(codeOf(() => extractNonXmlBody(doc('<component><nonXMLBody><text representation="HEX">00</text></nonXMLBody></component>'))), 'RLS_CDA_BAD_BODY');
  });

  it('applies the same refusals as readCdaHeader', () => {
    assert.equal(codeOf(() => extractNonXmlBody('Document medcial au format CDA niveau 1')), 'RLS_CDA_NOT_XML');
    assert.equal(codeOf(() => extractNonXmlBody(`<!DOCTYPE x>${doc('')}`)), 'RLS_CDA_FORBIDDEN_DTD');
    assert.equal(codeOf(() => extractNonXmlBody('<other xmlns="urn:hl7-org:v3"/>')), 'RLS_CDA_NOT_CDA');
    assert.equal(codeOf(() => extractNonXmlBody(doc(''), { maxBytes: 10 })), 'RLS_CDA_TOO_LARGE');
  });
});
