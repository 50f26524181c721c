import { jdvJ07XdsTypeCodeCisis } from './value-sets/jdv-j07-xds-type-code-cisis.js';
// JDV_J66 is carried once, with the XDS metadata it also drives (classCode mapping).
import { typeCodesDmp } from '../xds/index.js';

const cisis: ReadonlyMap<string, string> = new Map(jdvJ07XdsTypeCodeCisis);
const dmp: ReadonlySet<string> = new Set(typeCodesDmp.concepts.map((c) => c.code));
const loinc = /^\d{1,7}-\d$/;

/** JDV_J66-TypeCode-DMP: the types the DMP accepts (volet A §2.4.5). */
export function isDmpTypeCode(code: string): boolean {
  return dmp.has(code);
}

/** JDV_J07-XdsTypeCode-CISIS: the types volet A allows in OBR-4 (§2.4.5). */
export function isCisisTypeCode(code: string): boolean {
  return cisis.has(code);
}

export function cisisTypeCodeLabel(code: string): string | undefined {
  return cisis.get(code);
}

/** The HL7 coding-system name OBR-4.3 / OBX-3.3 should carry for a J07 code: LN for LOINC, TRE_A05 for ANS codes. */
export function typeCodeSystemName(code: string): 'LN' | 'TRE_A05' | undefined {
  if (!cisis.has(code)) return undefined;
  if (loinc.test(code)) return 'LN';
  // E1762 (ASTM "Full Document") has no HL7 coding-system name in the volet.
  return code === 'E1762' ? undefined : 'TRE_A05';
}
