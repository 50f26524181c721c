import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEr7 } from './er7-parse.js';
import { isRelaisError } from '../domain/index.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const examples = join(shared, 'vectors/ans-hl7v2-exemples');
const voletA = join(examples, 'Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1');
const mdmInit = join(voletA, 'MDM/Transmission initiale MDM');

/** Every message file of the ANS example tree: *.er7, *.hl7, and the extension-less ZAM files. */
function messageFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== '.github') messageFiles(p, out);
    } else if (/\.(er7|hl7)$/i.test(name) || name.startsWith('Message metier')) {
      out.push(p);
    }
  }
  return out;
}

function expectCode(fn: () => unknown, code: string, location?: string, hl7Code?: string): void {
  assert.throws(fn, (e) => {
    assert.ok(isRelaisError(e), String(e));
    assert.equal(e.code, code);
    if (location !== undefined) assert.equal(e.details.location, location);
    if (hl7Code !== undefined) assert.equal(e.details.hl7Code, hl7Code);
    return true;
  });
}

describe('parseEr7 on the ANS example tree', () => {
  const files = messageFiles(examples);

  it('finds the example messages, including the extension-less ZAM files', () => {
    assert.ok(files.length >= 60, `only ${files.length} files`);
    assert.ok(files.filter((f) => f.includes('Message metier')).length >= 6);
  });

  it('parses every example except the five volet 2.0 ORU files, which fail on MSH-2', () => {
    const badDelimiters: string[] = [];
    for (const f of files) {
      const rel = relative(examples, f);
      try {
        const m = parseEr7(readFileSync(f));
        assert.equal(m.segments[0]?.name, 'MSH', rel);
        assert.notEqual(m.controlId, '', rel);
      } catch (e) {
        assert.ok(isRelaisError(e) && e.code === 'RLS_HL7_BAD_DELIMITERS', `${rel}: ${String(e)}`);
        badDelimiters.push(rel);
      }
    }
    assert.equal(badDelimiters.length, 5, badDelimiters.join('\n'));
    for (const rel of badDelimiters) {
      assert.match(rel, /^Volets\/TRANS_DOC_CDA_HL7V2\/V2\.0\/ORU\/.*message_ORU_CR_Bio_/);
    }
  });

  it('reads PID-3 values of the MDM initial example', () => {
    const m = parseEr7(readFileSync(join(mdmInit, 'message_MDM_CR_Radio_INIT_N1.er7')));
    const pid = m.segment('PID');
    assert.ok(pid);
    assert.equal(pid.get(3), '279035121518989');
    assert.equal(pid.get(3, 4, 2), '1.2.250.1.213.1.4.10');
    assert.equal(pid.get(3, 5), 'INS');
    assert.equal(m.segment('MSH')?.get(21), '2.1');
    assert.equal(m.segment('MSH')?.get(21, 2), 'CISIS_CDA_HL7_V2');
    assert.deepEqual(m.messageType, { code: 'MDM', event: 'T02', structure: 'MDM_T02' });
    assert.equal(m.version, '2.6');
    assert.equal(m.controlId, '015');
    assert.equal(m.charset, 'UTF-8');
  });

  it('trims the trailing NBSPs of PRT-8.10 and the space in PRT-5.9.1 of the Base64 MDM example', () => {
    const m = parseEr7(readFileSync(join(mdmInit, 'message_MDM_CR_Radio_INIT_N1_Base64.er7')));
    const sb = m.all('PRT').find((p) => p.get(4) === 'SB');
    assert.ok(sb);
    assert.equal(sb.get(8, 10), '300017985');
    assert.ok(sb.raw(8).endsWith('\u00a0'), 'the raw value keeps the NBSPs');
    assert.equal(sb.get(5, 9, 1), 'ASIP-SANTE- PS');
  });

  it('reads the 300 KB base64 OBX-5.5 whole', () => {
    const bytes = readFileSync(join(mdmInit, 'message_MDM_CR_Radio_INIT_N1_Base64.er7'));
    const obx = parseEr7(bytes).segment('OBX');
    assert.ok(obx);
    assert.equal(obx.get(5, 4), 'Base64');
    const b64 = obx.get(5, 5);
    assert.ok(b64.length > 300_000);
    assert.match(b64.slice(0, 100), /^[A-Za-z0-9+/]+$/);
    assert.equal(obx.get(3, 2), "CR d'imagerie médicale");
  });

});

