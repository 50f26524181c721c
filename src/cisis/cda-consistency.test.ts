import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentText, example, examples, setComponent, setDocument, setField } from './testing/mutate.js';
import { assertAccepts, assertRejects, assertRejectsOnly, run, warningCodes } from './test-run.js';

const mdm = example(examples.mdmInit);
const mdmReplace = example(examples.mdmReplace);
const oru = example(examples.oruReplace);
const cda = documentText(mdm);
const cdaReplace = documentText(mdmReplace);
const docId = '1.2.250.1.71.4.2.2.120456789.71024000081';

describe('HL7 ↔ CDA consistency (volet A §2.4.3, §2.4.5–2.4.7)', () => {
  it('answers AE 207 PATIENT_MISMATCH at PID^1^3 when the CDA is another patient (ANS Ségur deletion)', () => {
    assertRejectsOnly(run(example(examples.oruDelete)), ['207 PATIENT_MISMATCH PID^1^3']);
  });

  it('answers AE 207 PATIENT_MISMATCH at PID^1^3 when PID-3 carries another INS than the CDA', () => {
    assertRejectsOnly(run(setComponent(mdm, 'PID', 1, 3, 1, '185057800608436')), ['207 PATIENT_MISMATCH PID^1^3']);
  });

  it('answers AE 207 PATIENT_MISMATCH at PID^1^3 when the CDA carries an INS and PID-3 none', () => {
    const ippOnly = setField(mdm, 'PID', 1, 3, '000003^^^CHU-X&1.2.3.4.5&ISO^PI');
    const r = run(setField(ippOnly, 'OBX', 7, 5, 'N^^expandedYes-NoIndicator'));
    assertRejects(r, '207 PATIENT_MISMATCH PID^1^3');
  });

  it('answers AE 207 PATIENT_MISMATCH at PID^1^3 when PID-3 carries an INS and the CDA none', () => {
    const noIns = cda.replace('<id extension="279035121518989" root="1.2.250.1.213.1.4.10"', '<id extension="000003" root="1.2.3.4.5"');
    assert.notEqual(noIns, cda);
    assertRejects(run(setDocument(mdm, 1, noIns)), '207 PATIENT_MISMATCH PID^1^3');
  });

  it('answers AE 207 RECORD_TARGET_COUNT at OBX^1^5 when the CDA names two patients', () => {
    const block = /<recordTarget>[\s\S]*?<\/recordTarget>/.exec(cda)?.[0] ?? '';
    assertRejectsOnly(run(setDocument(mdm, 1, cda.replace(block, block + block))), ['207 RECORD_TARGET_COUNT OBX^1^5']);
  });

  it('warns when PID-3 lacks the IPP that the CDA carries (ANS Ségur examples)', () => {
    assert.ok(warningCodes(run(oru)).includes('PID3_ID_MISSING'));
  });

  it('warns when PID-7 differs from the CDA birth date', () => {
    const r = run(setField(mdm, 'PID', 1, 7, '19800101'));
    assertAccepts(r);
    assert.ok(warningCodes(r).includes('PATIENT_TRAIT_DIFFERS'));
  });

  it('answers AE 207 DOCUMENT_ID_MISMATCH at TXA^1^12 when TXA-12 differs from the CDA id', () => {
    assertRejectsOnly(run(setField(mdm, 'TXA', 1, 12, '1.2.250.1.71.4.2.2.120456789.99')), ['207 DOCUMENT_ID_MISMATCH TXA^1^12']);
  });

  it('answers AE 101 at TXA^1^12 when TXA-12 is empty', () => {
    assertRejectsOnly(run(setField(mdm, 'TXA', 1, 12, '')), ['101 TXA^1^12']);
  });

  it('accepts TXA-12 in the extension^^root^ISO form when the CDA id has an extension', () => {
    const withExt = cda.replace(`<id root="${docId}"></id>`, '<id root="1.2.250.1.71.4.2.2.120456789" extension="71024000081"></id>');
    const r = run(setField(setDocument(mdm, 1, withExt), 'TXA', 1, 12, '71024000081^^1.2.250.1.71.4.2.2.120456789^ISO'));
    assert.equal(assertAccepts(r).documents[0]?.documentId, '1.2.250.1.71.4.2.2.120456789^71024000081');
  });

  it('accepts TXA-12 with TXA-12.2 filled, with a warning (ANS MDM examples)', () => {
    const r = run(mdm);
    assertAccepts(r);
    assert.ok(warningCodes(r).includes('TXA_EI_NAMESPACE'));
  });

  it('reads the replaced document id of an MDM^T10 from the CDA RPLC', () => {
    const [doc] = assertAccepts(run(mdmReplace)).documents;
    assert.equal(doc?.documentId, '1.2.250.1.71.4.2.2.120456789.71024000082');
    assert.equal(doc?.parentDocumentId, docId);
  });

  it('answers AE 101 at TXA^1^13 when an MDM^T10 has no TXA-13', () => {
    assertRejectsOnly(run(setField(mdmReplace, 'TXA', 1, 13, '')), ['101 TXA^1^13']);
  });

  it('answers AE 207 PARENT_ID_MISMATCH at TXA^1^13 when TXA-13 differs from the RPLC parent', () => {
    assertRejectsOnly(run(setField(mdmReplace, 'TXA', 1, 13, '1.2.250.1.71.4.2.2.120456789.99')), ['207 PARENT_ID_MISMATCH TXA^1^13']);
  });

  it('answers AE 207 RPLC_MISSING at OBX^1^5 when a replacement CDA has no relatedDocument RPLC', () => {
    const noRplc = cdaReplace.replace(/<relatedDocument typeCode="RPLC">[\s\S]*?<\/relatedDocument>/, '');
    assert.notEqual(noRplc, cdaReplace);
    assertRejects(run(setDocument(mdmReplace, 1, noRplc)), '207 RPLC_MISSING OBX^1^5');
  });

  it('answers AE 207 REPLACES_ITSELF at OBX^1^5 when a replacement CDA keeps the id of the document it replaces', () => {
    // The ANS replacement: own id …82, RPLC parent …81.
    const same = cdaReplace.replace('<id root="1.2.250.1.71.4.2.2.120456789.71024000082">', `<id root="${docId}">`);
    assert.notEqual(same, cdaReplace);
    assertRejects(run(setDocument(mdmReplace, 1, same)), '207 REPLACES_ITSELF OBX^1^5');
  });

  it('answers AE 207 TYPE_CODE_MISMATCH at OBX^1^3 when the CDA code differs from OBX-3', () => {
    const other = cda.replace('<code code="18748-4"', '<code code="11502-2"');
    assertRejectsOnly(run(setDocument(mdm, 1, other)), ['207 TYPE_CODE_MISMATCH OBX^1^3']);
  });

  it('answers AE 207 PATIENT_MISMATCH and RPLC_MISSING for the two-document ANS replacement', () => {
    const r = run(example('Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Remplacement ORU/message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7'));
    assertRejectsOnly(r, ['207 PATIENT_MISMATCH PID^1^3', '207 PATIENT_MISMATCH PID^1^3', '207 RPLC_MISSING OBX^2^5']);
  });
});
