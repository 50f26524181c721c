import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { readCdaHeader, syntheticCda } from '../cda/index.js';
import { buildSubmission } from './build-submission.js';
import { intendedRecipientValue, provideAndRegisterXml, submitObjectsRequestXml } from './ebrim-xml.js';
import { XDS_UUID } from './xds-constants.js';
import { deterministicUuids } from './xds-ids.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
const hostile = 'Lettre <urgente> & "importante" d\'O\'Brien';

const xmllint = spawnSync('xmllint', ['--version']);
const noXmllint = xmllint.error === undefined ? false : 'xmllint is not installed';
const dir = mkdtempSync(join(tmpdir(), 'relais-xds-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Validates with the IHE schemas through the local catalog (vectors MANIFEST §3.1); returns xmllint's stderr. */
function validate(xml: string, schema: string, name: string): { status: number | null; stderr: string } {
  const file = join(dir, name);
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', `${shared}schemas/ihe/${schema}`, file], {
    env: { ...process.env, XML_CATALOG_FILES: `${shared}schemas/ihe/catalog.xml` }, encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr };
}

function submission(): ReturnType<typeof buildSubmission> {
  const xml = syntheticCda({
    typeCode: '18748-4', level: 'N1', documentId: { root: '1.2.250.1.999.2.2001' },
    patient: { ins: '248000000000001', insOid: '1.2.250.1.213.1.4.10', ipp: 'IPP-42', ippAuthority: '1.2.250.1.999.1',
      family: 'D\'ARTAGNAN & <FILS>', given: ['CHARLES'], gender: 'M', birthDate: '19700101', birthPlace: '32107' },
    effectiveTime: new Date('2025-02-03T08:00:00Z'),
    author: { rpps: '10001234567', family: 'O\'BRIEN', given: 'Seán' },
    organization: { finess: '630000001', name: 'Imagerie "Centre" & Associés <SCM>' },
  });
  const cda = Buffer.from(xml, 'utf8');
  const header = readCdaHeader(cda);
  return buildSubmission({
    cda, header: { ...header, title: hostile }, patient: { ins: '248000000000001', insOid: '1.2.250.1.213.1.4.10' },
    requester: { personId: '801234567866', personIdType: 'IDNPS', family: 'L\'Huillier', given: 'Zoé', orgName: 'CH <A> & "B"', orgId: '630000001', orgIdType: 'FINEG' },
    flags: { MASQUE_PS: true, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false }, patientClass: 'O',
    submissionTime: new Date('2025-02-03T09:00:00Z'), sourceOid: '1.2.250.1.999.7', signature: { xml: Buffer.from('<ds:Signature/>') },
    intendedRecipients: [{ mail: 'dr.x@test.mssante.fr' }], uri: 'DOC00001.XML',
  }, { newUuid: deterministicUuids('ebrim') });
}

function parse(xml: string): Element {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  assert.ok(doc.documentElement);
  return doc.documentElement;
}

function rim(root: Element, name: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(RIM, name));
}

function slotValues(parent: Element, name: string): string[] {
  const slot = Array.from(parent.childNodes).find((n): n is Element => (n as Element).localName === 'Slot' && (n as Element).getAttribute('name') === name);
  return slot === undefined ? [] : rim(slot, 'Value').map((v) => v.textContent ?? '');
}