describe('parseEr7 segment endings and structure', () => {
  const segs = ['MSH|^~\\&|A|B|C|D|20240101||ADT^A01^ADT_A01|42|P|2.5|||||FRA|UNICODE UTF-8', 'PID|||123^^^X', 'PV1|1|I'];

  for (const [label, sep] of [['CR', '\r'], ['LF', '\n'], ['CRLF', '\r\n']] as const) {
    it(`splits segments ended by ${label}, from a string or from bytes`, () => {
      const text = segs.join(sep) + sep;
      for (const input of [text, Buffer.from(text)]) {
        const m = parseEr7(input);
        assert.deepEqual(m.segments.map((s) => s.name), ['MSH', 'PID', 'PV1']);
        assert.equal(m.segment('PID')?.get(3), '123');
        assert.equal(m.segment('PV1')?.get(2), 'I');
      }
    });
  }

  it('accepts mixed endings and ignores blank lines, leading ones included', () => {
    const text = '\r\n\n' + segs[0] + '\r\n\r\n' + segs[1] + '\r  \n' + segs[2];
    for (const input of [text, Buffer.from(text)]) {
      assert.deepEqual(parseEr7(input).segments.map((s) => s.name), ['MSH', 'PID', 'PV1']);
    }
  });

  it('fails with RLS_HL7_NO_MSH (100 at MSH^1) when the first segment is not MSH', () => {
    expectCode(() => parseEr7('PID|||1\rMSH|^~\\&|'), 'RLS_HL7_NO_MSH', 'MSH^1', '100');
    expectCode(() => parseEr7(Buffer.from('')), 'RLS_HL7_NO_MSH', 'MSH^1', '100');
    expectCode(() => parseEr7(Buffer.from('garbage')), 'RLS_HL7_NO_MSH');
  });

  it('fails with RLS_HL7_BAD_SEGMENT pointing at the previous segment when a value is wrapped onto a new line', () => {
    const text = segs[0] + '\rOBX|1|ED|X||^text^XML^Base64^QUJD\nREVG||||||F\r';
    expectCode(() => parseEr7(text), 'RLS_HL7_BAD_SEGMENT', 'OBX^1', '100');
    expectCode(() => parseEr7(Buffer.from(text)), 'RLS_HL7_BAD_SEGMENT', 'OBX^1', '100');
  });

  it('fails with RLS_HL7_BAD_SEGMENT beyond maxSegments', () => {
    const text = [segs[0], ...Array.from({ length: 5 }, (_, i) => `NTE|${i}`)].join('\r');
    expectCode(() => parseEr7(text, { maxSegments: 4 }), 'RLS_HL7_BAD_SEGMENT', 'NTE^4');
    assert.equal(parseEr7(text, { maxSegments: 6 }).segments.length, 6);
  });

  it('reads custom delimiters from MSH-1/MSH-2', () => {
    const m = parseEr7('MSH#*$@!#APP#FAC#####ADT*A01#1#P#2.5\rPID###a*b!c$d*e##x@F@y\r');
    const pid = m.segment('PID');
    assert.ok(pid);
    assert.equal(pid.get(3, 2, 2), 'c');
    assert.equal(pid.get(3, 2, 1, 2), 'e');
    assert.equal(pid.get(5), 'x#y');
    assert.equal(m.messageType.event, 'A01');
    assert.equal(m.delimiters.escape, '@');
  });
});

describe('parseEr7 charsets', () => {
  const latin = (msh18: string, body: string): Buffer =>
    Buffer.concat([Buffer.from(`MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5|||||FRA|${msh18}\r`), Buffer.from(body, 'latin1')]);

  it('decodes é and € of an 8859/15 message', () => {
    const m = parseEr7(latin('8859/15', 'NTE|1||Caf\xe9 \xa4 \xbd\r'));
    assert.equal(m.charset, 'ISO-8859-15');
    assert.equal(m.segment('NTE')?.get(3), 'Café € œ');
  });

  it('decodes 8859/1 bytes as Latin-1', () => {
    assert.equal(parseEr7(latin('8859/1', 'NTE|1||\xa4\xe9\r')).segment('NTE')?.get(3), '¤é');
  });

  it('fails with RLS_HL7_BAD_CHARSET (102 at MSH^1^18) for Latin bytes declared UNICODE UTF-8', () => {
    expectCode(() => parseEr7(latin('UNICODE UTF-8', 'NTE|1||Caf\xe9\r')), 'RLS_HL7_BAD_CHARSET', 'MSH^1^18', '102');
  });

  it('decodes UTF-8 declared as UNICODE UTF-8, escapes included', () => {
    const text = 'MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5|||||FRA|UNICODE UTF-8\rNTE|1||Zoé \\XC3A9\\ œ\r';
    assert.equal(parseEr7(Buffer.from(text, 'utf8')).segment('NTE')?.get(3), 'Zoé é œ');
  });

  it('treats an empty MSH-18 as ASCII by default and refuses bytes above 0x7F', () => {
    assert.equal(parseEr7(latin('', 'NTE|1||plain\r')).charset, 'ASCII');
    expectCode(() => parseEr7(latin('', 'NTE|1||Caf\xe9\r')), 'RLS_HL7_BAD_CHARSET', 'MSH^1^18', '102');
  });

  it('uses defaultCharset when MSH-18 is empty', () => {
    const m = parseEr7(latin('', 'NTE|1||Caf\xe9\r'), { defaultCharset: 'ISO-8859-15' });
    assert.equal(m.charset, 'ISO-8859-15');
    assert.equal(m.segment('NTE')?.get(3), 'Café');
  });

  it('fails with RLS_HL7_UNKNOWN_CHARSET (103 at MSH^1^18) for a charset it does not decode', () => {
    expectCode(() => parseEr7(latin('ISO IR87', 'NTE|1\r')), 'RLS_HL7_UNKNOWN_CHARSET', 'MSH^1^18', '103');
  });

  it('checks delimiters before the charset (the U+02DC example is a delimiter error)', () => {
    const text = 'MSH|^\u02dc\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5|||||FRA|UNICODE UTF-8\r';
    expectCode(() => parseEr7(Buffer.from(text, 'utf8')), 'RLS_HL7_BAD_DELIMITERS', 'MSH^1^2', '102');
    expectCode(() => parseEr7(text), 'RLS_HL7_BAD_DELIMITERS', 'MSH^1^2', '102');
  });
});
