import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RelaisError } from '../domain/index.js';
import { parseEr7 } from '../hl7/index.js';
import { example, examples, examplesDir, volets } from './testing/mutate.js';
import { errorsForUnparsable } from './unparsable.js';

function parseError(input: string | Buffer): unknown {
  try {
    parseEr7(input);
  } catch (e) {
    return e;
  }
  throw new Error('the input parsed');
}

describe('errorsForUnparsable', () => {
  it('answers AE 102 at MSH^1^2 for the volet 2.0 ORU whose MSH-2 holds U+02DC', () => {
    const bytes = readFileSync(join(examplesDir, volets, 'V2.0/ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N1_N3.hl7'));
    const [err, ...rest] = errorsForUnparsable(parseError(bytes));
    assert.equal(rest.length, 0);
    assert.equal(err?.code, '102');
    assert.equal(err?.location, 'MSH^1^2');
    assert.equal(err?.severity, 'E');
    assert.equal(err?.codeSystem, 'messageErrorCondition');
  });

  it('answers AE 102 at MSH^1^18 when ISO-8859-15 bytes are declared as UTF-8', () => {
    const latin = Buffer.from(example(examples.mdmInitPlaceholder).replace('PAT-TROIS', 'PÂT-TROIS'), 'latin1');
    const [err] = errorsForUnparsable(parseError(latin));
    assert.equal(err?.code, '102');
    assert.equal(err?.location, 'MSH^1^18');
  });

  it('answers with a 0357 code and severity E for bytes that hold no MSH', () => {
    const [err] = errorsForUnparsable(parseError('PID|||123'));
    assert.match(err?.code ?? '', /^1\d\d$/);
    assert.equal(err?.severity, 'E');
  });

  it('maps a parser error without hl7Code by its Relais code', () => {
    const [err] = errorsForUnparsable(new RelaisError('RLS_HL7_UNKNOWN_CHARSET'));
    assert.equal(err?.code, '103');
    assert.equal(err?.location, 'MSH^1^18');
  });

  it('answers AE 199 without location for an error that is not a RelaisError', () => {
    const [err] = errorsForUnparsable(new TypeError('boom'));
    assert.equal(err?.code, '199');
    assert.equal(err?.location, undefined);
    assert.doesNotMatch(err?.text ?? '', /boom/);
  });
});
