import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningRelais } from '../engine/index.js';
import type { Store } from '../store/index.js';
import { peerViews } from './peers.js';

const since = new Date('2026-11-26T08:00:00Z');
const worker = (peer: object) => ({ status: () => ({ peer }) });

describe('peer views', () => {
  it('shows nothing for a bare store', () => {
    assert.deepEqual(peerViews({ store: {} as Store }), []);
  });

  it('shows the DMP down with its last error, the sending mailbox up, the reading mailboxes and the DPI', () => {
    const relais = {
      store: {} as Store, intake: {}, inbound: {},
      dmp: { worker: worker({ healthy: false, since, lastError: 'RLS_DMP_TIMEOUT', failedProbes: 3 }) },
      mss: { mailbox: { address: 'pfi@chu.mssante.fr' }, workers: [worker({ healthy: true, since }), worker({ healthy: true, since })] },
    } as unknown as RunningRelais;
    const views = peerViews(relais, { dpiEndpoint: '127.0.0.1:6661', mailboxes: ['pfi@chu.mssante.fr', 'labo@chu.mssante.fr'] });
    assert.deepEqual(views.map((v) => [v.id, v.healthy]), [
      ['dmp', false], ['mss:pfi@chu.mssante.fr', true], ['mss:labo@chu.mssante.fr', undefined], ['dpi', undefined],
    ]);
    assert.match(views[0]!.detail, /RLS_DMP_TIMEOUT, 3 sondes/);
    assert.match(views[2]!.detail, /IMAP/);
    assert.match(views[3]!.detail, /127\.0\.0\.1:6661/);
  });

  it('says the DMP is not configured when the node has no DMP worker', () => {
    const relais = { store: {} as Store, intake: {}, dmp: undefined, mss: undefined, inbound: undefined } as unknown as RunningRelais;
    const [dmp] = peerViews(relais);
    assert.equal(dmp!.healthy, undefined);
    assert.match(dmp!.detail, /non configuré/);
  });
});
