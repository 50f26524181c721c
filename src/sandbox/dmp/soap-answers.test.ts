import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAnswer, parseSoapAnswer } from '../../dmp/index.js';
import { queryResponseXml, registryResponseXml, soapFaultXml } from './soap-answers.js';

describe('sandbox SOAP answers read by the dmp layer', () => {
  it('writes a Success RegistryResponse echoing the MessageID', () => {
    const a = parseSoapAnswer(registryResponseXml('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b', 'urn:uuid:m1', []));
    assert.ok(a.kind === 'registry');
    assert.equal(a.status, 'Success');
    assert.equal(a.relatesTo, 'urn:uuid:m1');
    assert.deepEqual(a.errors, []);
  });

  it('writes a Failure RegistryResponse with errorCode, codeContext, severity and location', () => {
    const xml = registryResponseXml('urn:ihe:iti:2010:UpdateDocumentSet', undefined, [{ errorCode: 'XDSMetadataUpdateError', codeContext: 'a "quoted" <ctx>', location: 'urn:uuid:x' }]);
    const a = parseSoapAnswer(xml);
    assert.ok(a.kind === 'registry');
    assert.equal(a.status, 'Failure');
    assert.deepEqual(a.errors, [{ errorCode: 'XDSMetadataUpdateError', codeContext: 'a "quoted" <ctx>', severity: 'Error', location: 'urn:uuid:x' }]);
  });

  it('writes a LeafClass AdhocQueryResponse with uniqueId, entryUUID, status, patientId, hash and size', () => {
    const a = parseSoapAnswer(queryResponseXml('urn:uuid:m2', [{
      entryUUID: 'urn:uuid:e1', uniqueId: '1.2.3', patientId: '1^^^&1.2.250.1.213.1.4.10&ISO', status: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
      typeCode: { code: '11490-0', codingScheme: '2.16.840.1.113883.6.1' }, hash: 'ab', size: 12, mimeType: 'text/xml',
    }]));
    assert.ok(a.kind === 'registry');
    assert.deepEqual(a.entries, [{ entryUUID: 'urn:uuid:e1', uniqueId: '1.2.3', patientId: '1^^^&1.2.250.1.213.1.4.10&ISO', status: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved', hash: 'ab', size: 12 }]);
  });

  it('writes a Sender fault with its subcode, classified as refused', () => {
    const xml = soapFaultXml('Sender', 'wsse:FailedCheck', 'VIHF refusé', 'urn:uuid:m3');
    const a = parseSoapAnswer(xml);
    assert.ok(a.kind === 'fault');
    assert.equal(a.code, 'Sender');
    assert.deepEqual(a.subcodes, ['wsse:FailedCheck']);
    assert.equal(a.reason, 'VIHF refusé');
    const c = classifyAnswer(400, 'application/soap+xml', Buffer.from(xml));
    assert.equal(c.ok ? '' : c.error.code, 'RLS_DMP_REFUSED');
  });
});
