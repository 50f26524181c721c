import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDeletion } from './build-status-update.js';
import { submitObjectsRequestXml } from './ebrim-xml.js';
import { deterministicUuids } from './xds-ids.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const noXmllint = spawnSync('xmllint', ['--version']).error === undefined ? false : 'xmllint is not installed';
const target = 'urn:uuid:0b4a8e0c-2f4d-4d7e-9a1b-3c5d7e9f1a2b';
const input = {
  patient: { ins: '279035121518989', insOid: '1.2.250.1.213.1.4.10' }, requester: { orgName: 'CH', orgId: '630000001', orgIdType: 'FINEG' },
  patientClass: 'I', submissionTime: new Date('2025-03-01T12:00:00Z'), sourceOid: '1.2.250.1.999.7', entryUUID: target,
};

describe('TD3.3c deletion (ITI-57)', () => {
  it('moves the entry from Approved to the DMP Deleted status, the association being a member of the SubmissionSet', () => {
    const u = buildDeletion(input, { newUuid: deterministicUuids('del') });
    const [update, member] = u.associations;
    assert.ok(update && member);
    assert.deepEqual([update.kind, update.sourceObject, update.targetObject, update.originalStatus, update.newStatus], [
      'UpdateAvailabilityStatus', u.submissionSet.entryUUID, target,
      'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved', 'urn:asip:ci-sis:2010:StatusType:Deleted',
    ]);
    assert.deepEqual([member.kind, member.sourceObject, member.targetObject], ['HasMember', u.submissionSet.entryUUID, update.id]);
    assert.equal(u.submissionSet.patientId, '279035121518989^^^&1.2.250.1.213.1.4.10&ISO');
  });
  it('serializes the status slots and no document', () => {
    const xml = submitObjectsRequestXml(buildDeletion(input, { newUuid: deterministicUuids('del') }));
    assert.match(xml, /associationType="urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"/);
    assert.match(xml, /<rim:Slot name="NewStatus"><rim:ValueList><rim:Value>urn:asip:ci-sis:2010:StatusType:Deleted<\/rim:Value>/);
    assert.doesNotMatch(xml, /ExtrinsicObject/);
  });
  it('refuses a target that is not a urn:uuid', () => {
    assert.throws(() => buildDeletion({ ...input, entryUUID: '1.2.3' }), { code: 'RLS_XDS_MISSING_METADATA' });
  });
  it('validates against lcm.xsd', { skip: noXmllint }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'relais-xds-del-'));
    try {
      const file = join(dir, 'delete.xml');
      writeFileSync(file, submitObjectsRequestXml(buildDeletion(input)));
      const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', `${shared}schemas/ihe/ebRS/lcm.xsd`, file], {
        env: { ...process.env, XML_CATALOG_FILES: `${shared}schemas/ihe/catalog.xml` }, encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
