import type { Findings } from './findings.js';
import { at } from './segment-refs.js';
import type { SegmentRef } from './segment-refs.js';
import { cisisTypeCodeLabel, isCisisTypeCode, isDmpTypeCode, typeCodeSystemName } from './type-codes.js';
import type { IntakeDocument } from './types.js';
import type { ObxGroup } from './volet-a-structure.js';

export type TypeCode = IntakeDocument['typeCode'];

/**
 * OBR-4 (volet A §2.4.5): a JDV_J07 code as `code^label^LN|TRE_A05`; the document OBX-3 must carry the same code,
 * and so must TXA-2 in an MDM (§2.4.6). Returns each document's type code (from its OBX-3).
 */
export function readDocumentType(obr: SegmentRef | undefined, txa: SegmentRef | undefined, documents: readonly ObxGroup[], f: Findings): (TypeCode | undefined)[] {
  const code = obr?.segment.get(4, 1) ?? '';
  if (obr !== undefined) {
    if (code === '') {
      f.input('101', at(obr, 4), 'OBR-4 (document type) is empty; expected a JDV_J07-XdsTypeCode-CISIS code^label^LN|TRE_A05');
    } else if (!isCisisTypeCode(code)) {
      f.input('103', at(obr, 4), `OBR-4.1 '${code}' is not in JDV_J07-XdsTypeCode-CISIS`);
    } else {
      const expected = typeCodeSystemName(code);
      const system = obr.segment.get(4, 3);
      if (expected !== undefined && system !== expected) {
        f.warn('TYPE_CODE_SYSTEM', at(obr, 4, 1, 3), `OBR-4.3 is '${system}'; expected ${expected} for ${code}`);
      }
    }
  }
  if (txa !== undefined && code !== '') {
    const txaType = txa.segment.get(2, 1);
    if (txaType === '') f.input('101', at(txa, 2), 'TXA-2 (document type) is empty; expected the OBR-4.1 code');
    else if (txaType !== code) f.business('TYPE_CODE_MISMATCH', at(txa, 2), `TXA-2 is '${txaType}' but OBR-4.1 is '${code}'`);
  }
  return documents.map((doc) => {
    const obx = doc.obx.segment;
    const obxCode = obx.get(3, 1);
    if (obxCode === '') {
      f.input('101', at(doc.obx, 3), 'OBX-3 of the document OBX is empty; expected the OBR-4 type code');
      return undefined;
    }
    if (code !== '' && obxCode !== code) {
      f.business('TYPE_CODE_MISMATCH', at(doc.obx, 3), `OBX-3.1 is '${obxCode}' but OBR-4.1 is '${code}'`);
      return undefined;
    }
    const label = obx.get(3, 2);
    return { code: obxCode, label: label === '' ? (cisisTypeCodeLabel(obxCode) ?? '') : label, system: obx.get(3, 3) };
  });
}

/** §2.4.5: when the document goes to the DMP, its type must be in JDV_J66-TypeCode-DMP. */
export function checkDmpTypeCode(obr: SegmentRef | undefined, f: Findings): void {
  const code = obr?.segment.get(4, 1) ?? '';
  if (obr !== undefined && isCisisTypeCode(code) && !isDmpTypeCode(code)) {
    f.business('TYPE_CODE_NOT_DMP', at(obr, 4), `DESTDMP=Y but the type code '${code}' is not in JDV_J66-TypeCode-DMP`);
  }
}
