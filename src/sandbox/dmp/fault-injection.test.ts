import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFault } from './fault-injection.js';

describe('parseFault', () => {
  it('reads each mode with its parameter', () => {
    assert.deepEqual(parseFault({ mode: 'none' }), { mode: 'none' });
    assert.deepEqual(parseFault({ mode: 'down' }), { mode: 'down' });
    assert.deepEqual(parseFault({ mode: 'garbage', extra: 1 }), { mode: 'garbage' });
    assert.deepEqual(parseFault({ mode: 'cutUpload' }), { mode: 'cutUpload' });
    assert.deepEqual(parseFault({ mode: 'dropAnswer' }), { mode: 'dropAnswer' });
    assert.deepEqual(parseFault({ mode: 'slow', delayMs: 1500 }), { mode: 'slow', delayMs: 1500 });
    assert.deepEqual(parseFault({ mode: 'status', status: 503 }), { mode: 'status', status: 503 });
    assert.deepEqual(parseFault({ mode: 'registryError', errorCode: 'XDSRegistryBusy' }), { mode: 'registryError', errorCode: 'XDSRegistryBusy' });
  });

  it('refuses an unknown mode, a missing parameter or an out-of-range status', () => {
    assert.equal(parseFault({ mode: 'explode' }), undefined);
    assert.equal(parseFault({ mode: 'slow' }), undefined);
    assert.equal(parseFault({ mode: 'status', status: 42 }), undefined);
    assert.equal(parseFault({ mode: 'registryError', errorCode: '' }), undefined);
    assert.equal(parseFault('down'), undefined);
    assert.equal(parseFault(null), undefined);
  });
});
