import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from '@xmldom/xmldom';
import { parseXml } from '../../dmp/index.js';
import { provideAndRegisterXml, type XdsSubmission } from '../../xds/index.js';
import { isInsPatientId, submissionErrors } from './metadata-rules.js';
import { readSubmission } from './read-submission.js';
import { PATIENT_ID, sandboxFixture, submissionFor } from './testing.js';

const f = await sandboxFixture();

function check(s: XdsSubmission, edit: (xml: string) => string = (x) => x, vihfPatientId = PATIENT_ID) {
  const xml = edit(provideAndRegisterXml(s, { documents: 'inline' }).xml);
  const root = parseXml(xml).documentElement as Element;
  const request = root.getElementsByTagNameNS('urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0', 'SubmitObjectsRequest')[0] as Element;
  return submissionErrors(readSubmission(request), new Map(s.documents.map((d) => [d.entryUUID, d.content])), vihfPatientId);
}

describe('DMP sandbox metadata rules', () => {
  const good = submissionFor(f, { documentId: '1.2.250.1.999.3.1' });

  it('finds nothing wrong in a submission built by xds buildSubmission', () => {
    assert.deepEqual(check(good), []);
  });

  it('accepts only INS patientIds with an INS OID', () => {
    assert.equal(isInsPatientId(PATIENT_ID), true);
    assert.equal(isInsPatientId('248000000000001^^^&1.2.250.1.999.1&ISO'), false);
    assert.equal(isInsPatientId('IPP-1^^^&1.2.250.1.213.1.4.10'), false);
  });

  it('reports a patient other than the VIHF one as XDSPatientIdDoesNotMatch', () => {
    const errors = check(good, (x) => x, '148000000000002^^^&1.2.250.1.213.1.4.10&ISO');
    assert.ok(errors.length > 0);
    assert.ok(errors.every((e) => e.errorCode === 'XDSPatientIdDoesNotMatch'));
  });

  it('reports a submissionTime that is not 14 UTC digits', () => {
    const errors = check(good, (x) => x.replace(/(<rim:Slot name="submissionTime"><rim:ValueList><rim:Value>)\d{14}/, '$12025-02-03T09:00:00Z'));
    assert.deepEqual(errors.map((e) => e.codeContext), ['XDSSubmissionSet.submissionTime doit être une date UTC AAAAMMJJhhmmss']);
  });

  it('reports a missing practiceSettingCode', () => {
    const errors = check(good, (x) => x.replace(/<rim:Classification[^>]*classificationScheme="urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"[^>]*>.*?<\/rim:Classification>/, ''));
    assert.deepEqual(errors.map((e) => e.codeContext), ['XDSDocumentEntry.practiceSettingCode absent ou incomplet']);
  });

  it('reports a size that differs from the attached bytes', () => {
    const bad = { ...good, documentEntries: good.documentEntries.map((e, i) => i === 0 ? { ...e, size: e.size + 1 } : e) };
    assert.deepEqual(check(bad).map((e) => e.errorCode), ['XDSNonIdenticalSize']);
  });

  it('reports a document entry without attached bytes as XDSMissingDocument', () => {
    const bad = { ...good, documents: good.documents.slice(1) };
    assert.deepEqual(check(bad).map((e) => e.errorCode), ['XDSMissingDocument']);
  });
});
