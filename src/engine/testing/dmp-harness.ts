/**
 * Test support for the engine's DMP tests (excluded from the build): a TEST chain, the DMP stand-in,
 * a DmpClient and a DMP DeliveryWorker wired as the runtime wires them, with short delays, and volet A
 * messages for the demo patient.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticCda, type InstanceId, type SyntheticImaging } from '../../cda/index.js';
import { defaultVoletAConfig } from '../../cisis/index.js';
import { DmpClient } from '../../dmp/index.js';
import { createTestChain, createTrustStore, credentialsFromPem, type Credentials, type TrustStore } from '../../pki/index.js';
import {
  DmpSandbox, buildVoletAMessage, demoAuthor, demoOrganization, demoPatients, type VoletAMessageOptions,
} from '../../sandbox/index.js';
import type { Store } from '../../store/index.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../delivery-worker.js';
import { createDmpProbe } from '../dmp-probe.js';
import { createDmpSender } from '../dmp-sender.js';
import { silentLogger } from '../logger.js';

export interface DmpHarness {
  readonly sandbox: DmpSandbox;
  /** The stand-in's data directory (entries.json, requests/). */
  readonly dataDir: string;
  readonly signer: Credentials;
  readonly authCli: Credentials;
  /** The DMP server certificate of the test chain (to start another stand-in, e.g. on a port freed by a rogue one). */
  readonly serverCredentials: Credentials;
  readonly trust: TrustStore;
  /** The PEM bundle behind `trust` (root and Organisations CA). */
  readonly trustBundlePem: string;
  /** A DmpClient to the stand-in (or to `baseUrl`), with the PFI identity of the tests. */
  client(baseUrl?: string): DmpClient;
  /** A started DMP worker on `store`, with short back-off and poll delays. */
  worker(store: Store, client: DmpClient, extra?: Partial<Pick<DeliveryWorkerOptions, 'onSettled' | 'afterSettled' | 'leaseMs' | 'concurrency'>>): DeliveryWorker;
  close(): Promise<void>;
}

export async function startDmpHarness(name: string): Promise<DmpHarness> {
  const chain = await createTestChain();
  const trust = createTrustStore('sandbox', chain.trustBundlePem);
  const signer = credentialsFromPem(chain.sign.keyPem, chain.sign.chainPem);
  const authCli = credentialsFromPem(chain.authCli.keyPem, chain.authCli.chainPem);
  const dataDir = mkdtempSync(join(tmpdir(), `relais-${name}-`));
  const serverCredentials = credentialsFromPem(chain.server.keyPem, chain.server.chainPem);
  const sandbox = await DmpSandbox.start({ port: 0, dataDir, credentials: serverCredentials, trustStore: trust });
  const quick = { baseMs: 20, maxMs: 50, factor: 1, jitter: 'none' } as const;
  return {
    sandbox, dataDir, signer, authCli, serverCredentials, trust, trustBundlePem: chain.trustBundlePem,
    client: (baseUrl = sandbox.baseUrl) => new DmpClient({
      baseUrl, tlsCredentials: authCli, trustStore: trust, timeoutMs: 5_000,
      vihf: {
        nameId: '3990000000/RELAIS', structureId: '1990000000', activitySector: 'SA01^1.2.250.1.71.4.2.4',
        subjectId: 'RELAIS, PFI, CH TEST RELAIS', lps: { name: 'RELAIS', version: '0.0.0', homologation: 'TEST-HOMOL-1' }, signer,
      },
    }),
    worker: (store, client, extra = {}) => {
      const worker = new DeliveryWorker({
        store, kind: 'dmp', log: silentLogger,
        send: createDmpSender({ store, client, signer, validation: defaultVoletAConfig, sourceOid: '1.2.250.1.999.1.1' }),
        probe: createDmpProbe(client), backoff: quick, probeBackoff: quick,
        concurrency: 2, pollMs: 50, leaseMs: 15_000, ...extra,
      });
      worker.start();
      return worker;
    },
    close: async () => {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const testPatient = demoPatients[0]!;

export interface DmpDocumentMessage {
  controlId: string;
  id: InstanceId;
  replaces?: InstanceId;
  action?: 'delete';
  ackReception?: boolean;
  /** Default: the lettre de liaison 11490-0. */
  type?: { code: string; label: string };
  /** Visibility flags (MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REP_LEGAUX, MODIF_CONF_CODE…). */
  flags?: VoletAMessageOptions['flags'];
  imaging?: SyntheticImaging;
  /** Default: an hour ago. */
  effectiveTime?: Date;
  level?: 'N1' | 'N3';
}

/** An MDM document for the DMP only, as a DPI sends it. */
export function documentForDmp(o: DmpDocumentMessage): Buffer {
  const { controlId, id, replaces } = o;
  const type = o.type ?? { code: '11490-0', label: 'Lettre de liaison de sortie' };
  const cdaXml = syntheticCda({
    typeCode: type.code, patient: testPatient, documentId: id, setId: replaces ?? id, version: replaces ? 2 : 1, level: o.level ?? 'N3', pdfBytes: 2000,
    ...(replaces ? { replaces } : {}), ...(o.imaging ? { imaging: o.imaging } : {}),
    effectiveTime: o.effectiveTime ?? new Date(Date.now() - 3_600_000), author: demoAuthor, organization: demoOrganization,
  });
  return Buffer.from(buildVoletAMessage({
    structure: 'MDM', action: o.action ?? (replaces ? 'replace' : 'publish'), controlId, timestamp: new Date(), cdaXml, documentId: id,
    ...(replaces ? { parentDocumentId: replaces } : {}),
    typeCode: type, patient: testPatient,
    sender: { ...demoAuthor, finess: demoOrganization.finess, orgName: demoOrganization.name },
    recipients: [],
    flags: { ...o.flags, DESTDMP: true, DESTMSSANTEPS: false, DESTMSSANTEPAT: false, ACK_RECEPTION: o.ackReception ?? false },
  }));
}

/** An MDM lettre de liaison for the DMP only, as a DPI sends it. */
export function lettreForDmp(o: { controlId: string; id: InstanceId; replaces?: InstanceId; action?: 'delete'; ackReception?: boolean }): Buffer {
  return documentForDmp(o);
}
