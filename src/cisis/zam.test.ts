import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEr7, type Hl7Message } from '../hl7/index.js';
import { buildZam, buildZamZ01 } from './zam.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const ansExample = `${shared}vectors/ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission initiale ORU/Message metier reception DMP`;

const base = {
  controlId: 'Z1', originalControlId: 'ORIG-42', timestamp: new Date(2021, 5, 6, 9, 33, 0), eventTime: new Date(2021, 9, 5, 15, 29, 8),
  sendingApp: 'PFI-X', sendingFacility: 'Organisation-X', receivingApp: 'SIL-Y', receivingFacility: 'labo',
};

/** Every field of a segment as raw text, trailing empty fields left out. */
function fields(m: Hl7Message, name: string): string[] {
  const s = m.segment(name);
  assert.ok(s, `no ${name}`);
  const out: string[] = [];
  for (let i = 1; i <= s.fieldCount; i++) out.push(s.raw(i));
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Blanks the given 1-based fields (ids and timestamps differ from the example by design). */
function blank(f: string[], ...positions: number[]): string[] {
  return f.map((v, i) => (positions.includes(i + 1) ? '' : v));
}

describe('ZAM^Z01 (volet A §2.8)', () => {
  it('matches the ANS negative DMP reception example field by field apart from ids and timestamps', () => {
    const ans = parseEr7(readFileSync(ansExample));
    const ours = parseEr7(buildZamZ01({ ...base, ok: false, error: { code: 'DMPClosed', label: 'DMP fermé' } }));
    assert.deepEqual(ours.all('MSH').length + ours.all('EVN').length + ours.all('OBX').length + ours.all('ERR').length, 4);
    assert.deepEqual(blank(fields(ours, 'MSH'), 7, 10), blank(fields(ans, 'MSH'), 7, 10));
    assert.deepEqual(blank(fields(ours, 'EVN'), 2), blank(fields(ans, 'EVN'), 2));
    assert.deepEqual(blank(fields(ours, 'OBX'), 4), blank(fields(ans, 'OBX'), 4));
    // MANIFEST: the example's ERR-5.3 says DMPERRORCODE and ERR-3.2 "Application internal error"; §2.8 says
    // DMP_ERROR_CODE and "Application error".
    const err = fields(ours, 'ERR');
    const ansErr = fields(ans, 'ERR');
    assert.deepEqual(err.slice(0, 2), ansErr.slice(0, 2));
    assert.equal(err[2], '207^Application error^messageErrorCondition');
    assert.equal(err[3], ansErr[3]);
    assert.equal(err[4], 'DMPClosed^DMP fermé^DMP_ERROR_CODE');
  });

  it('puts the request MSH-10 in OBX-4 and Y in OBX-5 with no ERR when the DMP accepted', () => {
    const m = parseEr7(buildZamZ01({ ...base, ok: true }));
    assert.equal(m.messageType.code + m.messageType.event + m.messageType.structure, 'ZAMZ01ZAM_Z01');
    assert.equal(m.controlId, 'Z1');
    assert.equal(m.segment('MSH')?.raw(12), '2.6');
    assert.equal(m.segment('MSH')?.raw(21), '2.1^CISIS_CDA_HL7_V2');
    assert.equal(m.segment('OBX')?.get(4), 'ORIG-42');
    assert.equal(m.segment('OBX')?.raw(5), 'Y^^expandedYes-NoIndicator');
    assert.equal(m.segment('ERR'), undefined);
    assert.equal(m.segment('EVN')?.get(2), '20211005152908');
  });

  it('escapes HL7 delimiters in the DMP error label', () => {
    const m = parseEr7(buildZamZ01({ ...base, ok: false, error: { code: 'X', label: 'a|b^c' } }));
    assert.equal(m.segment('ERR')?.get(5, 2), 'a|b^c');
  });
});

describe('ZAM^Z02 and ZAM^Z03 (volet A §2.8)', () => {
  const examples = `${shared}vectors/ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission initiale ORU`;
  const mailbox = { address: 'adam.hoda@test-ci-sis.mssante.fr', id: '801234567897' };

  for (const [event, file] of [['Z02', 'Message metier reception MSS'], ['Z03', 'Message metier lecture MSS']] as const) {
    it(`matches the ANS positive ${event} example field by field apart from ids and timestamps`, () => {
      const ans = parseEr7(readFileSync(`${examples}/${file}`));
      const ours = parseEr7(buildZam({ ...base, event, originalControlId: '015', ok: true, mailbox }));
      assert.deepEqual(blank(fields(ours, 'MSH'), 7, 10), blank(fields(ans, 'MSH'), 7, 10));
      assert.deepEqual(blank(fields(ours, 'EVN'), 2), blank(fields(ans, 'EVN'), 2));
      assert.equal(ours.all('OBX').length, 2);
      const [ours1, ours2] = ours.all('OBX');
      const [ans1, ans2] = ans.all('OBX');
      for (let i = 1; i <= 11; i++) {
        assert.equal(ours1?.raw(i), ans1?.raw(i), `OBX|1 field ${i}`);
        assert.equal(ours2?.raw(i), ans2?.raw(i), `OBX|2 field ${i}`);
      }
      assert.equal(ours.segment('ERR'), undefined);
    });
  }

  it('puts the SMTP code in ERR-5 of a negative Z02', () => {
    const m = parseEr7(buildZam({ ...base, event: 'Z02', ok: false, mailbox, error: { code: '550', label: 'Boîte aux lettres indisponible' } }));
    assert.equal(m.segment('ERR')?.raw(5), '550^Boîte aux lettres indisponible^SMTPERRORCODE');
    assert.equal(m.segment('ERR')?.raw(3), '207^Application error^messageErrorCondition');
    assert.equal(m.all('OBX')[1]?.raw(5), '^^X.400^adam.hoda@test-ci-sis.mssante.fr');
  });

  it('puts the consumer code in ERR-5 of a negative Z03', () => {
    const m = parseEr7(buildZam({ ...base, event: 'Z03', ok: false, mailbox, error: { code: '902', label: 'Identifiant patient inconnu' } }));
    assert.equal(m.segment('ERR')?.raw(5), '902^Identifiant patient inconnu^applicationErrorCondition');
    assert.equal(m.all('OBX')[0]?.raw(3), 'ACK_LECTURE_MSS^Accusé de lecture^AckMetierZAM');
  });

  it('escapes HL7 delimiters found in a mailbox address or an error label', () => {
    const m = parseEr7(buildZam({ ...base, event: 'Z02', ok: false, mailbox: { address: 'a|b@x.fr' }, error: { code: '554', label: 'refus ^ & ~' } }));
    assert.equal(m.all('OBX')[1]?.get(5, 4), 'a|b@x.fr');
    assert.equal(m.segment('ERR')?.get(5, 2), 'refus ^ & ~');
  });
});
