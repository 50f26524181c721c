import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEr7 } from '../hl7/index.js';
import { defaultVoletAConfig, validateVoletA } from '../cisis/index.js';
import { demoScenario } from './demo-scenario.js';
import { demoPatients, nirKey } from './demo-patients.js';

describe('demo scenario', () => {
  const scenario = demoScenario({ now: new Date('2026-11-26T10:00:00Z'), seed: '42' });

  it('mixes ORU and MDM, publications, a replacement and a deletion', () => {
    const events = scenario.map((s) => parseEr7(s.message).messageType.event);
    assert.ok(events.includes('R01') && events.includes('T02') && events.includes('T10'));
    const oruActions = scenario.map((s) => parseEr7(s.message)).filter((m) => m.messageType.code === 'ORU').map((m) => m.segment('ORC')!.get(1));
    assert.ok(oruActions.includes('CA'), 'an ORU deletion');
  });

  for (const [i, s] of scenario.entries()) {
    it(`gets ${s.expected} from volet A validation for step ${i + 1}: ${s.label}`, () => {
      const verdict = validateVoletA(parseEr7(s.message), defaultVoletAConfig);
      assert.equal(verdict.ok ? 'AA' : verdict.ackCode, s.expected, verdict.ok ? '' : JSON.stringify(verdict.errors));
    });
  }

  it('is made of fresh document ids for each seed, so the demo can run twice on one store', () => {
    const other = demoScenario({ now: new Date('2026-11-26T10:00:00Z'), seed: '43' });
    assert.notEqual(other[0]!.message, scenario[0]!.message);
  });
});

describe('demo patients', () => {
  it('carry INS whose NIR key is valid', () => {
    for (const p of demoPatients) {
      assert.equal(p.ins.length, 15);
      assert.equal(nirKey(p.ins.slice(0, 13)), p.ins.slice(13));
    }
  });

  it('computes the key of the textbook NIR 1 85 05 78 006 084 as 91', () => {
    assert.equal(nirKey('1850578006084'), '91');
  });
});
