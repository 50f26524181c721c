import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatInstanceId, instanceIdToEi } from './instance-id.js';

describe('formatInstanceId', () => {
  it('gives the root alone when there is no extension', () => {
    assert.equal(formatInstanceId({ root: '1.2.250.1.213.1.1.9' }), '1.2.250.1.213.1.1.9');
  });

  it('gives root^extension when there is an extension', () => {
    assert.equal(formatInstanceId({ root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000081' }), '1.2.250.1.71.4.2.2.120456789^A71024000081');
  });

  it('treats an empty extension as none', () => {
    assert.equal(formatInstanceId({ root: '1.2.3', extension: '' }), '1.2.3');
  });
});

describe('instanceIdToEi', () => {
  it('fills TXA-12 as extension^^root^ISO when the id has an extension (volet A §2.4.6)', () => {
    assert.deepEqual(instanceIdToEi({ root: '1.2.250.1.71.4.2.2.120456789', extension: 'A71024000081' }), ['A71024000081', '', '1.2.250.1.71.4.2.2.120456789', 'ISO']);
  });

  it('fills TXA-12 with the root alone otherwise', () => {
    assert.deepEqual(instanceIdToEi({ root: '1.2.250.1.213.1.1.9' }), ['1.2.250.1.213.1.1.9']);
  });
});
