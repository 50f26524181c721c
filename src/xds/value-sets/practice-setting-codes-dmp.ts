/**
 * JDV_J62 PracticeSettingCode-DMP, value set 1.2.250.1.213.1.1.5.4, version 1.1.0 (2023-09-22):
 * the XDS practiceSettingCode.
 * Code, display and code-system OID only (NOS, IG terminologie-de-sante). LOINC is 2.16.840.1.113883.6.1;
 * TRE_A10 and TRE_A12 are written `URN` and `ASTM` as the DMP expects them (MSS/DMP digest §C4).
 */
import { defineValueSet, type ValueSetConcept } from './value-set.js';

export const practiceSettingCodesDmp = defineValueSet<ValueSetConcept>('1.2.250.1.213.1.1.5.4', 'JDV_J62 PracticeSettingCode-DMP', '1.1.0', [
  ['EXP_PATIENT', 'Expression personnelle du patient', '1.2.250.1.213.1.1.4.6'],
  ['SNR', 'Service numérique référencé', '1.2.250.1.213.1.1.4.6'],
  ['AMBULATOIRE', 'Ambulatoire', '1.2.250.1.213.1.1.4.9'],
  ['AMO', 'Organisme d\'assurance maladie obligatoire', '1.2.250.1.213.1.1.4.9'],
  ['DEPISTAGE', 'Dépistage', '1.2.250.1.213.1.1.4.9'],
  ['ETABLISSEMENT', 'Etablissement de santé', '1.2.250.1.213.1.1.4.9'],
  ['HAD', 'Hospitalisation à domicile', '1.2.250.1.213.1.1.4.9'],
  ['MAD', 'Maintien à domicile', '1.2.250.1.213.1.1.4.9'],
  ['PALLIATIF', 'Soins palliatifs', '1.2.250.1.213.1.1.4.9'],
  ['SAD', 'Soins à domicile', '1.2.250.1.213.1.1.4.9'],
  ['SAMU_SMUR', 'SAMU/SMUR', '1.2.250.1.213.1.1.4.9'],
]);
