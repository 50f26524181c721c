import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isRelaisError } from '../domain/index.js';
import { fixture } from './testing.js';
import { buildXadesSignature, verifyXadesSignature, XADES_NS } from './xades.js';

const f = await fixture();
const cda = { uniqueId: '1.2.250.1.999.2.3001', content: Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"/>\r\n') };
const base = { documents: [cda], submissionSetUniqueId: '1.2.250.1.999.5.9', signatureUniqueId: '1.2.250.1.999.6.9', signer: f.signer,
  now: new Date('2025-02-03T09:00:00Z') };
const xml = buildXadesSignature(base).toString('utf8');

function rejects(text: string): void {
  assert.throws(() => verifyXadesSignature(text, f.chain.sign.certPem, [cda]), (e) => isRelaisError(e) && e.code === 'RLS_DMP_MALFORMED');
}

describe('XAdES signature document', () => {
  it('verifies and lists the document and the SubmissionSet in the IHE manifest', () => {
    const v = verifyXadesSignature(xml, f.chain.sign.certPem, [cda]);
    assert.equal(v.signatureId, '1.2.250.1.999.6.9');
    assert.deepEqual(v.manifest.map((m) => [m.uri, m.digest]), [
      ['urn:oid:1.2.250.1.999.2.3001', createHash('sha1').update(cda.content).digest('base64')],
      ['urn:oid:1.2.250.1.999.5.9', 'AA=='],
    ]);
  });

  it('follows the ANS sample shape: C14N with comments, RSA-SHA1, XAdES 1.1.1, purposeOfSignature, implied policy', () => {
    assert.ok(xml.includes('<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"/>'));
    assert.ok(xml.includes('<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>'));
    assert.ok(xml.includes('URI="#IHEManifest" Type="http://www.w3.org/2000/09/xmldsig#Manifest"'));
    assert.ok(xml.includes('Type="http://uri.etsi.org/01903/v1.1.1#SignedProperties"'));
    assert.ok(xml.includes(`xmlns:xades="${XADES_NS}"`));
    assert.ok(xml.includes('<ds:SignatureProperty Id="purposeOfSignature" Target="#1.2.250.1.999.6.9">1.2.840.10065.1.12.1.14</ds:SignatureProperty>'));
    assert.ok(xml.includes('<xades:SigningTime>2025-02-03T09:00:00Z</xades:SigningTime>'));
    assert.ok(xml.includes('<xades:SignaturePolicyImplied/>'));
    assert.ok(xml.includes(createHash('sha1').update(f.signer.certificate.raw).digest('base64')));
    assert.ok(xml.includes(`<ds:X509SerialNumber>${BigInt(`0x${f.signer.certificate.serialNumber}`)}</ds:X509SerialNumber>`));
  });

  it('uses SHA-256 when configured', () => {
    const x = buildXadesSignature({ ...base, signatureHash: 'sha256', digestHash: 'sha256', canonicalization: 'exc-c14n' }).toString();
    assert.ok(x.includes('xmldsig-more#rsa-sha256') && x.includes('xmlenc#sha256') && !x.includes('#sha1"'));
    assert.equal(verifyXadesSignature(x, f.chain.sign.certPem, [cda]).manifest[0]?.digest, createHash('sha256').update(cda.content).digest('base64'));
  });

  it('refuses a manifest digest that does not match the document', () => {
    assert.throws(() => verifyXadesSignature(xml, f.chain.sign.certPem, [{ ...cda, content: Buffer.from('other') }]),
      (e) => isRelaisError(e) && e.code === 'RLS_DMP_MALFORMED');
  });

  it('refuses a signature whose manifest was changed after signing', () => {
    rejects(xml.replace('urn:oid:1.2.250.1.999.5.9', 'urn:oid:1.2.250.1.999.5.8'));
  });

  it('refuses a signing time changed after signing', () => {
    rejects(xml.replace('2025-02-03T09:00:00Z', '2025-02-04T09:00:00Z'));
  });

  it('refuses a document uniqueId that is not an OID', () => {
    assert.throws(() => buildXadesSignature({ ...base, documents: [{ ...cda, uniqueId: '1.2.3^ext' }] }),
      (e) => isRelaisError(e) && e.code === 'RLS_XDS_UNIQUE_ID');
  });
});
