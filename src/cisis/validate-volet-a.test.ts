import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { MssMatrixProfile } from './types.js';
import { example, examples, examplesDir, setComponent, setField, setFlag, volets, wave2 } from './testing/mutate.js';
import { assertAccepts, assertRejects, errorKeys, run } from './test-run.js';
import { maxAckErrors } from './validate-volet-a.js';

/** Message files (not ACKs, ZAM or CDA fixtures) under a folder of the ANS example repository. */
function messages(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/^message.*\.(er7|hl7)$/.test(name)) out.push(relative(examplesDir, path));
    }
  };
  walk(join(examplesDir, folder));
  return out.sort();
}

const mss = (row: string): string => `207 MSS_MATRIX ${row}`;
const placeholders2 = ['102 OBX^1^5', '102 OBX^2^5'];
const mismatch = '207 PATIENT_MISMATCH PID^1^3';

/**
 * The verdict of every volet A 2.1 example (MANIFEST §2.2–2.3): [] = AA. Real CDAs marked OK / OK* are accepted,
 * placeholders and NEG are refused; under 2.1.2 and 2.1.3 the MDM examples fall outside the MSS matrix.
 */
const current: Record<string, Record<MssMatrixProfile, string[]>> = {
  [`${wave2}/MDM/Transmission initiale MDM/message_MDM_CR_Radio_INIT_N1.er7`]: {
    lenient: ['102 OBX^1^5'], '2.1.2': ['102 OBX^1^5', mss('OBX^4^5')], '2.1.3': ['102 OBX^1^5', mss('OBX^4^5')],
  },
  [`${wave2}/MDM/Transmission initiale MDM/message_MDM_CR_Radio_INIT_N1_Base64.er7`]: {
    lenient: [], '2.1.2': [mss('OBX^4^5')], '2.1.3': [mss('OBX^4^5')],
  },
  [`${wave2}/MDM/Remplacement MDM/message_MDM_CR_Radio_RPLC_N1.er7`]: {
    lenient: [], '2.1.2': [mss('OBX^3^5')], '2.1.3': [mss('OBX^3^5')],
  },
  [`${wave2}/MDM/Suppression MDM/message_MDM_CR_Radio_DEL_N1.er7`]: {
    lenient: [], '2.1.2': [mss('OBX^3^5')], '2.1.3': [mss('OBX^3^5')],
  },
  [`${wave2}/ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N3_SEGUR.hl7`]: { lenient: [], '2.1.2': [], '2.1.3': [] },
  [`${wave2}/ORU/Remplacement ORU/message_ORU_CR_Bio_RPLC_N3_SEGUR.hl7`]: { lenient: [], '2.1.2': [], '2.1.3': [] },
  [`${wave2}/ORU/Suppression ORU/message_ORU_CR_Bio_DEL_N3_SEGUR.hl7`]: { lenient: [mismatch], '2.1.2': [mismatch], '2.1.3': [mismatch] },
  [`${volets}/V2.1/ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N1_N3.hl7`]: {
    lenient: placeholders2, '2.1.2': placeholders2, '2.1.3': placeholders2,
  },
  [`${volets}/V2.1/ORU/Remplacement ORU/message_ORU_CR_Bio_RPLC_N1_N3.er7`]: {
    lenient: placeholders2, '2.1.2': placeholders2, '2.1.3': placeholders2,
  },
  [`${volets}/V2.1/ORU/Remplacement ORU/message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7`]: {
    lenient: [mismatch, mismatch, '207 RPLC_MISSING OBX^2^5'],
    '2.1.2': [mismatch, mismatch, '207 RPLC_MISSING OBX^2^5'],
    '2.1.3': [mismatch, mismatch, '207 RPLC_MISSING OBX^2^5'],
  },
  [`${volets}/V2.1/ORU/Suppression ORU/message_ORU_CR_Bio_DEL_N1_N3.er7`]: {
    lenient: placeholders2, '2.1.2': placeholders2, '2.1.3': placeholders2,
  },
  [`${volets}/V2.1/ORU/Suppression ORU/message_ORU_CR_Bio_DEL_N1_Base64_N3_Base64.er7`]: {
    lenient: [mismatch, mismatch], '2.1.2': [mismatch, mismatch], '2.1.3': [mismatch, mismatch],
  },
};

const read = (file: string): Buffer => readFileSync(join(examplesDir, file));

