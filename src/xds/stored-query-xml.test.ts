import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import { findDocumentsQueryXml, getDocumentsQueryXml } from './stored-query-xml.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
const PID = '279035121518989^^^&1.2.250.1.213.1.4.10&ISO';
const noXmllint = spawnSync('xmllint', ['--version']).error === undefined ? false : 'xmllint is not installed';
const dir = mkdtempSync(join(tmpdir(), 'relais-xds-q-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function params(xml: string): { id: string | null; returnType: string | null; slots: [string | null, string[]][] } {
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  assert.ok(root);
  const q = root.getElementsByTagNameNS(RIM, 'AdhocQuery')[0];
  return {
    id: q?.getAttribute('id') ?? null,
    returnType: root.getElementsByTagNameNS('urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0', 'ResponseOption')[0]?.getAttribute('returnType') ?? null,
    slots: Array.from(root.getElementsByTagNameNS(RIM, 'Slot')).map((s) =>
      [s.getAttribute('name'), Array.from(s.getElementsByTagNameNS(RIM, 'Value')).map((v) => v.textContent ?? '')]),
  };
}

function validate(xml: string, name: string): { status: number | null; stderr: string } {
  const file = join(dir, name);
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', `${shared}schemas/ihe/ebRS/query.xsd`, file], {
    env: { ...process.env, XML_CATALOG_FILES: `${shared}schemas/ihe/catalog.xml` }, encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr };
}

describe('ITI-18 stored queries', () => {
  it('asks FindDocuments for the Approved entries of a patient', () => {
    assert.deepEqual(params(findDocumentsQueryXml({ patientId: PID })), {
      id: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', returnType: 'LeafClass',
      slots: [['$XDSDocumentEntryPatientId', [`'${PID}'`]], ['$XDSDocumentEntryStatus', ['(\'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved\')']]],
    });
  });
  it('asks GetDocuments by uniqueId (TD3.1b), with the patient only when given', () => {
    assert.deepEqual(params(getDocumentsQueryXml({ uniqueIds: ['1.2.250.1.999.2.1001', '1.2.3'] })), {
      id: 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4', returnType: 'LeafClass',
      slots: [['$XDSDocumentEntryUniqueId', ['(\'1.2.250.1.999.2.1001\',\'1.2.3\')']]],
    });
    assert.deepEqual(params(getDocumentsQueryXml({ uniqueIds: ['1.2.3'], patientId: PID, returnType: 'ObjectRef' })).slots[1],
      ['$XDSDocumentEntryPatientId', [`'${PID}'`]]);
  });
  it('refuses values that could change the query', () => {
    assert.throws(() => getDocumentsQueryXml({ uniqueIds: ['1.2.3\') OR (\'1'] }), { code: 'RLS_XDS_UNIQUE_ID' });
    assert.throws(() => getDocumentsQueryXml({ uniqueIds: [] }), { code: 'RLS_XDS_UNIQUE_ID' });
    assert.throws(() => findDocumentsQueryXml({ patientId: `${PID}'` }), { code: 'RLS_XDS_PATIENT_ID' });
  });
  it('validates both requests against query.xsd', { skip: noXmllint }, () => {
    for (const [name, xml] of [['find.xml', findDocumentsQueryXml({ patientId: PID })], ['get.xml', getDocumentsQueryXml({ uniqueIds: ['1.2.3'], patientId: PID })]]) {
      const r = validate(xml as string, name as string);
      assert.equal(r.status, 0, r.stderr);
    }
  });
});
