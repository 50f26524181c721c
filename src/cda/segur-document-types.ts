/** LOINC (2.16.840.1.113883.6.1) and TRE_A05-TypeDocComplementaire (1.2.250.1.213.1.1.4.12) code systems. */
export const LOINC_OID = '2.16.840.1.113883.6.1';
export const TRE_A05_OID = '1.2.250.1.213.1.1.4.12';

export interface SegurDocumentType {
  code: string;
  label: string;
  system: 'LN' | 'TRE_A05';
  /** OID of `system`, as written in ClinicalDocument/code/@codeSystem. */
  codeSystem: string;
}

const ln = (code: string, label: string): SegurDocumentType => ({ code, label, system: 'LN', codeSystem: LOINC_OID });
const a05 = (code: string, label: string): SegurDocumentType => ({ code, label, system: 'TRE_A05', codeSystem: TRE_A05_OID });

/**
 * The "documents Ségur" type codes (JDV_J07-XdsTypeCode-CISIS; requirements digest §4). Statistics and display
 * groups are built from the type code, so this list is for labels and synthetic documents, not a filter.
 */
export const segurDocumentTypes: readonly SegurDocumentType[] = Object.freeze([
  ln('11490-0', 'Lettre de liaison à la sortie d\'un établissement de soins'),
  ln('34874-8', 'Compte rendu opératoire'),
  ln('57833-6', 'Prescription de produits de santé'),
  ln('57832-8', 'Prescription de soins'),
  ln('57828-6', 'Prescription (autre)'),
  a05('PRESC-BIO', 'Prescription d\'actes de biologie médicale'),
  a05('PRESC-KINE', 'Prescription d\'actes de kinésithérapie'),
  a05('PRESC-INF', 'Prescription d\'actes infirmiers'),
  a05('PRESC-PEDI', 'Prescription d\'actes de pédicurie'),
  a05('PRESC-ORTHOPHO', 'Prescription d\'actes d\'orthophonie'),
  a05('PRESC-ORTHOPTIE', 'Prescription d\'actes d\'orthoptie'),
  ln('55115-0', 'Demande d\'actes d\'imagerie'),
  ln('11488-4', 'Compte rendu de consultation'),
  ln('18748-4', 'Compte rendu d\'imagerie médicale'),
  ln('11502-2', 'Compte rendu d\'examens biologiques'),
  ln('11526-1', 'Compte rendu d\'anatomie et de cytologie pathologiques'),
  ln('34112-3', 'Compte rendu d\'hospitalisation'),
  ln('15507-7', 'Compte rendu de passage aux urgences'),
  ln('15508-5', 'Compte rendu d\'accouchement'),
  ln('77436-4', 'Compte rendu d\'anesthésie'),
  ln('34749-2', 'Compte rendu de consultation pré-anesthésique'),
  ln('34133-9', 'Synthèse d\'épisode de soins'),
  ln('18761-7', 'Note de transfert (dont lettre de liaison à l\'entrée en établissement de soins)'),
  ln('34794-8', 'Compte rendu de réunion de concertation pluridisciplinaire'),
  ln('89601-9', 'Certificat médical'),
  ln('87273-9', 'Note de vaccination'),
].map((t) => Object.freeze(t)));

export function findSegurDocumentType(code: string): SegurDocumentType | undefined {
  return segurDocumentTypes.find((t) => t.code === code);
}

/** LOINC codes end with a mod-10 check digit over the digits before the hyphen (e.g. 34874-8, never 34874-5). */
export function isValidLoincCode(code: string): boolean {
  const m = /^(\d{1,7})-(\d)$/.exec(code);
  if (m === null) return false;
  const digits = (m[1] as string).split('').reverse().map(Number);
  let sum = 0;
  digits.forEach((d, i) => {
    const v = i % 2 === 0 ? d * 2 : d;
    sum += v > 9 ? v - 9 : v;
  });
  return (10 - (sum % 10)) % 10 === Number(m[2]);
}
