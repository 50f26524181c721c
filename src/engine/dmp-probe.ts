/**
 * Is the DMP back? A cheap authenticated TD3.1b (FindDocuments) for a patient that does not exist: it goes
 * through the network, mutual TLS, the VIHF check and the registry. Any answer that is not transient
 * (documents, none, or a refusal of that patient) means the DMP serves requests again (SC.DMP/ALI/PROG.06).
 */
import type { DmpClient } from '../dmp/index.js';
import type { PeerProbe } from './delivery-worker.js';

/** A well-formed INS matricule no person holds (NIR test authority, digest §I.1). */
export const PROBE_PATIENT_ID = '100000000000000^^^&1.2.250.1.213.1.4.10&ISO';

export function createDmpProbe(client: DmpClient, patientId: string = PROBE_PATIENT_ID): PeerProbe {
  return async (signal) => {
    const r = await client.find(patientId, { signal });
    return r.ok || r.error.kind !== 'peer_transient';
  };
}
