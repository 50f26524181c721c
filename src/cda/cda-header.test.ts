import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isRelaisError } from '../domain/index.js';
import { readCdaHeader } from './cda-header.js';
import { decodeXml, parseXmlStrict } from './safe-xml.js';
import { syntheticCda } from './synthetic-cda.js';
import type { InstanceId, ReadOptions } from './types.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const vectors = `${shared}vectors/`;

interface Expected { file: string; id: InstanceId; code: string; level: 'N1' | 'N3'; version: string; patientIds: InstanceId[]; replaces: InstanceId[] }

// Values read from each file's header (ClinicalDocument/id, code, versionNumber, recordTarget ids, relatedDocument).
const fixtures: Expected[] = [
  { file: 'ans-hl7v2-exemples/Vague 2/RIS/remplacement_cr_imagerie.xml', id: { root: '1.2.250.1.213.4.5.4.403' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.250.1.213.4.5.2.4', extension: 'IPP101' }],
    replaces: [{ root: '1.2.250.1.213.4.5.4.402' }] },
  { file: 'ans-hl7v2-exemples/Vague 2/RIS/suppression_cr_imagerie.xml', id: { root: '1.2.250.1.213.4.5.4.403' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.250.1.213.4.5.2.4', extension: 'IPP101' }],
    replaces: [{ root: '1.2.250.1.213.4.5.4.402' }] },
  { file: 'ans-hl7v2-exemples/Vague 2/RIS/transmission_initiale_cr_imagerie.xml', id: { root: '1.2.250.1.213.4.5.4.402' }, code: '18748-4', level: 'N1', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.250.1.213.4.5.2.4', extension: 'IPP101' }],
    replaces: [] },
  { file: 'ans-hl7v2-exemples/Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/MDM/Remplacement MDM/CR_Radio_CDAN1_v2.XML', id: { root: '1.2.250.1.71.4.2.2.120456789.71024000082' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }],
    replaces: [{ root: '1.2.250.1.71.4.2.2.120456789.71024000081' }] },
  { file: 'ans-hl7v2-exemples/Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/MDM/Suppression MDM/CR_Radio_CDAN1_v2.XML', id: { root: '1.2.250.1.71.4.2.2.120456789.71024000082' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }],
    replaces: [{ root: '1.2.250.1.71.4.2.2.120456789.71024000081' }] },
  { file: 'ans-hl7v2-exemples/Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/MDM/Transmission initiale MDM/CR_Radio_CDAN1_v1.XML', id: { root: '1.2.250.1.71.4.2.2.120456789.71024000081' }, code: '18748-4', level: 'N1', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }],
    replaces: [] },
  { file: 'ans-hl7v2-exemples/Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/ORU/Remplacement ORU/SEGUR_CR_Bio_CDA_Niv3_v2.xml', id: { root: '1.2.250.1.213.1.1.13' }, code: '11502-2', level: 'N3', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.12' }] },
  { file: 'ans-hl7v2-exemples/Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/ORU/Suppression ORU/SEGUR_CR_Bio_CDA_Niv3_v2.xml', id: { root: '1.2.250.1.213.1.1.13' }, code: '11502-2', level: 'N3', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.12' }] },
  { file: 'ans-hl7v2-exemples/Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/ORU/Transmission initiale ORU/SEGUR_CR-BIO_2023.01_Electrophorese.xml', id: { root: '1.2.250.1.213.1.1.12' }, code: '11502-2', level: 'N3', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'ans-hl7v2-exemples/Vague 2/Trans_LPS_CDA_MSSanté/TRANSMISSION_LPS_DOC_CDA_COURRIEL_FROM_MSSANTE_V1.1/Remplacement MDM/CR_Radio_CDAN1_v2.XML', id: { root: '1.2.250.1.71.4.2.2.120456789.71024000082' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }],
    replaces: [{ root: '1.2.250.1.71.4.2.2.120456789.71024000081' }] },
  { file: 'ans-hl7v2-exemples/Vague 2/Trans_LPS_CDA_MSSanté/TRANSMISSION_LPS_DOC_CDA_COURRIEL_FROM_MSSANTE_V1.1/Suppression MDM/CR_Radio_CDAN1_v2.XML', id: { root: '1.2.250.1.71.4.2.2.120456789.71024000082' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }],
    replaces: [{ root: '1.2.250.1.71.4.2.2.120456789.71024000081' }] },
  { file: 'ans-hl7v2-exemples/Vague 2/Trans_LPS_CDA_MSSanté/TRANSMISSION_LPS_DOC_CDA_COURRIEL_FROM_MSSANTE_V1.1/Transmission initiale MDM/CR_Radio_CDAN1_v1.XML', id: { root: '1.2.250.1.71.4.2.2.120456789.71024000081' }, code: '18748-4', level: 'N1', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }],
    replaces: [] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/MDM/Remplacement MDM/CR_Radio_CDAN1_v2.XML', id: { root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000082' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '274075176079430' }],
    replaces: [{ root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000081' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/MDM/Suppression MDM/CR_Radio_CDAN1_v2.XML', id: { root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000082' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '274075176079430' }],
    replaces: [{ root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000081' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/MDM/Transmission initiale MDM/CR_Radio_CDAN1_v1.XML', id: { root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000081' }, code: '18748-4', level: 'N1', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '274075176079430' }],
    replaces: [] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/ORU/Remplacement ORU/CR_Bio_CDA_Niv1_v2.XML', id: { root: '1.2.250.1.213.1.1.12' }, code: '11502-2', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '277076322082910' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.10' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/ORU/Remplacement ORU/CR_Bio_CDA_Niv3_v2.XML', id: { root: '1.2.250.1.213.1.1.11' }, code: '11502-2', level: 'N3', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '277076322082910' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.9' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/ORU/Suppression ORU/CR_Bio_CDA_Niv1_v2.XML', id: { root: '1.2.250.1.213.1.1.12' }, code: '11502-2', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '277076322082910' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.10' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/ORU/Suppression ORU/CR_Bio_CDA_Niv3_v2.XML', id: { root: '1.2.250.1.213.1.1.11' }, code: '11502-2', level: 'N3', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '277076322082910' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.9' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/ORU/Transmission initiale ORU/CR_Bio_CDA_Niv1_v1.XML', id: { root: '1.2.250.1.213.1.1.10' }, code: '11502-2', level: 'N1', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '277076322082910' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/ORU/Transmission initiale ORU/CR_Bio_CDA_Niv3_v1.XML', id: { root: '1.2.250.1.213.1.1.9' }, code: '11502-2', level: 'N3', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '277076322082910' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Remplacement ORU/CR_Bio_CDA_Niv1_v2.XML', id: { root: '1.2.250.1.213.1.1.11' }, code: '11502-2', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.10' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Remplacement ORU/CR_Bio_CDA_Niv3_v2.XML', id: { root: '1.2.250.1.213.1.1.12' }, code: '11502-2', level: 'N3', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.9' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Suppression ORU/CR_Bio_CDA_Niv1_v2.XML', id: { root: '1.2.250.1.213.1.1.11' }, code: '11502-2', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.10' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Suppression ORU/CR_Bio_CDA_Niv3_v2.XML', id: { root: '1.2.250.1.213.1.1.12' }, code: '11502-2', level: 'N3', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '1.2.250.1.213.1.1.9' }] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission initiale ORU/CR_Bio_CDA_Niv1_v1.XML', id: { root: '1.2.250.1.213.1.1.9' }, code: '11502-2', level: 'N1', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission initiale ORU/CR_Bio_CDA_Niv3_v1.XML', id: { root: '1.3.6.1.4.1.19376.1.3.3.4' }, code: '11502-2', level: 'N3', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'ans-hl7v2-exemples/Volets/Trans_LPS_CDA_MSSanté/V1.0/Remplacement MDM/CR_Radio_CDAN1_v2.XML', id: { root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000082' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '274075176079430' }],
    replaces: [{ root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000081' }] },
  { file: 'ans-hl7v2-exemples/Volets/Trans_LPS_CDA_MSSanté/V1.0/Suppression MDM/CR_Radio_CDAN1_v2.XML', id: { root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000082' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '274075176079430' }],
    replaces: [{ root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000081' }] },
  { file: 'ans-hl7v2-exemples/Volets/Trans_LPS_CDA_MSSanté/V1.0/Transmission initiale MDM/CR_Radio_CDAN1_v1.XML', id: { root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000081' }, code: '18748-4', level: 'N1', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.8', extension: '274075176079430' }],
    replaces: [] },
  { file: 'cda/AVC-PAVC_2022.01.xml', id: { root: '1.2.250.1.213.1.1.1.25.2022.1.1' }, code: '11488-4', level: 'N3', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'cda/BIO-CR-BIO_2024.01_TSH_1.xml', id: { root: '1.2.250.1.213.1.1.1.55.2024.9.1' }, code: '11502-2', level: 'N3', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'cda/DOC_NON_STRUCTURE_CDA-R2-N1.xml', id: { root: '1.3.6.1.4.1.19376.1.2.20.12345.1.1' }, code: '11502-2', level: 'N1', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'cda/IMG_CR_IMG_2024.01.xml', id: { root: '1.2.250.1.213.1.1.1.45.2024.1.1' }, code: '18748-4', level: 'N3', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '90E1C8EC-F951-4B26-A305-A34848818DD6' }] },
  { file: 'cda/IMG_CR_IMG_2024.01_CDA-R2-Niveau-1.xml', id: { root: '1.2.250.1.213.1.1.1.45.2024.2.1' }, code: '18748-4', level: 'N1', version: '2',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [{ root: '90E1C8EC-F951-4B26-A305-A34848818DD6' }] },
  { file: 'cda/LDL-EES_2022.01.xml', id: { root: '1.2.250.1.213.1.1.1.21.2022.1.1' }, code: '18761-7', level: 'N3', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'cda/LDL-SES_2022.01.xml', id: { root: '1.2.250.1.213.1.1.1.29.2022.1.1' }, code: '11490-0', level: 'N3', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
  { file: 'cda/eP-MED-DM_2024.01_PosoStruct.xml', id: { root: '1.2.250.1.213.1.1.1.39.2024.2.1' }, code: '57833-6', level: 'N3', version: '1',
    patientIds: [{ root: '1.2.250.1.213.1.4.10', extension: '279035121518989' }, { root: '1.2.3.4.567.8.9.10', extension: '1234567890121' }],
    replaces: [] },
];

const scopes: ReadOptions['scope'][] = ['full', 'header'];

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isRelaisError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

/** A small valid CDA; `parts` replaces pieces of it. */
function cda(parts: { root?: string; id?: string; code?: string; recordTargets?: string; body?: string; extraHeader?: string } = {}): string {
  const recordTarget = `<recordTarget><patientRole><id root="1.2.250.1.213.1.4.10" extension="248000000000001"/>
    <id root="1.2.250.1.999.1" extension="IPP1"/>
    <patient><name><family qualifier="BR">TESTNOM</family><given>ALICE MARIE</given><given qualifier="BR">ALICE</given>
    <family qualifier="CL">USAGE</family><given qualifier="CL">ALI</given></name>
    <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/><birthTime value="19800101"/>
    <birthplace><place><addr><censusTract>75056</censusTract></addr></place></birthplace></patient></patientRole></recordTarget>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
${parts.root ?? '<ClinicalDocument xmlns="urn:hl7-org:v3">'}
  ${parts.id ?? '<id root="1.2.250.1.999.2.1"/>'}
  ${parts.code ?? '<code code="11490-0" codeSystem="2.16.840.1.113883.6.1"/>'}
  <title>Lettre de liaison</title>
  ${parts.recordTargets ?? recordTarget}
  ${parts.extraHeader ?? ''}
  ${parts.body ?? '<component><nonXMLBody><text mediaType="application/pdf" representation="B64">JVBERi0xLjQK</text></nonXMLBody></component>'}
</ClinicalDocument>
`;
}

describe('readCdaHeader on the ANS CDA fixtures', () => {
  for (const f of fixtures) {
    for (const scope of scopes) {
      it(`reads id, code, level, version, patient ids and RPLC of ${f.file} (scope ${scope})`, () => {
        const h = readCdaHeader(readFileSync(vectors + f.file), { scope });
        assert.deepEqual(h.id, f.id);
        assert.equal(h.code.code, f.code);
        assert.equal(h.level, f.level);
        assert.equal(h.versionNumber, f.version);
        assert.deepEqual(h.patient.ids, f.patientIds);
        assert.equal(h.recordTargetCount, 1);
        assert.deepEqual(h.relatedDocuments.filter((r) => r.typeCode === 'RPLC').map((r) => r.parentIds[0]), f.replaces);
      });
    }
    it(`gives the same header in both scopes for ${f.file}`, () => {
      const bytes = readFileSync(vectors + f.file);
      assert.deepEqual(readCdaHeader(bytes, { scope: 'header' }), readCdaHeader(bytes, { scope: 'full' }));
    });
  }
});

describe('readCdaHeader details on IMG_CR_IMG_2024.01_CDA-R2-Niveau-1.xml', () => {
  const h = readCdaHeader(readFileSync(`${vectors}cda/IMG_CR_IMG_2024.01_CDA-R2-Niveau-1.xml`));

  it('reads the document metadata the XDS DocumentEntry needs', () => {
    assert.equal(h.title, 'CR d’imagerie médicale - Scanner Tête + Cou + Thorax avec injection');
    assert.equal(h.effectiveTime, '20210108111700+0100');
    assert.deepEqual(h.confidentialityCode, { code: 'N', codeSystem: '2.16.840.1.113883.5.25', displayName: 'Normal' });
    assert.equal(h.languageCode, 'fr-FR');
    assert.deepEqual(h.setId, { root: '1.2.250.1.213.1.1.1.45.2024.2' });
    assert.deepEqual(h.templateIds.map((t) => t.root), ['2.16.840.1.113883.2.8.2.1', '1.2.250.1.213.1.1.1.1', '1.3.6.1.4.1.19376.1.2.20']);
    assert.deepEqual(h.nonXmlBody, { mediaType: 'application/pdf', representation: 'B64' });
    assert.equal(h.code.translations?.length, 3);
  });

  it('reads the INS identity traits of the patient with BR and CL qualifiers', () => {
    assert.equal(h.patient.birthFamily, 'PAT-TROIS');
    assert.equal(h.patient.usedFamily, 'PAT-TROIS');
    assert.deepEqual(h.patient.given, ['DOMINIQUE', 'MARIE-LOUISE']);
    assert.equal(h.patient.firstGiven, 'DOMINIQUE');
    assert.equal(h.patient.usedGiven, 'DOMINIQUE');
    assert.equal(h.patient.gender, 'F');
    assert.equal(h.patient.birthTime, '19790328');
    assert.equal(h.patient.birthPlaceCode, '51215');
  });

  it('reads the author, custodian and legal authenticator', () => {
    assert.equal(h.authors.length, 1);
    const a = h.authors[0];
    assert.equal(a?.time, '20210108111700+0100');
    assert.deepEqual(a?.person, { ids: [{ root: '1.2.250.1.71.4.2.1', extension: '801234560801' }], family: 'BIDEAULT', given: ['Jacques'], prefix: 'M' });
    assert.equal(a?.specialty?.code, 'G15_10/SM44');
    assert.equal(a?.functionCode?.code, 'ATTPHYS');
    assert.deepEqual(a?.organization, { ids: [{ root: '1.2.250.1.71.4.2.2', extension: '1750803447' }], name: 'Centre de radiologie Ambroise' });
    assert.deepEqual(h.custodian, { ids: [{ root: '1.2.250.1.71.4.2.2', extension: '1750803447' }], name: 'Centre de radiologie Ambroise' });
    assert.equal(h.legalAuthenticator?.time, '20210108111700+0100');
    assert.equal(h.legalAuthenticator?.person?.family, 'BIDEAULT');
    assert.equal(h.legalAuthenticator?.organization?.name, 'Centre de radiologie Ambroise');
  });

  it('reads every serviceEvent, the imaging order and accession number, and the encounter', () => {
    assert.equal(h.serviceEvents.length, 4);
    assert.deepEqual(h.serviceEvent?.ids, [{ root: '1.2.250.1.925.994044.27.123.1876350' }]);
    assert.equal(h.serviceEvent?.effectiveLow, '20210108102500+0100');
    assert.equal(h.serviceEvent?.effectiveHigh, '20210108111700+0100');
    assert.equal(h.serviceEvent?.performers[0]?.family, 'BIDEAULT');
    assert.deepEqual(h.serviceEvent?.code?.translations?.map((t) => t.code), ['ACQH004', 'CT', '774007']);
    assert.deepEqual(h.orders, [{ ids: [{ root: '1.2.250.1.748.12345678.12', extension: '984375862' }], accessionNumber: { root: '1.2.250.1.925.994044.27', extension: '105234751' } }]);
    assert.equal(h.practiceSetting?.code, 'AMBULATOIRE');
    assert.equal(h.encompassingEncounter?.healthcareFacilityType?.code, 'SA08');
    assert.equal(h.encompassingEncounter?.code?.code, 'AMB');
    assert.equal(h.encompassingEncounter?.effectiveLow, '20210108102500+0100');
    assert.equal(h.encompassingEncounter?.locationName, 'Centre de radiologie Ambroise');
    assert.equal(h.encompassingEncounter?.practiceSetting?.code, 'AMBULATOIRE');
  });
});

describe('readCdaHeader on older ANS name layouts', () => {
  it('puts given@BR first when the unqualified given holds only the other names (volet 2.0 example)', () => {
    const h = readCdaHeader(readFileSync(`${vectors}ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.0/ORU/Transmission initiale ORU/CR_Bio_CDA_Niv1_v1.XML`));
    assert.deepEqual(h.patient.given, ['RUTH', 'ISABELLE']);
    assert.equal(h.patient.firstGiven, 'RUTH');
    assert.equal(h.patient.birthFamily, 'NESSI');
    assert.equal(h.patient.usedFamily, 'DECOURCY');
  });

  it('takes family@SP as used name when there is no family@CL', () => {
    const xml = cda().replace('<family qualifier="CL">USAGE</family>', '<family qualifier="SP">EPOUSE</family>');
    assert.equal(readCdaHeader(xml).patient.usedFamily, 'EPOUSE');
  });
});

describe('readCdaHeader on a minimal document', () => {
  for (const scope of scopes) {
    it(`reads names, censusTract birthplace and body kind (scope ${scope})`, () => {
      const h = readCdaHeader(cda(), { scope });
      assert.deepEqual(h.patient, {
        ids: [{ root: '1.2.250.1.213.1.4.10', extension: '248000000000001' }, { root: '1.2.250.1.999.1', extension: 'IPP1' }],
        given: ['ALICE', 'MARIE'], birthFamily: 'TESTNOM', usedFamily: 'USAGE', firstGiven: 'ALICE', usedGiven: 'ALI',
        gender: 'F', birthTime: '19800101', birthPlaceCode: '75056',
      });
      assert.equal(h.level, 'N1');
      assert.equal(h.title, 'Lettre de liaison');
      assert.deepEqual(h.authors, []);
      assert.equal(h.custodian, undefined);
    });

    it(`counts two recordTargets and reads the first patient (scope ${scope})`, () => {
      const two = '<recordTarget><patientRole><id root="1.2.3" extension="A"/></patientRole></recordTarget>'
        + '<recordTarget><patientRole><id root="1.2.3" extension="B"/></patientRole></recordTarget>';
      const h = readCdaHeader(cda({ recordTargets: two }), { scope });
      assert.equal(h.recordTargetCount, 2);
      assert.deepEqual(h.patient.ids, [{ root: '1.2.3', extension: 'A' }]);
    });

    it(`reads a structuredBody as N3 (scope ${scope})`, () => {
      const h = readCdaHeader(cda({ body: '<component><structuredBody><component><section><title>x</title></section></component></structuredBody></component>' }), { scope });
      assert.equal(h.level, 'N3');
      assert.equal(h.nonXmlBody, undefined);
    });

    it(`applies the ED defaults text/plain and TXT to a bare nonXMLBody text (scope ${scope})`, () => {
      const h = readCdaHeader(cda({ body: '<component><nonXMLBody><text>bonjour</text></nonXMLBody></component>' }), { scope });
      assert.deepEqual(h.nonXmlBody, { mediaType: 'text/plain', representation: 'TXT' });
    });

    it(`reads an id extension and an author device (scope ${scope})`, () => {
      const author = `<author><time value="20250101120000+0100"/><assignedAuthor><id root="1.2.250.1.71.4.2.2" extension="1750000001"/>
        <assignedAuthoringDevice><manufacturerModelName>Modèle</manufacturerModelName><softwareName>DPI</softwareName></assignedAuthoringDevice>
        </assignedAuthor></author>`;
      const h = readCdaHeader(cda({ id: '<id root="1.2.250.1.999" extension="DOC-1"/>', extraHeader: author }), { scope });
      assert.deepEqual(h.id, { root: '1.2.250.1.999', extension: 'DOC-1' });
      assert.deepEqual(h.authors[0]?.device, { softwareName: 'DPI', manufacturerModelName: 'Modèle' });
      assert.deepEqual(h.authors[0]?.person, { ids: [{ root: '1.2.250.1.71.4.2.2', extension: '1750000001' }] });
    });

    it(`answers RLS_CDA_MISSING_ELEMENT with the element when the id is missing (scope ${scope})`, () => {
      try {
        readCdaHeader(cda({ id: '' }), { scope });
        assert.fail('expected an error');
      } catch (e) {
        assert.ok(isRelaisError(e));
        assert.equal(e.code, 'RLS_CDA_MISSING_ELEMENT');
        assert.equal(e.details.element, 'ClinicalDocument/id');
      }
    });

    it(`answers RLS_CDA_MISSING_ELEMENT when the id has only a nullFlavor (scope ${scope})`, () => {
      assert.equal(codeOf(() => readCdaHeader(cda({ id: '<id nullFlavor="UNK"/>' }), { scope })), 'RLS_CDA_MISSING_ELEMENT');
    });

    it(`answers RLS_CDA_MISSING_ELEMENT when code, recordTarget or body is missing (scope ${scope})`, () => {
      assert.equal(codeOf(() => readCdaHeader(cda({ code: '' }), { scope })), 'RLS_CDA_MISSING_ELEMENT');
      assert.equal(codeOf(() => readCdaHeader(cda({ code: '<code nullFlavor="NI"/>' }), { scope })), 'RLS_CDA_MISSING_ELEMENT');
      assert.equal(codeOf(() => readCdaHeader(cda({ recordTargets: '' }), { scope })), 'RLS_CDA_MISSING_ELEMENT');
      assert.equal(codeOf(() => readCdaHeader(cda({ body: '' }), { scope })), 'RLS_CDA_MISSING_ELEMENT');
      assert.equal(codeOf(() => readCdaHeader(cda({ body: '<component/>' }), { scope })), 'RLS_CDA_MISSING_ELEMENT');
    });

    it(`answers RLS_CDA_NOT_CDA for a wrong root, a wrong namespace or no namespace (scope ${scope})`, () => {
      assert.equal(codeOf(() => readCdaHeader(cda({ root: '<ClinicalDocumentX xmlns="urn:hl7-org:v3">' }).replace('</ClinicalDocument>', '</ClinicalDocumentX>'), { scope })), 'RLS_CDA_NOT_CDA');
      assert.equal(codeOf(() => readCdaHeader(cda({ root: '<ClinicalDocument xmlns="urn:hl7-org:v2">' }), { scope })), 'RLS_CDA_NOT_CDA');
      assert.equal(codeOf(() => readCdaHeader(cda({ root: '<ClinicalDocument>' }), { scope })), 'RLS_CDA_NOT_CDA');
      assert.equal(codeOf(() => readCdaHeader('<html><body/></html>', { scope })), 'RLS_CDA_NOT_CDA');
    });

    it(`reads a prefixed root and ignores elements of other namespaces (scope ${scope})`, () => {
      const xml = cda({ root: '<cda:ClinicalDocument xmlns:cda="urn:hl7-org:v3" xmlns="urn:hl7-org:v3">' })
        .replace('</ClinicalDocument>', '</cda:ClinicalDocument>')
        .replace('<title>Lettre de liaison</title>', '<title xmlns="urn:other">Autre</title><cda:title>Lettre &amp; suite &#233;</cda:title>');
      const h = readCdaHeader(xml, { scope });
      assert.equal(h.title, 'Lettre & suite é');
    });
  }

  it('gives the same answer in header scope when a comment mentions a body element early', () => {
    const xml = cda({ extraHeader: `<!-- structuredBody -->${'<!-- padding -->'.repeat(600)}` });
    assert.deepEqual(readCdaHeader(xml, { scope: 'header' }), readCdaHeader(xml));
    assert.equal(readCdaHeader(xml, { scope: 'header' }).level, 'N1');
  });

  it('reads an ISO-8859-1 document with accented names', () => {
    const xml = cda().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace('TESTNOM', 'HÉLÈNE-ÇA');
    for (const scope of scopes) assert.equal(readCdaHeader(Buffer.from(xml, 'latin1'), { scope }).patient.birthFamily, 'HÉLÈNE-ÇA');
  });
});

// A base64 run long enough that its end lies beyond what the header scope decodes (first body marker + 4 KB).
const longBase64 = `JVBERi0xLjQK${'QUJDRA=='.repeat(1500)}`;
const n1 = (base64 = longBase64) => cda({ body: `<component><nonXMLBody><text mediaType="application/pdf" representation="B64">${base64}</text></nonXMLBody></component>` });
const n3 = (section: string) => cda({
  body: `<component><structuredBody><component><section><title>Résultats</title>${section}</section></component>
    <component><section><text><list><item><content>fin</content></item></list></text></section></component></structuredBody></component>`,
});

describe('readCdaHeader scope full checks the body, scope header does not', () => {
  const bodyFaults: [string, string][] = [
    ['an unclosed element deep in structuredBody', n3('<text><table><tbody><tr><td>1</td></tr></tbody></text>')],
    ['a mismatched end tag in a section', n3('<text><paragraph>x</content></text>')],
    ['a bare & in body text', n3('<text>bilan & suite</text>')],
    ['a bare < in body text', n3('<text>a < b</text>')],
    ['an undeclared prefix in the body', n3('<entry><lab:x/></entry>')],
    ['an undeclared prefix on a body attribute', n3('<entry><observation xsi:type="PQ"/></entry>')],
    ['an unknown entity in the body', n3('<text>&eacute;</text>')],
    ['a repeated attribute in the body', n3('<entry><observation classCode="OBS" classCode="OBS"/></entry>')],
    ['a control character in the base64 text', n1(`${longBase64.slice(0, -8)}\u0001${longBase64.slice(-8)}`)],
    ['a CDATA end in the base64 text', n1(`${longBase64.slice(0, -8)}]]>${longBase64.slice(-8)}`)],
    ['an unterminated comment in the body', n3('<!-- commentaire <text>x</text>')],
    ['a comment with -- in the body', n3('<!-- a -- b -->')],
    ['an unterminated CDATA section in the body', n3('<text><![CDATA[x</text>')],
    ['a document cut inside the base64', n1().slice(0, cda().indexOf('JVBERi0xLjQK') + 9000)],
  ];
  for (const [what, xml] of bodyFaults) {
    it(`refuses ${what} with RLS_CDA_NOT_XML in scope full and reads the header in scope header`, () => {
      assert.equal(codeOf(() => readCdaHeader(xml, { scope: 'full' })), 'RLS_CDA_NOT_XML');
      assert.equal(codeOf(() => readCdaHeader(Buffer.from(xml), { scope: 'full' })), 'RLS_CDA_NOT_XML');
      assert.equal(readCdaHeader(Buffer.from(xml), { scope: 'header' }).id.root, '1.2.250.1.999.2.1');
    });
  }

  // The malformed fragments of header-scan.test.ts: refused in the header by both scopes, in the body by full only.
  const fragments = [
    '<a></b>', '<a b="1" b="2"/>', '<p:a/>', '<a>&bogus;</a>', '<a>&#0;</a>', '<a>x & y</a>', '<a>]]></a>', '<!-- x -- y -->',
    '<? x?>', '<!ELEMENT a ANY>', "<a b='<'/>", '<a b="1"c="2"/>', '<a xmlns:p=""/>', '<a/ >', '<xmlns:a/>',
  ];
  for (const fragment of fragments) {
    it(`refuses ${fragment} in the header in both scopes and in the body in scope full only`, () => {
      for (const scope of scopes) assert.equal(codeOf(() => readCdaHeader(cda({ extraHeader: fragment }), { scope })), 'RLS_CDA_NOT_XML', scope);
      assert.equal(codeOf(() => readCdaHeader(n3(fragment))), 'RLS_CDA_NOT_XML');
      assert.equal(readCdaHeader(n3(fragment), { scope: 'header' }).level, 'N3');
    });
  }

  it('refuses garbage after the root end tag in scope full only', () => {
    for (const tail of ['texte', '<ClinicalDocument xmlns="urn:hl7-org:v3"/>', '<!-- x', '<!x>', '&amp;', '<![CDATA[x]]>']) {
      const xml = `${n1()}${tail}`;
      assert.equal(codeOf(() => readCdaHeader(xml, { scope: 'full' })), 'RLS_CDA_NOT_XML', tail);
      assert.equal(readCdaHeader(xml, { scope: 'header' }).level, 'N1', tail);
    }
  });

  it('refuses invalid UTF-8 deep in the body with RLS_CDA_BAD_ENCODING in scope full only', () => {
    const bytes = Buffer.from(n1());
    bytes[bytes.indexOf('</text>') - 4] = 0xc3;
    assert.equal(codeOf(() => readCdaHeader(bytes, { scope: 'full' })), 'RLS_CDA_BAD_ENCODING');
    assert.equal(readCdaHeader(bytes, { scope: 'header' }).level, 'N1');
  });

  it('accepts in scope full a body with prefixes declared there, comments, PIs, CDATA and references', () => {
    const section = `<!-- note --><?pi x?><text>a &lt; b &amp; c &#233;<![CDATA[<x> & ]]></text>
      <entry xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><observation><value xsi:type="PQ" value="1" unit="mg"/></observation></entry>
      <entry><lab:x xmlns:lab="urn:oid:1.3.6.1.4.1.19376.1.3.2"><lab:y/></lab:x></entry>`;
    const xml = `${n3(section)}<!-- après la racine -->\n`;
    assert.equal(readCdaHeader(xml, { scope: 'full' }).level, 'N3');
    assert.equal(readCdaHeader(Buffer.from(xml, 'utf8')).level, 'N3');
    const latin1 = xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    assert.equal(readCdaHeader(Buffer.from(latin1, 'latin1')).level, 'N3');
  });

  it('gives precedence to a malformed body over a wrong root or a missing element in scope full', () => {
    const wrongRoot = n3('<text>a & b</text>').replace('<ClinicalDocument xmlns="urn:hl7-org:v3">', '<ClinicalDocument xmlns="urn:x">');
    assert.equal(codeOf(() => readCdaHeader(wrongRoot)), 'RLS_CDA_NOT_XML');
    assert.equal(codeOf(() => readCdaHeader(wrongRoot, { scope: 'header' })), 'RLS_CDA_NOT_CDA');
    assert.equal(codeOf(() => readCdaHeader(n3('<text>a & b</text>').replace('<id root="1.2.250.1.999.2.1"/>', ''))), 'RLS_CDA_NOT_XML');
    assert.equal(codeOf(() => readCdaHeader(n3('<text/>').replace('<ClinicalDocument xmlns="urn:hl7-org:v3">', '<ClinicalDocument xmlns="urn:x">'))), 'RLS_CDA_NOT_CDA');
  });

  it('checks the body after a prefixed root and an early mention of a body element', () => {
    const prefixed = n3('<text>x</text>').replace('<ClinicalDocument xmlns="urn:hl7-org:v3">', '<cda:ClinicalDocument xmlns:cda="urn:hl7-org:v3" xmlns="urn:hl7-org:v3">')
      .replace('</ClinicalDocument>', '</cda:ClinicalDocument>');
    assert.equal(readCdaHeader(prefixed).level, 'N3');
    assert.equal(codeOf(() => readCdaHeader(prefixed.replace('</cda:ClinicalDocument>', '</ClinicalDocument>'))), 'RLS_CDA_NOT_XML');
    const early = n1().replace('<title>', `<!-- nonXMLBody -->${'<!-- padding -->'.repeat(600)}<title>`);
    assert.equal(readCdaHeader(early).level, 'N1');
    assert.equal(codeOf(() => readCdaHeader(early.replace('</nonXMLBody>', '</nonXMLBodyX>'))), 'RLS_CDA_NOT_XML');
  });

  it('places the byte offset of a body fault in the details, after non-ASCII header text', () => {
    const xml = n3('<text>Hélène & co</text>');
    try {
      readCdaHeader(Buffer.from(xml));
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(isRelaisError(e));
      assert.equal(e.details.column, Buffer.from(xml).indexOf('& co'));
      assert.doesNotMatch(JSON.stringify(e.details), /Hélène/);
    }
  });

  it('reads the same header in both scopes for a synthetic N1 carrying a 175 KB PDF', () => {
    const xml = syntheticCda({
      typeCode: '18748-4', level: 'N1', pdfBytes: 175_000, documentId: { root: '1.2.250.1.999.7.1' }, effectiveTime: new Date('2025-01-01T00:00:00Z'),
      patient: { ins: '248000000000001', insOid: '1.2.250.1.213.1.4.10', ipp: 'IPP1', ippAuthority: '1.2.250.1.999.1', family: 'TESTNOM', given: ['ALICE'], gender: 'F', birthDate: '19800101', birthPlace: '75056' },
      author: { rpps: '10000000001', family: 'DOC', given: 'A' }, organization: { finess: '750000001', name: 'Hôpital test' },
    });
    const bytes = Buffer.from(xml);
    assert.deepEqual(readCdaHeader(bytes, { scope: 'full' }), readCdaHeader(bytes, { scope: 'header' }));
    bytes[bytes.indexOf('</text>') - 100] = 0x3c;
    assert.equal(codeOf(() => readCdaHeader(bytes, { scope: 'full' })), 'RLS_CDA_NOT_XML');
  });
});

describe('readCdaHeader scope full against a strict xmldom parse', () => {
  it('refuses, with the same code, every mutation of a valid CDA that the strict xmldom parse refuses', () => {
    const base = n3(`<text><paragraph styleCode="Bold">Résultat &lt; 5</paragraph><!-- c --><![CDATA[x]]></text>
      <entry xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><observation classCode="OBS"><value xsi:type="PQ" value="4" unit="mmol/l"/></observation></entry>`);
    const inserts = ['<', '>', '&', '"', '/', '</x>', '<x>', ' a="1"', 'p:', '=', '&amp;', '&#0;', '<!--', '-->', ']]>', '<![CDATA[', '<?', '?>', 'é'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const at = next(base.length);
      const op = next(3);
      const xml = op === 0 ? base.slice(0, at) + base.slice(at + 1 + next(4))
        : op === 1 ? base.slice(0, at) + (inserts[next(inserts.length)] ?? '') + base.slice(at)
          : base.slice(0, base.indexOf('<', at)) + base.slice(base.indexOf('>', base.indexOf('<', at)) + 1);
      const strict = codeOf(() => parseXmlStrict(decodeXml(xml)));
      if (strict === 'no error') continue;
      refused++;
      assert.equal(codeOf(() => readCdaHeader(Buffer.from(xml))), strict, xml.slice(Math.max(0, at - 40), at + 40));
    }
    assert.ok(refused > 500, `only ${refused} mutations were refused by xmldom`);
  });
});
