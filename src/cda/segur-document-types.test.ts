import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findSegurDocumentType, isValidLoincCode, LOINC_OID, segurDocumentTypes, TRE_A05_OID } from './segur-document-types.js';

describe('segurDocumentTypes', () => {
  it('lists the Ségur types of the PFI dashboard with their LOINC codes', () => {
    const codes = segurDocumentTypes.map((t) => t.code);
    for (const code of ['11490-0', '34874-8', '18748-4', '11502-2', '11488-4', '57833-6']) assert.ok(codes.includes(code), code);
  });

  it('lists every type of requirements §4, the TRE_A05 prescriptions included', () => {
    const expected = ['11490-0', '34874-8', '57833-6', '57832-8', '57828-6', 'PRESC-BIO', 'PRESC-KINE', 'PRESC-INF', 'PRESC-PEDI',
      'PRESC-ORTHOPHO', 'PRESC-ORTHOPTIE', '55115-0', '11488-4', '18748-4', '11502-2', '11526-1', '34112-3', '15507-7', '15508-5',
      '77436-4', '34749-2', '34133-9', '18761-7', '34794-8', '89601-9', '87273-9'];
    assert.deepEqual(segurDocumentTypes.map((t) => t.code).sort(), [...expected].sort());
  });

  it('has unique codes, French labels and the code system OID of each system', () => {
    assert.equal(new Set(segurDocumentTypes.map((t) => t.code)).size, segurDocumentTypes.length);
    for (const t of segurDocumentTypes) {
      assert.ok(t.label.length > 5, t.code);
      assert.equal(t.codeSystem, t.system === 'LN' ? LOINC_OID : TRE_A05_OID);
      assert.equal(t.system === 'TRE_A05', t.code.startsWith('PRESC-'));
    }
  });

  it('uses LOINC codes whose check digit is right', () => {
    for (const t of segurDocumentTypes.filter((x) => x.system === 'LN')) assert.ok(isValidLoincCode(t.code), t.code);
  });

  it('finds a type by code and labels the CR opératoire', () => {
    assert.equal(findSegurDocumentType('34874-8')?.label, 'Compte rendu opératoire');
    assert.equal(findSegurDocumentType('34874-5'), undefined);
  });

  it('cannot be changed at run time', () => {
    assert.throws(() => (segurDocumentTypes as unknown as unknown[]).push({}));
    assert.throws(() => { (segurDocumentTypes[0] as { label: string }).label = 'x'; });
  });
});

describe('isValidLoincCode', () => {
  it('accepts 34874-8 and refuses 34874-5 (wrong check digit)', () => {
    assert.equal(isValidLoincCode('34874-8'), true);
    assert.equal(isValidLoincCode('34874-5'), false);
  });

  it('refuses what is not a LOINC code', () => {
    assert.equal(isValidLoincCode('PRESC-BIO'), false);
    assert.equal(isValidLoincCode('11490'), false);
  });
});
