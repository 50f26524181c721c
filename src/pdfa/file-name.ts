import { RelaisError } from '../domain/index.js';

export interface PdfFileNameInput {
  /** Date of the act: an HL7 TS (its own calendar date, never converted) or a Date (calendar date in Europe/Paris). */
  actDate: string | Date;
  /** Document type label, e.g. the type's display name "Compte rendu d'imagerie médicale". */
  typeLabel: string;
  family: string;
  given: string;
  /** The hospital's file (dossier / séjour) number, when the DPI gives one. */
  fileNumber?: string;
}

const MAX_TYPE = 40;
const MAX_NAME = 30;
const MAX_FILE_NUMBER = 20;
const parisDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
const ligatures: Readonly<Record<string, string>> = { œ: 'oe', Œ: 'OE', æ: 'ae', Æ: 'AE', ß: 'ss', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ł: 'l', Ł: 'L' };

/**
 * The name of the PDF attached beside a CDA (ECO.2.1.6, digest §A5):
 * `<YYYYMMDD>_<type>_<NOM>_<prénom>[_<n° dossier>].pdf`. `_` separates the fields, so inside a field only ASCII
 * letters, digits and `-` remain: accents are stripped, anything else (spaces, apostrophes, slashes, dots) becomes
 * one `-`. NOM is upper case; each field is capped (type 40, names 30, file number 20 characters), so the whole
 * name stays under 140 characters. A field left empty after cleaning is written `NC` (non communiqué).
 */
export function pdfFileName(o: PdfFileNameInput): string {
  const fields = [
    datePart(o.actDate),
    field(o.typeLabel, MAX_TYPE),
    field(o.family, MAX_NAME).toUpperCase(),
    field(o.given, MAX_NAME),
  ];
  const fileNumber = o.fileNumber === undefined ? '' : clean(o.fileNumber, MAX_FILE_NUMBER);
  if (fileNumber !== '') fields.push(fileNumber);
  return `${fields.join('_')}.pdf`;
}

function datePart(actDate: string | Date): string {
  if (actDate instanceof Date) {
    if (Number.isNaN(actDate.getTime())) throw new RelaisError('RLS_BUG', 'pdfFileName: invalid act date');
    return parisDate.format(actDate).replace(/-/g, '');
  }
  const m = /^\s*(\d{8})/.exec(actDate);
  if (m === null) throw new RelaisError('RLS_BUG', 'pdfFileName: the act date is not an HL7 TS', { length: actDate.length });
  return m[1] as string;
}

function field(value: string, max: number): string {
  return clean(value, max) || 'NC';
}

function clean(value: string, max: number): string {
  const ascii = value.replace(/[œŒæÆßøØđĐłŁ]/g, (c) => ligatures[c] ?? c).normalize('NFD').replace(/\p{M}/gu, '');
  return ascii.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
}
