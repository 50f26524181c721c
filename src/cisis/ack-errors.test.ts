import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { businessError, businessErrorLabels, hl7ErrorLabels, inputError } from './ack-errors.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/ack-codes.md', import.meta.url)), 'utf8');

/** First-column values of the markdown table in the section that starts with `heading`. */
function tableKeys(heading: string): string[] {
  const start = doc.indexOf(heading);
  const next = doc.indexOf('\n## ', start + heading.length);
  const section = doc.slice(start, next < 0 ? undefined : next);
  return section.split('\n').filter((l) => l.startsWith('|')).slice(2)
    .map((l) => (l.split('|')[1] ?? '').trim().replace(/`/g, ''));
}

describe('ACK error builders and docs/ack-codes.md', () => {
  it('lists every Relais business code in docs/ack-codes.md with its label, and no other', () => {
    assert.deepEqual(tableKeys('## ERR-5').sort(), Object.keys(businessErrorLabels).sort());
    for (const [code, label] of Object.entries(businessErrorLabels)) {
      assert.ok(doc.includes(`| \`${code}\` | ${label}`), `label of ${code} in docs/ack-codes.md`);
    }
  });

  it('lists every 0357 code used in docs/ack-codes.md, and no other', () => {
    assert.deepEqual(tableKeys('## ERR-3').sort(), Object.keys(hl7ErrorLabels).sort());
  });

  it('builds an input error with the 0357 label, the location and severity E', () => {
    assert.deepEqual(inputError('101', 'PID^1^3', 'PID-3 is empty'), {
      location: 'PID^1^3', code: '101', text: 'Required field missing: PID-3 is empty', codeSystem: 'messageErrorCondition', severity: 'E',
    });
  });

  it('builds a business error as 207 with ERR-5 in the RELAIS code system', () => {
    assert.deepEqual(businessError('MSS_MATRIX', 'OBX^3^5', 'detail', '(profil 2.1.2)'), {
      location: 'OBX^3^5', code: '207', text: 'Application error: detail', codeSystem: 'messageErrorCondition', severity: 'E',
      appError: { code: 'MSS_MATRIX', text: 'Combinaison de diffusion MSSanté non autorisée (profil 2.1.2)', codeSystem: 'RELAIS' },
    });
  });
});
