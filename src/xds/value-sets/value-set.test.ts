import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classCodesDmp } from './class-codes-dmp.js';
import { confidentialityCodesDmp } from './confidentiality-codes-dmp.js';
import { contentTypeCodesDmp } from './content-type-codes-dmp.js';
import { facilityTypeCodesDmp } from './facility-type-codes-dmp.js';
import { formatCodeByMediaType, formatCodeByTemplate, FORMAT_CODE_OUTSIDE_MODELS } from './format-by-template.js';
import { formatCodesDmp } from './format-codes-dmp.js';
import { practiceSettingCodesDmp } from './practice-setting-codes-dmp.js';
import { typeCodesDmp } from './type-codes-dmp.js';
import { defineValueSet } from './value-set.js';

describe('DMP value sets', () => {
  it('finds a concept by code, and by code and code system', () => {
    const vs = defineValueSet('1.2', 'T', '1', [['A', 'a', '1.1'], ['A', 'a2', '1.2'], ['B', 'b', '1.1']]);
    assert.equal(vs.find('A')?.display, 'a');
    assert.equal(vs.find('A', '1.2')?.display, 'a2');
    assert.equal(vs.find('B', '1.2'), undefined);
    assert.ok(Object.isFrozen(vs.concepts));
  });
  it('carries the value-set OIDs and sizes transcribed', () => {
    const sets = [typeCodesDmp, classCodesDmp, confidentialityCodesDmp, contentTypeCodesDmp, formatCodesDmp, facilityTypeCodesDmp, practiceSettingCodesDmp];
    assert.deepEqual(sets.map((s) => [s.oid, s.concepts.length]), [
      ['1.2.250.1.213.1.1.5.7', 108], ['1.2.250.1.213.1.1.5.6', 12], ['1.2.250.1.213.1.1.5.9', 6], ['1.2.250.1.213.1.1.5.2', 93],
      ['1.2.250.1.213.1.1.5.8', 61], ['1.2.250.1.213.1.1.5.3', 64], ['1.2.250.1.213.1.1.5.4', 11],
    ]);
  });
  it('maps every J66 class to a J57 class', () => {
    for (const t of typeCodesDmp.concepts) {
      if (t.classCode !== undefined) assert.ok(classCodesDmp.find(t.classCode), `${t.code} → ${t.classCode}`);
    }
  });
  it('writes code systems as OIDs (or URN / ASTM for the signature), never as URLs', () => {
    const sets = [typeCodesDmp, classCodesDmp, confidentialityCodesDmp, contentTypeCodesDmp, formatCodesDmp, facilityTypeCodesDmp, practiceSettingCodesDmp];
    for (const s of sets) for (const c of s.concepts) assert.match(c.codeSystem, /^(\d+(\.\d+)+|URN|ASTM)$/, `${s.name} ${c.code}`);
  });
  it('uses only JDV_J60 format codes in the template and media-type tables', () => {
    for (const f of [...Object.values(formatCodeByTemplate), ...Object.values(formatCodeByMediaType), FORMAT_CODE_OUTSIDE_MODELS]) {
      assert.ok(formatCodesDmp.find(f), f);
    }
  });
});
