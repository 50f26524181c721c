/**
 * Wires DMP publication for a node: credentials and trust from `dmp.pkiDir`, the DmpClient, and a
 * DeliveryWorker for the `dmp` orders. Without `dmp.url` nothing starts and the orders wait in the store.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VoletAConfig } from '../cisis/index.js';
import type { RelaisConfig } from '../config/index.js';
import { DmpClient } from '../dmp/index.js';
import { RelaisError } from '../domain/index.js';
import { createTrustStore, loadCredentials } from '../pki/index.js';
import type { Store } from '../store/index.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker.js';
import { createDmpProbe } from './dmp-probe.js';
import { createDmpSender } from './dmp-sender.js';
import type { Logger } from './logger.js';
import { softwareVersion } from './software-version.js';

export interface DmpDelivery {
  readonly worker: DeliveryWorker;
  readonly client: DmpClient;
  /** Stops the worker (sends in progress get `timeoutMs`), then closes the connections. */
  close(o?: { timeoutMs?: number }): Promise<void>;
}

export function startDmpDelivery(
  config: RelaisConfig,
  o: { store: Store; validation: VoletAConfig; log: Logger; onSettled?: DeliveryWorkerOptions['onSettled']; afterSettled?: DeliveryWorkerOptions['afterSettled'] },
): DmpDelivery | undefined {
  const c = config.dmp;
  if (c.url === '') {
    o.log.warn({}, 'dmp.url is empty: DMP orders stay pending until it is set');
    return undefined;
  }
  if (c.lpsHomologation.trim() === '') {
    // §C3: LPS_ID_HOMOLOGATION_DMP is required in every VIHF; failing now beats every order failing later.
    throw new RelaisError('RLS_CONFIG_INVALID', 'dmp.lpsHomologation is empty while dmp.url is set: give the DMP homologation number', { key: 'dmp.lpsHomologation' });
  }
  const pem = (name: string): string => join(c.pkiDir, name);
  // Digest §C2: AUTH_CLI authenticates the TLS connection, SIGN signs the VIHF and the XAdES signature.
  const tlsCredentials = loadCredentials({ format: 'pem', certFile: pem('auth-cli.pem'), keyFile: pem('auth-cli.key') });
  const signer = loadCredentials({ format: 'pem', certFile: pem('sign.pem'), keyFile: pem('sign.key') });
  const anchors = [pem('root-ca.pem'), pem('org-ca.pem')].filter((f, i) => i === 0 || existsSync(f));
  const trustStore = createTrustStore('dmp', Buffer.concat(anchors.map((f) => readFileSync(f))));
  const timeoutMs = c.timeoutSeconds * 1000;
  const retryBaseMs = c.retryBaseSeconds * 1000;
  const retryMaxMs = Math.max(retryBaseMs, c.retryMaxSeconds * 1000);
  const finess = config.establishment.finessGeographique;
  const client = new DmpClient({
    baseUrl: c.url, tlsCredentials, trustStore, timeoutMs, logger: o.log,
    vihf: {
      nameId: `3${finess}/${c.lpsName}`, structureId: `1${finess}`, activitySector: c.secteurActivite,
      subjectId: `${c.lpsName}, PFI, ${config.establishment.name}`, vihfVersion: c.vihfVersion,
      lps: { name: c.lpsName, version: softwareVersion, homologation: c.lpsHomologation },
      signer,
    },
  });
  const worker = new DeliveryWorker({
    store: o.store, kind: 'dmp', log: o.log,
    send: createDmpSender({ store: o.store, client, signer, validation: o.validation, sourceOid: c.sourceOid, log: o.log }),
    probe: createDmpProbe(client),
    backoff: { baseMs: retryBaseMs, maxMs: retryMaxMs, factor: 2, jitter: 'full' },
    probeBackoff: { baseMs: Math.min(2 * retryBaseMs, retryMaxMs), maxMs: retryMaxMs, factor: 2, jitter: 'full' },
    concurrency: 4, pollMs: 5_000,
    // A send may take a TD3.1b then a TD2.1, each up to timeoutMs: the lease outlives both.
    leaseMs: 3 * timeoutMs,
    ...(o.onSettled ? { onSettled: o.onSettled } : {}),
    ...(o.afterSettled ? { afterSettled: o.afterSettled } : {}),
  });
  worker.start();
  let closing: Promise<void> | undefined;
  return {
    worker, client,
    close(x = {}) {
      closing ??= worker.stop(x.timeoutMs === undefined ? {} : { timeoutMs: x.timeoutMs }).finally(() => client.close());
      return closing;
    },
  };
}
