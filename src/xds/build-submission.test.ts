import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readCdaHeader, syntheticCda, type SyntheticDocumentOptions } from '../cda/index.js';
import { buildSubmission, type XdsSubmissionInput } from './build-submission.js';
import { deterministicUuids } from './xds-ids.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const LOINC = '2.16.840.1.113883.6.1';
const TEST_NIR = '1.2.250.1.213.1.4.10';

const docOptions: SyntheticDocumentOptions = {
  typeCode: '11490-0', level: 'N1', documentId: { root: '1.2.250.1.999.2.1001' },
  patient: { ins: '248000000000001', insOid: TEST_NIR, ipp: 'IPP-42', ippAuthority: '1.2.250.1.999.1', family: 'FICTIF-NOM',
    given: ['CAMILLE', 'ANNE'], gender: 'F', birthDate: '19800101', birthPlace: '75056' },
  effectiveTime: new Date('2025-01-15T09:30:00Z'),
  author: { rpps: '10001234567', family: 'MARTIN', given: 'Paul' },
  organization: { finess: '630000001', name: 'Centre hospitalier de démo' },
};

const noFlags = { MASQUE_PS: false, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false };

function input(options: Partial<SyntheticDocumentOptions> = {}, over: Partial<XdsSubmissionInput> = {}): XdsSubmissionInput {
  const cda = Buffer.from(syntheticCda({ ...docOptions, ...options }), 'utf8');
  return {
    cda, header: readCdaHeader(cda), patient: { ins: '248000000000001', insOid: TEST_NIR },
    requester: { personId: '801234567866', personIdType: 'IDNPS', family: 'Dupont', given: 'Jean', orgName: 'Centre hospitalier de démo',
      orgId: '630000001', orgIdType: 'FINEG' },
    flags: noFlags, patientClass: 'I', submissionTime: new Date('2025-01-16T08:00:00Z'), sourceOid: '1.2.250.1.999.7', ...over,
  };
}

const uuids = (): ReturnType<typeof deterministicUuids> => deterministicUuids('build-submission');

