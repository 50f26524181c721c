import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError } from '../domain/index.js';
import { parseSoapAnswer } from './soap-response.js';
import { FAILURE, QUERY, SUCCESS, VIHF_FAULT } from './test-samples.js';

describe('SOAP answers', () => {
  it('reads a RegistryResponse Success and the RelatesTo MessageID', () => {
    const a = parseSoapAnswer(SUCCESS);
    assert.equal(a.kind, 'registry');
    assert.ok(a.kind === 'registry');
    assert.equal(a.status, 'Success');
    assert.deepEqual(a.errors, []);
    assert.equal(a.relatesTo, 'urn:uuid:11111111-2222-4333-8444-555555555555');
  });

  it('reads every RegistryError of a Failure with errorCode, codeContext, severity and location', () => {
    const a = parseSoapAnswer(FAILURE);
    assert.ok(a.kind === 'registry');
    assert.equal(a.status, 'Failure');
    assert.deepEqual(a.errors, [
      { errorCode: 'XDSPatientIdDoesNotMatch', codeContext: 'Le patientId du lot ne correspond pas au document', severity: 'Error',
        location: 'urn:uuid:5a6b7c8d-0000-4000-8000-000000000001' },
      { errorCode: 'DMP_WARN_01', codeContext: 'Avertissement', severity: 'Warning' },
    ]);
  });

  it('reads the ExtrinsicObjects of an AdhocQueryResponse with entryUUID, uniqueId, status, hash and size', () => {
    const a = parseSoapAnswer(QUERY);
    assert.ok(a.kind === 'registry');
    assert.deepEqual(a.entries, [
      { entryUUID: 'urn:uuid:0b7b8e2c-3c1a-4d8e-9f00-1234567890ab', status: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
        uniqueId: '1.2.250.1.999.2.2001', patientId: '248000000000001^^^&1.2.250.1.213.1.4.10&ISO',
        hash: '4cf1a1b1b0f2a3c2d6e5f4a3b2c1d0e9f8a7b6c5', size: 1234 },
      { entryUUID: 'urn:uuid:0b7b8e2c-3c1a-4d8e-9f00-1234567890ac', status: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated' },
    ]);
  });

  it('reads a SOAP 1.2 Fault code, subcode and reason', () => {
    const a = parseSoapAnswer(VIHF_FAULT);
    assert.deepEqual(a, { kind: 'fault', code: 'Sender', subcodes: ['wsse:InvalidSecurityToken'], reason: 'Le VIHF est invalide : signature incorrecte',
      relatesTo: 'urn:uuid:11111111-2222-4333-8444-555555555555' });
  });

  it('refuses an answer with a DOCTYPE', () => {
    assert.throws(() => parseSoapAnswer(`<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>${SUCCESS}`),
      (e) => isRelaisError(e) && e.code === 'RLS_DMP_MALFORMED');
  });

  it('refuses a SOAP 1.1 envelope and a body without a registry answer', () => {
    for (const xml of ['<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>',
      '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><x/></e:Body></e:Envelope>', 'not xml at all']) {
      assert.throws(() => parseSoapAnswer(xml), (e) => isRelaisError(e) && e.code === 'RLS_DMP_MALFORMED');
    }
  });
});
