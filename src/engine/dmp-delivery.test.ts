import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultVoletAConfig } from '../cisis/index.js';
import { loadConfig } from '../config/index.js';
import { RelaisError } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { startDmpDelivery } from './dmp-delivery.js';
import { silentLogger } from './logger.js';

// Neither case reaches the store: a stand-in object is enough.
const store = {} as Store;

describe('startDmpDelivery', () => {
  it('starts nothing when dmp.url is empty (DMP orders stay pending)', () => {
    const config = loadConfig({ env: {} });
    assert.equal(startDmpDelivery(config, { store, validation: defaultVoletAConfig, log: silentLogger }), undefined);
  });

  it('refuses to start when dmp.url is set without an LPS homologation number', () => {
    const config = loadConfig({ env: { RELAIS_DMP_URL: 'https://dmp.example/services' } });
    assert.throws(
      () => startDmpDelivery(config, { store, validation: defaultVoletAConfig, log: silentLogger }),
      (e: unknown) => e instanceof RelaisError && e.code === 'RLS_CONFIG_INVALID' && e.details['key'] === 'dmp.lpsHomologation',
    );
  });
});
