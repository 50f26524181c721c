import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningRelais } from '../engine/index.js';
import type { Store } from '../store/index.js';
import { createMetrics } from './metrics.js';
import { peerViews, type PeerView } from './peers.js';

const since = new Date('2026-11-26T08:00:00Z');
const worker = (peer: object) => ({ status: () => ({ peer }) });
const reader = (address: string, peer: object, contacted: boolean) => ({ address, status: () => ({ peer, contacted }) });
const sender = (peer: object, contacted: boolean) => ({ status: () => ({ peer, contacted }) });
const down = (lastError: string, failedProbes: number) => ({ healthy: false, since, lastError, failedProbes });

describe('peer views', () => {
  it('shows nothing for a bare store', () => {
    assert.deepEqual(peerViews({ store: {} as Store }), []);
  });

  it('shows the DMP down with its last error, the sending mailbox up, the reading mailboxes and the DPI', () => {
    const relais = {
      store: {} as Store, intake: {},
      inbound: { readers: [reader('pfi@chu.mssante.fr', { healthy: true, since }, true), reader('labo@chu.mssante.fr', down('RLS_MSS_AUTH', 2), true)] },
      notifications: sender({ healthy: true, since }, true),
      dmp: { worker: worker(down('RLS_DMP_TIMEOUT', 3)) },
      mss: { mailbox: { address: 'pfi@chu.mssante.fr' }, workers: [worker({ healthy: true, since }), worker({ healthy: true, since })] },
    } as unknown as RunningRelais;
    const views = peerViews(relais, { dpiEndpoint: '127.0.0.1:6661', mailboxes: ['pfi@chu.mssante.fr', 'labo@chu.mssante.fr', 'rh@chu.mssante.fr'] });
    assert.deepEqual(views.map((v) => [v.id, v.healthy]), [
      ['dmp', false], ['mss:pfi@chu.mssante.fr', true], ['imap:pfi@chu.mssante.fr', true], ['imap:labo@chu.mssante.fr', false],
      ['mss:rh@chu.mssante.fr', undefined], ['dpi', true],
    ]);
    assert.match(views[0]!.detail, /RLS_DMP_TIMEOUT, 3 sondes/);
    assert.equal(views[2]!.name, 'BAL pfi@chu.mssante.fr (relève IMAP)');
    assert.equal(views[2]!.detail, 'joignable');
    assert.equal(views[3]!.detail, 'injoignable (RLS_MSS_AUTH, 2 sondes en échec)');
    assert.equal(views[3]!.since, since);
    assert.match(views[4]!.detail, /ni relevée/);
    assert.match(views[5]!.detail, /^joignable.*127\.0\.0\.1:6661/);
  });

  it('says "never contacted" rather than up for a reader or a DPI not reached yet, and shows the DPI down', () => {
    const base = { store: {} as Store, intake: {}, dmp: undefined, mss: undefined };
    const idle = {
      ...base, inbound: { readers: [reader('pfi@chu.mssante.fr', { healthy: true, since }, false)] },
      notifications: sender({ healthy: true, since }, false),
    } as unknown as RunningRelais;
    const views = peerViews(idle, { dpiEndpoint: 'dpi.chu:6661' });
    const imap = views.find((v) => v.id === 'imap:pfi@chu.mssante.fr')!;
    assert.equal(imap.healthy, undefined);
    assert.equal(imap.detail, 'jamais contactée');
    const dpi = views.find((v) => v.id === 'dpi')!;
    assert.equal(dpi.healthy, undefined);
    assert.match(dpi.detail, /^jamais contacté .*dpi\.chu:6661/);

    const unreachable = { ...base, inbound: undefined, notifications: sender(down('RLS_MLLP_CONNECTION', 4), true) } as unknown as RunningRelais;
    const dpiDown = peerViews(unreachable, { dpiEndpoint: 'dpi.chu:6661' }).find((v) => v.id === 'dpi')!;
    assert.equal(dpiDown.healthy, false);
    assert.match(dpiDown.detail, /^injoignable \(RLS_MLLP_CONNECTION, 4 sondes en échec\)/);
  });

  it('keeps the DPI unconfigured without an endpoint, whatever its sender says', () => {
    const relais = { store: {} as Store, intake: {}, inbound: undefined, notifications: sender(down('x', 1), true) } as unknown as RunningRelais;
    const dpi = peerViews(relais).find((v) => v.id === 'dpi')!;
    assert.equal(dpi.healthy, undefined);
    assert.equal(dpi.detail, 'aucun point de retour configuré');
  });

  it('says the DMP is not configured when the node has no DMP worker', () => {
    const relais = { store: {} as Store, intake: {}, dmp: undefined, mss: undefined, inbound: undefined } as unknown as RunningRelais;
    const [dmp] = peerViews(relais);
    assert.equal(dmp!.healthy, undefined);
    assert.match(dmp!.detail, /non configuré/);
  });
});

describe('peer gauge in /metrics', () => {
  it('gives 1 or 0 per peer id, and nothing for a peer with nothing to tell', async () => {
    const peers: PeerView[] = [
      { id: 'dpi', name: 'DPI', healthy: false, detail: '' },
      { id: 'imap:pfi@chu.mssante.fr', name: '', healthy: true, detail: '' },
      { id: 'imap:labo@chu.mssante.fr', name: '', healthy: undefined, detail: '' },
    ];
    const { registry } = createMetrics({ store: {} as Store, peers: () => peers });
    const gauge = await registry.getSingleMetric('relais_peer_up')!.get();
    assert.deepEqual(gauge.values.map((v) => [v.labels['peer'], v.value]).sort(), [['dpi', 0], ['imap:pfi@chu.mssante.fr', 1]]);
  });
});