describe('ebRIM serialization', () => {
  const s = submission();
  const doc = s.documentEntries[0];
  assert.ok(doc);

  it('writes the ExtrinsicObject with its slots, name, classifications and external identifiers', () => {
    const root = parse(submitObjectsRequestXml(s));
    assert.equal(root.localName, 'SubmitObjectsRequest');
    const eo = rim(root, 'ExtrinsicObject').find((e) => e.getAttribute('id') === doc.entryUUID);
    assert.ok(eo);
    assert.equal(eo.getAttribute('mimeType'), 'text/xml');
    assert.equal(eo.getAttribute('objectType'), XDS_UUID.documentEntryType);
    assert.deepEqual(slotValues(eo, 'creationTime'), ['20250203080000']);
    assert.deepEqual(slotValues(eo, 'hash'), [doc.hash]);
    assert.deepEqual(slotValues(eo, 'size'), [String(doc.size)]);
    assert.deepEqual(slotValues(eo, 'URI'), ['DOC00001.XML']);
    assert.deepEqual(slotValues(eo, 'sourcePatientInfo'), doc.sourcePatientInfo);
    assert.deepEqual(slotValues(eo, 'urn:ihe:iti:xds:2013:referenceIdList'), []);
    assert.equal(rim(eo, 'Name')[0]?.getElementsByTagNameNS(RIM, 'LocalizedString')[0]?.getAttribute('value'), hostile);
    const schemes = rim(eo, 'Classification').map((c) => [c.getAttribute('classificationScheme'), c.getAttribute('nodeRepresentation')]);
    assert.deepEqual(schemes, [
      [XDS_UUID.documentEntryAuthor, ''],
      [XDS_UUID.documentEntryClassCode, '31'],
      [XDS_UUID.documentEntryConfidentialityCode, 'N'],
      [XDS_UUID.documentEntryConfidentialityCode, 'MASQUE_PS'],
      [XDS_UUID.documentEntryFormatCode, 'urn:ihe:iti:xds-sd:pdf:2008'],
      [XDS_UUID.documentEntryHealthcareFacilityTypeCode, 'SA01'],
      [XDS_UUID.documentEntryPracticeSettingCode, 'ETABLISSEMENT'],
      [XDS_UUID.documentEntryTypeCode, '18748-4'],
    ]);
    const typeClass = rim(eo, 'Classification').at(-1);
    assert.ok(typeClass);
    assert.deepEqual(slotValues(typeClass, 'codingScheme'), ['2.16.840.1.113883.6.1']);
    assert.equal(typeClass.getAttribute('classifiedObject'), doc.entryUUID);
    const author = rim(eo, 'Classification')[0];
    assert.ok(author);
    assert.deepEqual(slotValues(author, 'authorPerson'), ['810001234567^O\'BRIEN^Seán^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS']);
    assert.deepEqual(slotValues(author, 'authorInstitution'), ['Imagerie "Centre" \\T\\ Associés <SCM>^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1630000001']);
    const ext = rim(eo, 'ExternalIdentifier').map((x) => [x.getAttribute('identificationScheme'), x.getAttribute('value'), x.getAttribute('registryObject')]);
    assert.deepEqual(ext, [
      [XDS_UUID.documentEntryPatientId, '248000000000001^^^&1.2.250.1.213.1.4.10&ISO', doc.entryUUID],
      [XDS_UUID.documentEntryUniqueId, '1.2.250.1.999.2.2001', doc.entryUUID],
    ]);
  });

  it('writes the SubmissionSet package, its marking classification and the associations', () => {
    const root = parse(submitObjectsRequestXml(s, { xmlDeclaration: true }));
    const ss = rim(root, 'RegistryPackage')[0];
    assert.ok(ss);
    assert.equal(ss.getAttribute('id'), s.submissionSet.entryUUID);
    assert.deepEqual(slotValues(ss, 'submissionTime'), ['20250203090000']);
    assert.deepEqual(slotValues(ss, 'intendedRecipient'), ['||^^Internet^dr.x@test.mssante.fr']);
    const marker = rim(root, 'Classification').find((c) => c.getAttribute('classificationNode') === XDS_UUID.submissionSet);
    assert.equal(marker?.getAttribute('classifiedObject'), s.submissionSet.entryUUID);
    const ssAuthor = rim(ss, 'Classification').find((c) => c.getAttribute('classificationScheme') === XDS_UUID.submissionSetAuthor);
    assert.ok(ssAuthor);
    assert.deepEqual(slotValues(ssAuthor, 'authorPerson'), ['801234567866^L\'Huillier^Zoé^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS']);
    assert.deepEqual(slotValues(ssAuthor, 'authorInstitution'), ['CH <A> \\T\\ "B"^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1630000001']);
    assert.deepEqual(rim(ss, 'ExternalIdentifier').map((x) => x.getAttribute('identificationScheme')),
      [XDS_UUID.submissionSetUniqueId, XDS_UUID.submissionSetSourceId, XDS_UUID.submissionSetPatientId]);
    const assoc = rim(root, 'Association').map((a) => [a.getAttribute('associationType'), slotValues(a, 'SubmissionSetStatus')]);
    assert.deepEqual(assoc, [
      ['urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember', ['Original']],
      ['urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember', ['Original']],
      ['urn:ihe:iti:2007:AssociationType:signs', []],
    ]);
  });

  it('gives every identifiable object a distinct urn:uuid id', () => {
    const root = parse(submitObjectsRequestXml(s));
    const ids = ['ExtrinsicObject', 'RegistryPackage', 'Classification', 'ExternalIdentifier', 'Association']
      .flatMap((n) => rim(root, n).map((e) => e.getAttribute('id') ?? ''));
    for (const id of ids) assert.match(id, /^urn:uuid:[0-9a-f-]{36}$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('writes MTOM placeholders with one MIME part per document', () => {
    const r = provideAndRegisterXml(s);
    const root = parse(r.xml);
    const docs = Array.from(root.getElementsByTagNameNS('urn:ihe:iti:xds-b:2007', 'Document'));
    assert.deepEqual(docs.map((d) => d.getAttribute('id')), s.documents.map((d) => d.entryUUID));
    const hrefs = docs.map((d) => d.getElementsByTagNameNS('http://www.w3.org/2004/08/xop/include', 'Include')[0]?.getAttribute('href'));
    assert.deepEqual(hrefs, ['cid:doc1@relais', 'cid:doc2@relais']);
    assert.deepEqual(r.parts.map((p) => [p.contentId, p.entryUUID, p.content]), s.documents.map((d, n) => [`doc${n + 1}@relais`, d.entryUUID, d.content]));
  });

  it('writes the documents inline in base64 when asked', () => {
    const r = provideAndRegisterXml(s, { documents: 'inline' });
    const docs = Array.from(parse(r.xml).getElementsByTagNameNS('urn:ihe:iti:xds-b:2007', 'Document'));
    assert.deepEqual(docs.map((d) => Buffer.from(d.textContent ?? '', 'base64')), s.documents.map((d) => d.content));
    assert.deepEqual(r.parts, []);
  });

  it('writes an intendedRecipient as XON|XCN|XTN without trailing empty parts', () => {
    assert.equal(intendedRecipientValue({ organization: 'Org', person: 'P', mail: 'a@b.fr' }), 'Org|P|^^Internet^a@b.fr');
    assert.equal(intendedRecipientValue({ organization: 'Org' }), 'Org');
  });

  it('validates the ITI-41 request against XDS.b_DocumentRepository.xsd', { skip: noXmllint }, () => {
    const r = validate(provideAndRegisterXml(s, { documents: 'inline' }).xml, 'IHE/XDS.b_DocumentRepository.xsd', 'pnr.xml');
    assert.equal(r.status, 0, r.stderr);
  });

  it('validates METADATA.XML against lcm.xsd', { skip: noXmllint }, () => {
    const r = validate(submitObjectsRequestXml(s, { xmlDeclaration: true }), 'ebRS/lcm.xsd', 'metadata.xml');
    assert.equal(r.status, 0, r.stderr);
  });

  it('makes xmllint fail on a request with an element out of order', { skip: noXmllint }, () => {
    const broken = provideAndRegisterXml(s, { documents: 'inline' }).xml.replace('<lcm:SubmitObjectsRequest>', '<lcm:SubmitObjectsRequest><rim:Bogus/>');
    assert.notEqual(validate(broken, 'IHE/XDS.b_DocumentRepository.xsd', 'broken.xml').status, 0);
  });
});