describe('volet A intake verdicts over the ANS examples', () => {
  it('knows a verdict for every volet A 2.1 message of the ANS repository', () => {
    assert.deepEqual([...messages(wave2), ...messages(`${volets}/V2.1`)].sort(), Object.keys(current).sort());
  });

  for (const profile of ['lenient', '2.1.2', '2.1.3'] as const) {
    it(`gives every volet A 2.1 example its expected verdict under the ${profile} profile`, () => {
      for (const [file, verdicts] of Object.entries(current)) {
        assert.deepEqual(errorKeys(run(read(file), { mssMatrixProfile: profile })), verdicts[profile], file);
      }
    });
  }

  it('answers AE 203 at MSH^1^21 to every volet B message, current and older', () => {
    const files = [...messages('Vague 2/Trans_LPS_CDA_MSSanté'), ...messages('Volets/Trans_LPS_CDA_MSSanté')];
    assert.equal(files.length, 10);
    for (const file of files) assert.deepEqual(errorKeys(run(read(file))), ['203 MSH^1^21'], file);
  });

  it('answers AE 203 at MSH^1^21 to the volet A 2.0 MDM and 1.2 messages', () => {
    const files = [...messages(`${volets}/V2.0/MDM`), ...messages(`${volets}/V1.2`)];
    assert.equal(files.length, 6);
    for (const file of files) assert.deepEqual(errorKeys(run(read(file))), ['203 MSH^1^21'], file);
  });

  it('answers AE 102 at MSH^1^2 to the volet A 2.0 ORU messages whose MSH-2 holds U+02DC', () => {
    const files = messages(`${volets}/V2.0/ORU`);
    assert.equal(files.length, 5);
    for (const file of files) assert.deepEqual(errorKeys(run(read(file))), ['102 MSH^1^2'], file);
  });
});

describe('validateVoletA', () => {
  it('builds the intake request of the Ségur ORU replacement', () => {
    const request = assertAccepts(run(example(examples.oruReplace)));
    assert.deepEqual(
      [request.structure, request.event, request.version, request.controlId, request.processingId, request.messageTime],
      ['ORU_R01', 'R01', '2.5', '015', 'P', '202106060931'],
    );
    assert.deepEqual(
      [request.sendingApp, request.sendingFacility, request.receivingApp, request.receivingFacility],
      ['SIL-Y', 'labo', 'PFI-X', 'Organisation-X'],
    );
    assert.equal(request.action, 'replace');
    assert.equal(request.documents.length, 1);
    assert.equal(request.documents[0]?.documentId, '1.2.250.1.213.1.1.13');
    assert.equal(request.documents[0]?.parentDocumentId, '1.2.250.1.213.1.1.12');
    assert.equal(request.flags.DESTMSSANTEPAT, true);
  });

  it('collects the errors of several rules in one ACK', () => {
    let text = example(examples.mdmInit);
    text = setField(text, 'ORC', 1, 1, 'RO');
    text = setComponent(text, 'PRT', 2, 15, 3, 'NET');
    text = setField(text, 'PID', 1, 32, 'PROV');
    assert.deepEqual(errorKeys(run(text)), [
      '207 ACTION_MISMATCH ORC^1^1', '103 PRT^2^15^1^3', '207 PS_RECIPIENT_MISSING OBX^8^5', '207 INS_NOT_QUALIFIED PID^1^32',
    ]);
  });

  it(`caps the ACK at ${maxAckErrors} ERR`, () => {
    let text = example(examples.mdmInit);
    for (const code of ['MASQUE_PS', 'INVISIBLE_PATIENT', 'INVISIBLE_REP_LEGAUX', 'CONNEXION_SECRETE', 'MODIF_CONF_CODE', 'DESTDMP',
      'DESTMSSANTEPS', 'DESTMSSANTEPAT', 'ACK_RECEPTION', 'ACK_LECTURE_MSS']) {
      text = setFlag(text, code, 'X');
    }
    text = setField(text, 'PV1', 1, 2, 'X');
    const keys = errorKeys(run(text));
    assert.equal(keys.length, maxAckErrors);
    assert.equal(keys[0], '103 PV1^1^2');
  });

  it('answers AE for a frame truncated inside the CDA base64', () => {
    const text = example(examples.mdmInit);
    const cut = text.slice(0, text.indexOf('^Base64^') + 5000);
    assertRejects(run(cut), '100 OBX^1');
  });

  it('never throws on an example cut at any of 400 positions', () => {
    const text = example(examples.mdmInitPlaceholder);
    for (let i = 0; i < 400; i++) {
      const r = run(text.slice(0, Math.floor((text.length * i) / 400)));
      assert.equal(typeof r.ok, 'boolean');
    }
  });

  it('answers AE, never AR, for every refusal of pure validation', () => {
    const r = run(example(examples.oruDelete));
    assert.equal(r.ok ? 'AA' : r.ackCode, 'AE');
  });

  it('keeps tolerated defects out of the errors of an AA', () => {
    const r = run(example(examples.oruInit));
    const request = assertAccepts(r);
    assert.deepEqual(request.warnings.map((w) => w.code).sort(), ['MAIL_BODY_UNREADABLE', 'PATIENT_ADDRESS_REBUILT', 'PID3_ID_MISSING']);
  });
});
