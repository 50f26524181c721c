/**
 * formatCode of a structured (N3) CDA from its content-model templateId: the subset of the CI-SIS association
 * ASS_A11 (MSS/DMP digest §C5) for the models Relais meets in the ANS examples (vectors/cda). Written by us from
 * the templateIds those documents declare; the formatCodes are members of JDV_J60 (format-codes-dmp.ts).
 * Keys are ClinicalDocument/templateId/@root values.
 */
export const formatCodeByTemplate: Readonly<Record<string, string>> = Object.freeze({
  // CI-SIS Lettre de liaison à la sortie (LDL-SES)
  '1.2.250.1.213.1.1.1.29': 'urn:asip:ci-sis:ldl-ses:2017',
  // CI-SIS Lettre de liaison à l'entrée (LDL-EES)
  '1.2.250.1.213.1.1.1.21': 'urn:asip:ci-sis:ldl-ees:2017',
  // CI-SIS Compte rendu d'imagerie (IMG-CR-IMG), IHE RAD imaging report with structured headings
  '1.2.250.1.213.1.1.1.45': 'urn:ihe:rad:CDA:ImagingReportStructuredHeadings:2013',
  // IHE PaLM XD-LAB (CI-SIS CR de biologie)
  '1.3.6.1.4.1.19376.1.3.3': 'urn:ihe:lab:xd-lab:2008',
  // CI-SIS CR de consultation post-AVC (AVC-PAVC)
  '1.2.250.1.213.1.1.1.25': 'urn:asip:ci-sis:pavc:2016',
  // IHE Pharmacy PRE (CI-SIS eP-MED-DM prescription)
  '1.3.6.1.4.1.19376.1.9.1.1.1': 'urn:ihe:pharm:pre:2010',
});

/**
 * formatCode of an unstructured (N1) CDA from its nonXMLBody/text/@mediaType (IHE XDS-SD and its French
 * extensions, TRE_A11 in JDV_J60).
 */
export const formatCodeByMediaType: Readonly<Record<string, string>> = Object.freeze({
  'application/pdf': 'urn:ihe:iti:xds-sd:pdf:2008',
  'text/plain': 'urn:ihe:iti:xds-sd:text:2008',
  'image/jpeg': 'urn:ihe:iti-fr:xds-sd:jpeg:2010',
  'text/rtf': 'urn:ihe:iti-fr:xds-sd:rtf:2010',
  'application/rtf': 'urn:ihe:iti-fr:xds-sd:rtf:2010',
  'image/tiff': 'urn:ihe:iti-fr:xds-sd:tiff:2010',
});

/** A structured document that follows no model of the table: "Document non référencé IHE ou CI-SIS" (JDV_J60). */
export const FORMAT_CODE_OUTSIDE_MODELS = 'urn:asipSante:modelesHorsProfils:2011';
