/**
 * JDV_J58 ConfidentialityCode-DMP, value set 1.2.250.1.213.1.1.5.9, version 1.1.0 (2020-04-24):
 * the XDS confidentialityCode (TRE_A08 HL7 codes and TRE_A07 DMP visibility codes).
 * Code, display and code-system OID only (NOS, IG terminologie-de-sante). LOINC is 2.16.840.1.113883.6.1;
 * TRE_A10 and TRE_A12 are written `URN` and `ASTM` as the DMP expects them (MSS/DMP digest §C4).
 */
import { defineValueSet, type ValueSetConcept } from './value-set.js';

export const confidentialityCodesDmp = defineValueSet<ValueSetConcept>('1.2.250.1.213.1.1.5.9', 'JDV_J58 ConfidentialityCode-DMP', '1.1.0', [
  ['N', 'Normal', '2.16.840.1.113883.5.25'],
  ['R', 'Restreint', '2.16.840.1.113883.5.25'],
  ['V', 'Très restreint', '2.16.840.1.113883.5.25'],
  ['INVISIBLE_PATIENT', 'Non visible par le patient', '1.2.250.1.213.1.1.4.13'],
  ['INVISIBLE_REPRESENTANTS_LEGAUX', 'Non visible par les représentants légaux du patient', '1.2.250.1.213.1.1.4.13'],
  ['MASQUE_PS', 'Masqué aux professionnels de santé', '1.2.250.1.213.1.1.4.13'],
]);
