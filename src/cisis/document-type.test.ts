import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentText, example, examples, setComponent, setDocument, setField, setFlag } from './testing/mutate.js';
import { assertAccepts, assertRejectsOnly, run, warningCodes } from './test-run.js';

const mdm = example(examples.mdmInit);
const cda = documentText(mdm);

/** The MDM example retyped to `code` everywhere (OBR-4, TXA-2, OBX-3, CDA code). */
function retyped(code: string, label: string): string {
  let text = setField(mdm, 'OBR', 1, 4, `${code}^${label}^LN`);
  text = setField(text, 'TXA', 1, 2, code);
  text = setField(text, 'OBX', 1, 3, `${code}^${label}^LN`);
  return setDocument(text, 1, cda.replace('<code code="18748-4"', `<code code="${code}"`));
}

describe('document type: OBR-4, OBX-3, TXA-2, JDV_J07 / JDV_J66 (volet A §2.4.5)', () => {
  it('answers AE 103 at OBR^1^4 when OBR-4.1 is not in JDV_J07', () => {
    assertRejectsOnly(run(retyped('99999-9', 'Inconnu')), ['103 OBR^1^4']);
  });

  it('answers AE 101 at OBR^1^4 when OBR-4 is empty', () => {
    assertRejectsOnly(run(setField(mdm, 'OBR', 1, 4, '')), ['101 OBR^1^4']);
  });

  it('answers AE 207 TYPE_CODE_MISMATCH at OBX^1^3 when OBX-3.1 differs from OBR-4.1', () => {
    assertRejectsOnly(run(setComponent(mdm, 'OBX', 1, 3, 1, '11502-2')), ['207 TYPE_CODE_MISMATCH OBX^1^3']);
  });

  it('answers AE 207 TYPE_CODE_MISMATCH at TXA^1^2 when TXA-2 differs from OBR-4.1', () => {
    assertRejectsOnly(run(setField(mdm, 'TXA', 1, 2, '11502-2')), ['207 TYPE_CODE_MISMATCH TXA^1^2']);
  });

  it('answers AE 207 TYPE_CODE_NOT_DMP at OBR^1^4 when DESTDMP=Y and the type is outside JDV_J66', () => {
    assertRejectsOnly(run(retyped('51851-4', 'Message administratif')), ['207 TYPE_CODE_NOT_DMP OBR^1^4']);
  });

  it('accepts a JDV_J07 type outside JDV_J66 when DESTDMP=N', () => {
    assertAccepts(run(setFlag(retyped('51851-4', 'Message administratif'), 'DESTDMP', 'N')));
  });

  it('warns when OBR-4.3 is not LN for a LOINC code', () => {
    const r = run(setComponent(mdm, 'OBR', 1, 4, 3, 'LOINC'));
    assertAccepts(r);
    assert.ok(warningCodes(r).includes('TYPE_CODE_SYSTEM'));
  });
});