describe('buildSubmission from the synthetic CDA', () => {
  it('fills every DocumentEntry field of an N1 lettre de liaison', () => {
    const i = input();
    const s = buildSubmission(i, { newUuid: uuids() });
    assert.equal(s.documentEntries.length, 1);
    const d = s.documentEntries[0];
    assert.ok(d);
    assert.match(d.entryUUID, /^urn:uuid:[0-9a-f-]{36}$/);
    assert.equal(d.uniqueId, '1.2.250.1.999.2.1001');
    assert.equal(d.patientId, `248000000000001^^^&${TEST_NIR}&ISO`);
    assert.equal(d.sourcePatientId, 'IPP-42^^^&1.2.250.1.999.1&ISO');
    assert.deepEqual(d.sourcePatientInfo, ['PID-5|FICTIF-NOM^CAMILLE^CAMILLE ANNE^^^^L', 'PID-7|19800101', 'PID-8|F']);
    assert.deepEqual(d.typeCode, { code: '11490-0', codingScheme: LOINC, display: 'Lettre de liaison à la sortie d\'un établissement de soins' });
    assert.deepEqual(d.classCode, { code: '10', codingScheme: '1.2.250.1.213.1.1.4.1', display: 'Compte rendu' });
    assert.deepEqual(d.formatCode, { code: 'urn:ihe:iti:xds-sd:pdf:2008', codingScheme: '1.3.6.1.4.1.19376.1.2.3', display: 'Document à corps non structuré en Pdf/A-1' });
    assert.deepEqual(d.healthcareFacilityTypeCode, { code: 'SA01', codingScheme: '1.2.250.1.71.4.2.4', display: 'Etablissement public de santé' });
    assert.deepEqual(d.practiceSettingCode, { code: 'ETABLISSEMENT', codingScheme: '1.2.250.1.213.1.1.4.9', display: 'Etablissement de santé' });
    assert.deepEqual(d.confidentialityCodes, [{ code: 'N', codingScheme: '2.16.840.1.113883.5.25', display: 'Normal' }]);
    assert.deepEqual(d.eventCodes, []);
    // 10:30 +0100 in the CDA → 09:30 UTC; the stay started four days earlier.
    assert.equal(d.creationTime, '20250115093000');
    assert.equal(d.serviceStartTime, '20250111093000');
    assert.equal(d.serviceStopTime, '20250115093000');
    assert.equal(d.languageCode, 'fr-FR');
    assert.equal(d.title, 'Lettre de liaison à la sortie d\'un établissement de soins');
    assert.equal(d.mimeType, 'text/xml');
    assert.equal(d.hash, createHash('sha1').update(i.cda).digest('hex'));
    assert.equal(d.size, i.cda.length);
    assert.deepEqual(d.authors, [{
      person: '810001234567^MARTIN^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS',
      institutions: ['Centre hospitalier de démo^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1630000001'],
      roles: [], specialties: ['G15_10/SM27^Médecin - Médecine interne (SM)^1.2.250.1.213.1.1.4.5'], telecoms: [],
    }]);
    assert.equal(d.legalAuthenticator, '810001234567^MARTIN^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS');
    assert.deepEqual(d.referenceIds, []);
    assert.deepEqual(s.documents, [{ entryUUID: d.entryUUID, content: i.cda }]);
  });

  it('fills the SubmissionSet from the requester, PV1-2 and the submission time', () => {
    const s = buildSubmission(input(), { newUuid: uuids() }).submissionSet;
    assert.equal(s.submissionTime, '20250116080000');
    assert.equal(s.sourceId, '1.2.250.1.999.7');
    assert.match(s.uniqueId, /^2\.25\.\d+$/);
    assert.deepEqual(s.contentTypeCode, { code: '03', codingScheme: '1.2.250.1.213.2.2', display: 'Hospitalisation complète (non compris hospitalisation de semaine)' });
    assert.equal(s.patientId, `248000000000001^^^&${TEST_NIR}&ISO`);
    assert.deepEqual(s.authors, [{
      person: '801234567866^Dupont^Jean^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS',
      institutions: ['Centre hospitalier de démo^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1630000001'], roles: [], specialties: [], telecoms: [],
    }]);
  });

  it('links the SubmissionSet to the document with one HasMember Original', () => {
    const s = buildSubmission(input(), { newUuid: uuids() });
    assert.deepEqual(s.associations.map((a) => [a.kind, a.sourceObject, a.targetObject, a.submissionSetStatus]), [
      ['HasMember', s.submissionSet.entryUUID, s.documentEntries[0]?.entryUUID, 'Original'],
    ]);
  });

  it('converts a summer +0200 time to UTC and gives a model-less N3 the outside-models formatCode', () => {
    const s = buildSubmission(input({ level: 'N3', effectiveTime: new Date('2025-07-01T10:00:00Z') }), { newUuid: uuids() });
    const d = s.documentEntries[0];
    assert.equal(d?.creationTime, '20250701100000');
    assert.equal(d?.formatCode.code, 'urn:asipSante:modelesHorsProfils:2011');
  });

  it('takes the N3 formatCode from a content-model templateId', () => {
    const s = buildSubmission(input({ level: 'N3', templateIds: [{ root: '1.2.250.1.213.1.1.1.29', extension: '2022.01' }] }), { newUuid: uuids() });
    assert.equal(s.documentEntries[0]?.formatCode.code, 'urn:asip:ci-sis:ldl-ses:2017');
  });

  it('adds one DMP confidentiality code per MetaDMPMSS flag after the CDA code', () => {
    const codes = (flags: typeof noFlags): string[] =>
      buildSubmission(input({}, { flags }), { newUuid: uuids() }).documentEntries[0]?.confidentialityCodes.map((c) => `${c.code}@${c.codingScheme}`) ?? [];
    assert.deepEqual(codes({ ...noFlags, MASQUE_PS: true }), ['N@2.16.840.1.113883.5.25', 'MASQUE_PS@1.2.250.1.213.1.1.4.13']);
    assert.deepEqual(codes({ ...noFlags, INVISIBLE_PATIENT: true }), ['N@2.16.840.1.113883.5.25', 'INVISIBLE_PATIENT@1.2.250.1.213.1.1.4.13']);
    assert.deepEqual(codes({ ...noFlags, INVISIBLE_REP_LEGAUX: true }), ['N@2.16.840.1.113883.5.25', 'INVISIBLE_REPRESENTANTS_LEGAUX@1.2.250.1.213.1.1.4.13']);
  });

  it('adds an RPLC association from the new entry to the replaced entryUUID', () => {
    const replaces = { entryUUID: 'urn:uuid:0b4a8e0c-2f4d-4d7e-9a1b-3c5d7e9f1a2b', uniqueId: '1.2.250.1.999.2.1001' };
    const i = input({ documentId: { root: '1.2.250.1.999.2.1002' }, setId: { root: '1.2.250.1.999.2.1001' }, version: 2,
      replaces: { root: '1.2.250.1.999.2.1001' } }, { replaces });
    const s = buildSubmission(i, { newUuid: uuids() });
    const d = s.documentEntries[0];
    assert.equal(d?.uniqueId, '1.2.250.1.999.2.1002');
    assert.deepEqual(s.associations.filter((a) => a.kind === 'RPLC').map((a) => [a.sourceObject, a.targetObject]), [[d?.entryUUID, replaces.entryUUID]]);
  });

  it('refuses a replacement the CDA does not announce, or with an entryUUID that is not a urn:uuid', () => {
    const replaces = { entryUUID: 'urn:uuid:0b4a8e0c-2f4d-4d7e-9a1b-3c5d7e9f1a2b', uniqueId: '1.2.250.1.999.2.1000' };
    assert.throws(() => buildSubmission(input({}, { replaces })), { code: 'RLS_XDS_REPLACEMENT' });
    const announced = input({ documentId: { root: '1.2.250.1.999.2.1002' }, replaces: { root: '1.2.250.1.999.2.1000' } },
      { replaces: { ...replaces, entryUUID: 'Document01' } });
    assert.throws(() => buildSubmission(announced), { code: 'RLS_XDS_REPLACEMENT' });
  });

  it('adds the signature entry with HasMember and a signs association to the SubmissionSet', () => {
    const xml = Buffer.from('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="2.25.42"/>');
    const s = buildSubmission(input({}, { signature: { xml, uniqueId: '2.25.42' }, submissionSetUniqueId: '2.25.41' }), { newUuid: uuids() });
    assert.equal(s.submissionSet.uniqueId, '2.25.41');
    const [doc, sig] = s.documentEntries;
    assert.ok(doc && sig);
    assert.equal(sig.uniqueId, '2.25.42');
    assert.equal(sig.typeCode.code, 'E1762');
    assert.equal(sig.patientId, doc.patientId);
    assert.equal(sig.creationTime, '20250116080000');
    assert.equal(sig.hash, createHash('sha1').update(xml).digest('hex'));
    assert.deepEqual(s.documents.map((d) => d.entryUUID), [doc.entryUUID, sig.entryUUID]);
    assert.deepEqual(s.associations.map((a) => [a.kind, a.sourceObject, a.targetObject]), [
      ['HasMember', s.submissionSet.entryUUID, doc.entryUUID],
      ['HasMember', s.submissionSet.entryUUID, sig.entryUUID],
      ['signs', sig.entryUUID, s.submissionSet.entryUUID],
    ]);
    assert.equal(new Set([s.submissionSet.entryUUID, doc.entryUUID, sig.entryUUID, ...s.associations.map((a) => a.id)]).size, 6);
  });

  it('refuses a CDA id with an extension with RLS_XDS_UNIQUE_ID', () => {
    const i = input({ documentId: { root: '1.2.250.1.999.2', extension: 'DOC-1001' } });
    assert.throws(() => buildSubmission(i), (e: unknown) => {
      const err = e as { code: string; details: object };
      return err.code === 'RLS_XDS_UNIQUE_ID' && !JSON.stringify(err.details).includes('DOC-1001');
    });
  });

  it('refuses a CDA id root that is not an OID', () => {
    assert.throws(() => buildSubmission(input({ documentId: { root: '0B4A8E0C-2F4D-4D7E-9A1B-3C5D7E9F1A2B' } })), { code: 'RLS_XDS_UNIQUE_ID' });
  });

  it('refuses a submission whose INS is not the CDA patient\'s', () => {
    assert.throws(() => buildSubmission(input({}, { patient: { ins: '248000000000002', insOid: TEST_NIR } })), { code: 'RLS_XDS_PATIENT_ID' });
  });

  it('refuses a CDA without effectiveTime with RLS_XDS_MISSING_METADATA', () => {
    const i = input();
    assert.throws(() => buildSubmission({ ...i, header: { ...i.header, effectiveTime: undefined } }), { code: 'RLS_XDS_MISSING_METADATA' });
  });

  it('keeps the CDA business dates and adds the structure as an author for a historical document', () => {
    const s = buildSubmission(input({ effectiveTime: new Date('2021-03-02T14:00:00Z') }, { historical: true }), { newUuid: uuids() });
    const d = s.documentEntries[0];
    assert.equal(d?.creationTime, '20210302140000');
    assert.equal(d?.authors.length, 2);
    assert.deepEqual(d?.authors[1], { institutions: ['Centre hospitalier de démo^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1630000001'], roles: [], specialties: [], telecoms: [] });
    assert.equal(s.submissionSet.authors.length, 2);
  });

  it('gives the same submission for the same inputs and uuid seed', () => {
    const i = input();
    assert.deepEqual(buildSubmission(i, { newUuid: uuids() }), buildSubmission(i, { newUuid: uuids() }));
  });
});

