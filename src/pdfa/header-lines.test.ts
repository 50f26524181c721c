import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CdaHeader } from '../cda/index.js';
import { authorNames, documentTitle, formatTs, headerLines } from './header-lines.js';

const header: CdaHeader = {
  id: { root: '1.2.3' },
  code: { code: '11490-0', displayName: "Lettre de liaison à la sortie d'un établissement de soins" },
  effectiveTime: '20250115103000+0100',
  templateIds: [],
  recordTargetCount: 1,
  patient: {
    ids: [{ root: '1.2.250.1.213.1.4.8', extension: '279035121518989' }, { root: '1.2.250.1.999', extension: 'IPP-1' }],
    birthFamily: 'Durand', usedFamily: 'Martin', given: ['Anne', 'Marie'], usedGiven: 'Annie', gender: 'F', birthTime: '19790328',
  },
  authors: [
    { person: { ids: [], family: 'Bideault', given: ['Jacques'], prefix: 'Dr' }, specialty: { code: 'SM26', displayName: 'Neurologie' }, organization: { ids: [], name: 'Clinique' } },
    { device: { softwareName: 'Logiciel LIS' } },
  ],
  custodian: { ids: [{ root: '1.2.250.1.71.4.2.2', extension: '1120456789' }], name: 'Clinique du Belvédère' },
  relatedDocuments: [],
  serviceEvents: [],
  orders: [],
  level: 'N3',
};

describe('header lines of the PDF copy', () => {
  it('lists type, creation date, each author, custodian and the patient identity with the INS', () => {
    const { document, patient } = headerLines(header);
    assert.deepEqual(document, [
      { label: 'Type de document', value: "Lettre de liaison à la sortie d'un établissement de soins (11490-0)" },
      { label: 'Date et heure de création', value: '15/01/2025 à 10:30 (UTC+01:00)' },
      { label: 'Auteur 1', value: 'Dr Jacques BIDEAULT, Neurologie, Clinique' },
      { label: 'Auteur 2', value: 'Logiciel LIS' },
      { label: 'Organisation conservant le document', value: 'Clinique du Belvédère (1120456789)' },
    ]);
    assert.deepEqual(patient, [
      { label: 'Nom de naissance', value: 'DURAND (nom utilisé : MARTIN)' },
      { label: 'Prénoms de naissance', value: 'Anne Marie' },
      { label: 'Prénom utilisé', value: 'Annie' },
      { label: 'Date de naissance', value: '28/03/1979' },
      { label: 'Sexe', value: 'Féminin' },
      { label: 'INS (NIR)', value: '279035121518989' },
    ]);
    assert.equal(authorNames(header), 'Dr Jacques BIDEAULT, Logiciel LIS');
  });

  it('titles the document with its title, else the type display name, else the code', () => {
    assert.equal(documentTitle({ ...header, title: ' CR ' }), 'CR');
    assert.equal(documentTitle(header), "Lettre de liaison à la sortie d'un établissement de soins");
    assert.equal(documentTitle({ ...header, code: { code: '11490-0' } }), '11490-0');
  });

  it('writes HL7 TS in the document\'s own time, and leaves an unreadable one as it is', () => {
    assert.equal(formatTs('20231204163500-0500'), '04/12/2023 à 16:35 (UTC-05:00)');
    assert.equal(formatTs('202312041635'), '04/12/2023 à 16:35');
    assert.equal(formatTs('20231204'), '04/12/2023');
    assert.equal(formatTs('20231204163512.123+0100', false), '04/12/2023');
    assert.equal(formatTs('hier'), 'hier');
  });
});
