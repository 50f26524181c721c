import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CdaHeader } from '../cda/index.js';
import {
  classCode, confidentialityCodes, eventCodes, formatCode, healthcareFacilityTypeCode, practiceSettingCode, typeCode,
} from './document-codes.js';

const LOINC = '2.16.840.1.113883.6.1';
const noFlags = { MASQUE_PS: false, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false };

function header(over: Partial<CdaHeader> = {}): CdaHeader {
  return {
    id: { root: '1.2.3' }, code: { code: '11490-0', codeSystem: LOINC }, templateIds: [], recordTargetCount: 1,
    patient: { ids: [], given: [] }, authors: [], relatedDocuments: [], serviceEvents: [], orders: [], level: 'N3',
    confidentialityCode: { code: 'N', codeSystem: '2.16.840.1.113883.5.25' }, ...over,
  };
}

describe('document codes', () => {
  it('takes the typeCode from JDV_J66 and derives its class (11490-0 → 10, 18748-4 → 31, 18761-7 → 11)', () => {
    const t = typeCode(header());
    assert.deepEqual(t, { code: '11490-0', codingScheme: LOINC, display: 'Lettre de liaison à la sortie d\'un établissement de soins' });
    assert.deepEqual(classCode(t), { code: '10', codingScheme: '1.2.250.1.213.1.1.4.1', display: 'Compte rendu' });
    assert.equal(classCode(typeCode(header({ code: { code: '18748-4', codeSystem: LOINC } }))).code, '31');
    assert.equal(classCode(typeCode(header({ code: { code: '18761-7', codeSystem: LOINC } }))).code, '11');
  });
  it('takes a TRE_A05 type with its own code system', () => {
    const t = typeCode(header({ code: { code: 'PRESC-BIO', codeSystem: '1.2.250.1.213.1.1.4.12' } }));
    assert.equal(t.codingScheme, '1.2.250.1.213.1.1.4.12');
    assert.equal(classCode(t).code, '42');
  });
  it('refuses a type outside JDV_J66, and a J66 type without class, with RLS_XDS_CODE', () => {
    assert.throws(() => typeCode(header({ code: { code: '11526-1', codeSystem: LOINC } })), { code: 'RLS_XDS_CODE' });
    assert.throws(() => classCode(typeCode(header({ code: { code: '28617-9', codeSystem: LOINC } }))), { code: 'RLS_XDS_CODE' });
  });
  it('gives an N1 PDF the XDS-SD PDF formatCode', () => {
    assert.deepEqual(formatCode(header({ level: 'N1', nonXmlBody: { mediaType: 'application/pdf', representation: 'B64' } })), {
      code: 'urn:ihe:iti:xds-sd:pdf:2008', codingScheme: '1.3.6.1.4.1.19376.1.2.3', display: 'Document à corps non structuré en Pdf/A-1',
    });
  });
  it('refuses an N1 body of a media type without formatCode', () => {
    assert.throws(() => formatCode(header({ level: 'N1', nonXmlBody: { mediaType: 'application/zip', representation: 'B64' } })),
      { code: 'RLS_XDS_CODE' });
  });
  it('gives an N3 document the formatCode of its content model, else the outside-models code', () => {
    assert.deepEqual(formatCode(header({ templateIds: [{ root: '1.2.250.1.213.1.1.1.1' }, { root: '1.2.250.1.213.1.1.1.29', extension: '2022.01' }] })), {
      code: 'urn:asip:ci-sis:ldl-ses:2017', codingScheme: '1.2.250.1.213.1.1.4.2.282', display: 'Lettre de Liaison à la sortie de l\'établissement de santé',
    });
    assert.equal(formatCode(header({ templateIds: [{ root: '1.3.6.1.4.1.19376.1.3.3' }] })).code, 'urn:ihe:lab:xd-lab:2008');
    assert.equal(formatCode(header()).code, 'urn:asipSante:modelesHorsProfils:2011');
  });
  it('carries facility type and practice setting from the CDA, completing a missing display from the value set', () => {
    const h = header({
      encompassingEncounter: { healthcareFacilityType: { code: 'SA01', codeSystem: '1.2.250.1.71.4.2.4' } },
      practiceSetting: { code: 'ETABLISSEMENT', codeSystem: '1.2.250.1.213.1.1.4.9', displayName: 'Etablissement de santé' },
    });
    assert.deepEqual(healthcareFacilityTypeCode(h), { code: 'SA01', codingScheme: '1.2.250.1.71.4.2.4', display: 'Etablissement public de santé' });
    assert.deepEqual(practiceSettingCode(h), { code: 'ETABLISSEMENT', codingScheme: '1.2.250.1.213.1.1.4.9', display: 'Etablissement de santé' });
  });
  it('refuses a CDA without facility type or practice setting with RLS_XDS_MISSING_METADATA', () => {
    assert.throws(() => healthcareFacilityTypeCode(header()), { code: 'RLS_XDS_MISSING_METADATA' });
    assert.throws(() => practiceSettingCode(header()), { code: 'RLS_XDS_MISSING_METADATA' });
  });
  it('puts the CDA confidentiality first, then one DMP code per flag with the DMP spellings', () => {
    assert.deepEqual(confidentialityCodes(header(), noFlags).map((c) => c.code), ['N']);
    assert.deepEqual(confidentialityCodes(header(), { ...noFlags, MASQUE_PS: true }).map((c) => c.code), ['N', 'MASQUE_PS']);
    assert.deepEqual(confidentialityCodes(header(), { ...noFlags, INVISIBLE_PATIENT: true }).map((c) => c.code), ['N', 'INVISIBLE_PATIENT']);
    const all = confidentialityCodes(header({ confidentialityCode: { code: 'R', codeSystem: '2.16.840.1.113883.5.25' } }),
      { MASQUE_PS: true, INVISIBLE_PATIENT: true, INVISIBLE_REP_LEGAUX: true });
    assert.deepEqual(all.map((c) => [c.code, c.codingScheme]), [
      ['R', '2.16.840.1.113883.5.25'], ['MASQUE_PS', '1.2.250.1.213.1.1.4.13'], ['INVISIBLE_PATIENT', '1.2.250.1.213.1.1.4.13'],
      ['INVISIBLE_REPRESENTANTS_LEGAUX', '1.2.250.1.213.1.1.4.13'],
    ]);
  });
  it('refuses a CDA without a JDV_J58 confidentialityCode', () => {
    assert.throws(() => confidentialityCodes(header({ confidentialityCode: undefined }), noFlags), { code: 'RLS_XDS_MISSING_METADATA' });
  });
  it('lists act, pathology, modality and region codes once, and skips the LOINC exam code', () => {
    const h = header({ serviceEvents: [
      { ids: [], performers: [], code: { code: '24727-0', codeSystem: LOINC, translations: [
        { code: 'NZQN001', codeSystem: '1.2.250.1.213.2.5', displayName: 'IRM' },
        { code: 'RM', codeSystem: '1.2.840.10008.2.16.4', displayName: 'IRM' },
        { code: '61685007', codeSystem: '2.16.840.1.113883.6.96' }] } },
      { ids: [], performers: [], code: { code: '24728-8', codeSystem: LOINC, translations: [{ code: 'RM', codeSystem: '1.2.840.10008.2.16.4' }] } },
      { ids: [], performers: [], code: { code: 'Z13.9', codeSystem: '2.16.840.1.113883.6.3', displayName: 'Dépistage' } },
    ] });
    assert.deepEqual(eventCodes(h), [
      { code: 'NZQN001', codingScheme: '1.2.250.1.213.2.5', display: 'IRM' },
      { code: 'RM', codingScheme: '1.2.840.10008.2.16.4', display: 'IRM' },
      { code: '61685007', codingScheme: '2.16.840.1.113883.6.96', display: '61685007' },
      { code: 'Z13.9', codingScheme: '2.16.840.1.113883.6.3', display: 'Dépistage' },
    ]);
  });
});
