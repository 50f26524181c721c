import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLocation } from './location.js';

describe('formatLocation', () => {
  it('prints segment and field as an ERL', () => {
    assert.equal(formatLocation({ segment: 'PID', occurrence: 1, field: 3 }), 'PID^1^3');
  });

  it('prints repetition and component when a component is given', () => {
    assert.equal(formatLocation({ segment: 'PID', occurrence: 1, field: 3, component: 5 }), 'PID^1^3^1^5');
    assert.equal(formatLocation({ segment: 'PRT', occurrence: 2, field: 8, repetition: 2, component: 10, subcomponent: 1 }), 'PRT^2^8^2^10^1');
  });

  it('prints only segment and occurrence without a field', () => {
    assert.equal(formatLocation({ segment: 'MSH', occurrence: 1 }), 'MSH^1');
  });
});
