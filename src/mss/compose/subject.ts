/**
 * `XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>` (Référentiel #2 CONF.25; volet B struct-msg-mdn).
 * The date is written JJ/MM/AAAA, as in the volet's own example (`… CORSE FIGATELLIX 12/10/1988`).
 */
import { foldText } from './header-safety.js';

export const XDM_SUBJECT_PREFIX = 'XDM/1.0/DDM+';

export interface SubjectPatient {
  family: string;
  given: string;
  /** HL7/CDA `YYYYMMDD[…]` or ISO `YYYY-MM-DD`; a partial date is left out of the subject. */
  birthDate?: string | undefined;
}

/** `YYYYMMDD…` or `YYYY-MM-DD…` → `DD/MM/YYYY`; undefined when the day is not known. */
export function subjectBirthDate(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(value.trim());
  return m ? `${m[3]}/${m[2]}/${m[1]}` : undefined;
}

/** Several documents in one mail share one label: their distinct titles joined by ", ". */
export function documentSubject(labels: readonly string[], patient: SubjectPatient): string {
  const label = [...new Set(labels.map(foldText).filter((l) => l !== ''))].join(', ');
  const parts = [label, foldText(patient.family).toLocaleUpperCase('fr-FR'), foldText(patient.given), subjectBirthDate(patient.birthDate)];
  return XDM_SUBJECT_PREFIX + parts.filter((p): p is string => p !== undefined && p !== '').join(' ');
}
