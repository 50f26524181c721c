import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildAck, formatHl7Timestamp } from './ack.js';
import { parseEr7 } from './er7-parse.js';
import { sniffHeader } from './header-sniff.js';

const at = new Date(2023, 9, 3, 8, 31, 5);
const oru = parseEr7([
  'MSH|^~\\&|SIL|CHU_X|PFI|CHU_X|202310030830||ORU^R01^ORU_R01|12345|P|2.4|||||FRA|8859/15|||2.1^CISIS_CDA_HL7_V2',
  'PID|||1',
].join('\r'));

describe('buildAck', () => {
  it('builds the volet A unsupported-version AE (MSH swapped, ACK^R01^ACK, no MSH-21)', () => {
    const ack = buildAck(oru, {
      code: 'AE', controlId: '12347', timestamp: at,
      errors: [{ location: 'MSH^1^12', code: '203', text: 'Unsupported version', severity: 'E' }],
    });
    assert.equal(ack, [
      'MSH|^~\\&|PFI|CHU_X|SIL|CHU_X|20231003083105||ACK^R01^ACK|12347|P|2.4|||||FRA|8859/15',
      'MSA|AE|12345',
      'ERR||MSH^1^12|203^Unsupported version^messageErrorCondition|E',
      '',
    ].join('\r'));
  });

  it('parses back and echoes MSH-10 in MSA-2', () => {
    const back = parseEr7(buildAck(oru, { code: 'AA', controlId: 'A1', timestamp: at }));
    assert.equal(back.segment('MSA')?.get(2), '12345');
    assert.equal(back.segment('MSA')?.get(1), 'AA');
    assert.equal(back.segment('ERR'), undefined);
    assert.equal(back.segment('MSH')?.get(21), '');
    assert.deepEqual(back.messageType, { code: 'ACK', event: 'R01', structure: 'ACK' });
  });

  it('copies whole HD fields and MSH-12 with their components', () => {
    const m = parseEr7('MSH|^~\\&|GAM^1.2.3^ISO|CHU&X|DPI|CHU-X|2024||ADT^A01^ADT_A01|3975|D|2.5^FRA^2.11|||||FRA|UNICODE UTF-8');
    const ack = parseEr7(buildAck(m, { code: 'AA', controlId: 'x', timestamp: at }));
    const msh = ack.segment('MSH');
    assert.equal(msh?.raw(5), 'GAM^1.2.3^ISO');
    assert.equal(msh?.raw(6), 'CHU&X');
    assert.equal(msh?.get(6, 1, 2), 'X');
    assert.equal(msh?.raw(12), '2.5^FRA^2.11');
    assert.equal(msh?.get(11), 'D');
    assert.equal(msh?.get(18), 'UNICODE UTF-8');
  });

  it('writes ERR-5 and a custom code system, and lets the caller set MSH-18', () => {
    const ack = buildAck(oru, {
      code: 'AE', controlId: 'x', timestamp: at, charset: 'UTF-8',
      errors: [{ code: '207', text: 'Application internal error', severity: 'E', codeSystem: 'HL70357',
        appError: { code: 'MATRIX', text: 'Règle MSS', codeSystem: 'RELAIS' } }],
    });
    const err = parseEr7(ack).segment('ERR');
    assert.equal(err?.raw(2), '');
    assert.equal(err?.get(3, 3), 'HL70357');
    assert.equal(err?.get(5, 2), 'Règle MSS');
    assert.equal(parseEr7(ack).segment('MSH')?.get(18), 'UNICODE UTF-8');
  });

  it('leaves MSH-18 empty when the original left it empty', () => {
    const m = parseEr7('MSH|^~\\&|A|B|C|D|2024||ADT^A01|9|P|2.5');
    assert.equal(parseEr7(buildAck(m, { code: 'AA', controlId: 'x', timestamp: at })).segment('MSH')?.get(18), '');
  });

  it('answers from a sniffed header when the message could not be parsed', () => {
    const broken = Buffer.from('MSH|^\u02dc\\&|SIL|labo|PFI-X|Org|2021||ORU^R01^ORU_R01|015|P|2.5|||||FRA|UNICODE UTF-8\nPID|||1\n');
    const ack = buildAck(sniffHeader(broken), {
      code: 'AE', controlId: 'A9', timestamp: at,
      errors: [{ location: 'MSH^1^2', code: '102', text: 'Data type error', severity: 'E' }],
    });
    assert.equal(ack.split('\r')[0], 'MSH|^~\\&|PFI-X|Org|SIL|labo|20231003083105||ACK^R01^ACK|A9|P|2.5|||||FRA|UNICODE UTF-8');
    assert.equal(ack.split('\r')[1], 'MSA|AE|015');
  });

  it('answers with an empty MSA-2 when nothing could be sniffed', () => {
    const ack = buildAck(sniffHeader('not hl7'), { code: 'AE', controlId: 'A9', timestamp: at });
    assert.equal(ack, 'MSH|^~\\&|||||20231003083105||ACK^^ACK|A9|||||||FRA\rMSA|AE\r');
  });
});

describe('formatHl7Timestamp', () => {
  it('formats local time to the second', () => {
    assert.equal(formatHl7Timestamp(new Date(2024, 0, 2, 3, 4, 5)), '20240102030405');
  });
});
