import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEr7 } from '../hl7/index.js';
import { readVoletBAck } from './volet-b-ack.js';
import { examplesDir } from './testing/mutate.js';

const head = 'MSH|^~\\&|RIS-Y|Organisation-Y|PFI-Y|Organisation-Y|202106060932||ACK^T02^ACK|016|P|2.6|||||FRA|UNICODE UTF-8\r';

describe('readVoletBAck', () => {
  it('reads the ANS volet B ACK examples (AA, LF-terminated) as integrated', () => {
    const dir = join(examplesDir, 'Vague 2/Trans_LPS_CDA_MSSanté/TRANSMISSION_LPS_DOC_CDA_COURRIEL_FROM_MSSANTE_V1.1');
    for (const folder of ['Transmission initiale MDM', 'Remplacement MDM', 'Suppression MDM']) {
      assert.deepEqual(readVoletBAck(readFileSync(join(dir, folder, 'ack.er7'), 'utf8'), '015'), { outcome: 'integrated' });
    }
  });

  it('AE with ERR-3 207 and ERR-5 90x is a refusal, with the DPI\'s label (the volet example)', () => {
    const ack = `${head}MSA|AE|12345\rERR||PID^1^3|207^Application error^messageErrorCondition|E|902^Identifiant de patient inconnu^applicationErrorCode\r`;
    assert.deepEqual(readVoletBAck(ack, '12345'), { outcome: 'refused', code: '902', label: 'Identifiant de patient inconnu' });
    assert.deepEqual(readVoletBAck(parseEr7(ack), '12345'), { outcome: 'refused', code: '902', label: 'Identifiant de patient inconnu' });
  });

  it('a refusal without label takes the table\'s', () => {
    const ack = `${head}MSA|AE|1\rERR|||207^^messageErrorCondition|E|906\r`;
    assert.deepEqual(readVoletBAck(ack, '1'), { outcome: 'refused', code: '906', label: 'Autre' });
  });

  it('any other AE is a technical error, with its code and text', () => {
    assert.deepEqual(readVoletBAck(`${head}MSA|AE|1\rERR||MSH^1^12|203^Unsupported version^messageErrorCondition|E\r`, '1'),
      { outcome: 'technical', code: '203', text: 'Unsupported version' });
    assert.deepEqual(readVoletBAck(`${head}MSA|AE|1\rERR|||207^Application error^messageErrorCondition|E|X12^Local^L\r`, '1'),
      { outcome: 'technical', code: '207', text: 'Local' });
    assert.deepEqual(readVoletBAck(`${head}MSA|AE|1|texte libre\r`, '1'), { outcome: 'technical', text: 'texte libre' });
  });

  it('AR, an ACK for another message, no MSA, garbage and an unknown code mean retry', () => {
    for (const [ack, why] of [
      [`${head}MSA|AR|1\r`, /rejected for now \(AR\)/],
      [`${head}MSA|AA|2\r`, /control id '2', expected '1'/],
      [head, /without MSA/],
      ['not hl7 at all', /unreadable/],
      [`${head}MSA|ZZ|1\r`, /unknown acknowledgement code/],
    ] as const) {
      const r = readVoletBAck(ack, '1');
      assert.equal(r.outcome, 'retry');
      assert.match((r as { why: string }).why, why);
    }
  });

  it('commit-mode codes are read as their application twins', () => {
    assert.deepEqual(readVoletBAck(`${head}MSA|CA|1\r`, '1'), { outcome: 'integrated' });
    assert.equal(readVoletBAck(`${head}MSA|CR|1\r`, '1').outcome, 'retry');
  });
});
