import { RelaisError } from '../domain/index.js';
import { contentTypeCodesDmp } from './value-sets/content-type-codes-dmp.js';
import type { XdsCode } from './xds-model.js';

/**
 * PV1-2 (patient class) → SubmissionSet contentTypeCode, TRE_R209 codes of JDV_J59 (volet A §2.4.4; digest §C4):
 * I → 03 full hospitalisation, O → 07 consultations, R → 19 ambulatory treatment, N → 97 other, E → 07.
 */
export const contentTypeByPatientClass: Readonly<Record<string, string>> = Object.freeze({
  I: '03', O: '07', R: '19', N: '97', E: '07',
});

const OTHER_ACTIVITY = '97';
const TRE_R209 = '1.2.250.1.213.2.2';

/** The contentTypeCode for a PV1-2 value; absent or unlisted classes give 97 "Autre type d'activité". */
export function contentTypeCode(patientClass: string | undefined): XdsCode {
  const code = (patientClass === undefined ? undefined : contentTypeByPatientClass[patientClass.trim().toUpperCase()]) ?? OTHER_ACTIVITY;
  const c = contentTypeCodesDmp.find(code, TRE_R209);
  if (c === undefined) throw new RelaisError('RLS_BUG', 'a PV1-2 mapping is not in JDV_J59', { code });
  return { code: c.code, codingScheme: c.codeSystem, display: c.display };
}
