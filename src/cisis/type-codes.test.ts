import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cisisTypeCodeLabel, isCisisTypeCode, isDmpTypeCode, typeCodeSystemName } from './type-codes.js';
import { jdvJ07XdsTypeCodeCisis } from './value-sets/jdv-j07-xds-type-code-cisis.js';
import { typeCodesDmp } from '../xds/index.js';

describe('type code value sets (JDV_J07, JDV_J66)', () => {
  it('knows the Ségur document types in both value sets', () => {
    for (const code of ['11490-0', '34874-8', '57833-6', '11502-2', '18748-4', '11488-4']) {
      assert.ok(isCisisTypeCode(code), code);
      assert.ok(isDmpTypeCode(code), code);
    }
  });

  it('rejects the invalid LOINC 34874-5 for a CR opératoire', () => {
    assert.equal(isCisisTypeCode('34874-5'), false);
  });

  it('keeps JDV_J66 inside JDV_J07 with the same labels', () => {
    for (const c of typeCodesDmp.concepts) assert.equal(cisisTypeCodeLabel(c.code), c.display, c.code);
    assert.equal(jdvJ07XdsTypeCodeCisis.length, 114);
    assert.equal(typeCodesDmp.concepts.length, 108);
  });

  it('tells which J07 codes the DMP refuses', () => {
    assert.equal(isCisisTypeCode('51851-4'), true);
    assert.equal(isDmpTypeCode('51851-4'), false);
  });

  it('names the coding system of a type code', () => {
    assert.equal(typeCodeSystemName('11502-2'), 'LN');
    assert.equal(typeCodeSystemName('PRESC-BIO'), 'TRE_A05');
    assert.equal(typeCodeSystemName('E1762'), undefined);
    assert.equal(typeCodeSystemName('unknown'), undefined);
  });
});