describe('buildSubmission from the ANS imaging report IMG_CR_IMG_2024.01', () => {
  const cda = readFileSync(`${shared}vectors/cda/IMG_CR_IMG_2024.01.xml`);
  const header = readCdaHeader(cda);
  const s = buildSubmission({
    cda, header, patient: { ins: '279035121518989', insOid: TEST_NIR }, requester: { orgName: 'Centre de radiologie Ambroise', orgId: '1920008059', orgIdType: 'IDNST' },
    flags: noFlags, patientClass: 'O', submissionTime: new Date('2024-03-15T10:15:00Z'), sourceOid: '1.2.250.1.999.7',
  }, { newUuid: deterministicUuids('img') });
  const d = s.documentEntries[0];

  it('takes the type, class, format, facility and practice codes of the report', () => {
    assert.equal(d?.uniqueId, '1.2.250.1.213.1.1.1.45.2024.1.1');
    assert.deepEqual(d?.typeCode, { code: '18748-4', codingScheme: LOINC, display: 'CR d\'imagerie médicale' });
    assert.deepEqual(d?.classCode, { code: '31', codingScheme: '1.2.250.1.213.1.1.4.1', display: 'Imagerie médicale' });
    assert.deepEqual(d?.formatCode, { code: 'urn:ihe:rad:CDA:ImagingReportStructuredHeadings:2013', codingScheme: '1.3.6.1.4.1.19376.1.2.3', display: 'Compte-rendu d\'imagerie médicale' });
    assert.deepEqual(d?.healthcareFacilityTypeCode, { code: 'SA08', codingScheme: '1.2.250.1.71.4.2.4', display: 'Cabinet de groupe' });
    assert.deepEqual(d?.practiceSettingCode, { code: 'AMBULATOIRE', codingScheme: '1.2.250.1.213.1.1.4.9', display: 'Ambulatoire' });
    assert.equal(d?.title, 'CR d’imagerie médicale - Scanner Tête + Cou + Thorax avec injection');
    assert.equal(s.submissionSet.contentTypeCode.code, '07');
  });

  it('converts the +0100 report times to UTC', () => {
    assert.equal(d?.creationTime, '20210108101700');
    assert.equal(d?.serviceStartTime, '20210108092500');
    assert.equal(d?.serviceStopTime, '20210108101700');
  });

  it('carries orders, accession numbers and study instance UIDs in referenceIdList', () => {
    assert.deepEqual(d?.referenceIds, [
      '984375862^^^&1.2.250.1.748.12345678.12&ISO^urn:ihe:iti:xds:2013:order',
      '105234751^^^&1.2.250.1.925.994044785528.27&ISO^urn:ihe:iti:xds:2013:accession',
      '984375863^^^&1.2.250.1.748.12345678.12&ISO^urn:ihe:iti:xds:2013:order',
      '105234752^^^&1.2.250.1.925.994044.27&ISO^urn:ihe:iti:xds:2013:accession',
      '1.2.250.1.925.994044.27.123.1876360^^^&1.2.840.10008&ISO^urn:ihe:iti:xds:2016:studyInstanceUID',
      '1.2.250.1.925.994044.27.123.1876361^^^&1.2.840.10008&ISO^urn:ihe:iti:xds:2016:studyInstanceUID',
      '1.2.250.1.925.994044.27.123.1876362^^^&1.2.840.10008&ISO^urn:ihe:iti:xds:2016:studyInstanceUID',
    ]);
  });

  it('lists the CCAM acts, the CT modality, the regions and the CIM-10 code in eventCodeList', () => {
    assert.deepEqual(d?.eventCodes.map((c) => `${c.code}@${c.codingScheme}`), [
      'ACQH004@1.2.250.1.215.300.1', 'CT@1.2.840.10008.2.16.4', '774007@2.16.840.1.113883.6.96', 'LCQH001@1.2.250.1.215.300.1',
      'ZBQH001@1.2.250.1.215.300.1', '67734004@2.16.840.1.113883.6.96', 'Z13.9@2.16.840.1.113883.6.3',
    ]);
  });

  it('writes the radiologist as author with role and specialty, and the SubmissionSet author from an IDNST requester', () => {
    assert.deepEqual(d?.authors[0]?.roles, ['ATTPHYS^Référent - Responsable du patient dans la structure de soins^2.16.840.1.113883.5.88']);
    assert.deepEqual(d?.authors[0]?.specialties, ['G15_10/SM44^Médecin - Radio-diagnostic (SM)^1.2.250.1.213.1.1.4.5']);
    assert.deepEqual(s.submissionSet.authors, [{
      institutions: ['Centre de radiologie Ambroise^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1920008059'], roles: [], specialties: [], telecoms: [],
    }]);
  });
});
