/** Test support for sandbox/dmp tests (excluded from the build): a test PKI, a PFI identity, submissions. */
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCdaHeader, syntheticCda } from '../../cda/index.js';
import { buildXadesSignature, type VihfIdentity } from '../../dmp/index.js';
import {
  createTestChain, createTrustStore, credentialsFromPem, tlsClientOptions, type Credentials, type TestChain, type TrustStore,
} from '../../pki/index.js';
import { buildDeletion, buildSubmission, type XdsStatusUpdate, type XdsSubmission } from '../../xds/index.js';

export const INS = '248000000000001';
export const INS_TEST_OID = '1.2.250.1.213.1.4.10';
export const PATIENT_ID = `${INS}^^^&${INS_TEST_OID}&ISO`;

export const identity: VihfIdentity = {
  nameId: '3990000000/PFI-RESP', structureId: '1990000000', activitySector: 'SA01^1.2.250.1.71.4.2.4',
  subjectId: 'Relais, PFI, Service informatique', lps: { name: 'Relais', version: '0.1.0', homologation: 'TEST-HOMOL-1' },
};

const requester = { personId: '801234567866', personIdType: 'IDNPS', family: 'RESP', given: 'Test', orgName: 'CH TEST RELAIS', orgId: '990000000', orgIdType: 'FINEG' } as const;

export interface SandboxFixture {
  chain: TestChain;
  trust: TrustStore;
  signer: Credentials;
  authCli: Credentials;
  server: Credentials;
}

export async function sandboxFixture(): Promise<SandboxFixture> {
  const chain = await createTestChain();
  return {
    chain, trust: createTrustStore('sandbox', chain.trustBundlePem),
    signer: credentialsFromPem(chain.sign.keyPem, chain.sign.chainPem),
    authCli: credentialsFromPem(chain.authCli.keyPem, chain.authCli.chainPem),
    server: credentialsFromPem(chain.server.keyPem, chain.server.chainPem),
  };
}

export interface SubmissionSpec {
  /** The CDA id root = the DocumentEntry uniqueId. */
  documentId: string;
  /** Default `<documentId>.1`. */
  signatureUniqueId?: string;
  /** Default `<documentId>.2`. */
  submissionSetUniqueId?: string;
  /** A replacement: the replaced document's uniqueId and current entryUUID. */
  replaces?: { uniqueId: string; entryUUID: string };
}

/** A DMP submission of a synthetic CDA with its XAdES signature, as the engine builds it. */
export function submissionFor(f: SandboxFixture, s: SubmissionSpec): XdsSubmission {
  const cda = Buffer.from(syntheticCda({
    typeCode: '11490-0', level: 'N1', documentId: { root: s.documentId },
    ...(s.replaces === undefined ? {} : { setId: { root: s.replaces.uniqueId }, version: 2, replaces: { root: s.replaces.uniqueId } }),
    patient: { ins: INS, insOid: INS_TEST_OID, ipp: 'IPP-1', ippAuthority: '1.2.250.1.999.1', family: 'TEST', given: ['PATIENT'], gender: 'F', birthDate: '19800101', birthPlace: '75056' },
    effectiveTime: new Date('2025-02-03T08:00:00Z'),
    author: { rpps: '10001234567', family: 'AUTEUR', given: 'Test' },
    organization: { finess: '990000000', name: 'CH TEST RELAIS' },
  }), 'utf8');
  const submissionSetUniqueId = s.submissionSetUniqueId ?? `${s.documentId}.2`;
  const signatureUniqueId = s.signatureUniqueId ?? `${s.documentId}.1`;
  const xades = buildXadesSignature({
    documents: [{ uniqueId: s.documentId, content: cda }], submissionSetUniqueId, signatureUniqueId, signer: f.signer,
    now: new Date('2025-02-03T09:00:00Z'),
  });
  return buildSubmission({
    cda, header: readCdaHeader(cda), patient: { ins: INS, insOid: INS_TEST_OID }, requester,
    flags: { MASQUE_PS: false, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false }, patientClass: 'I',
    submissionTime: new Date('2025-02-03T09:00:00Z'), sourceOid: '1.2.250.1.999.7',
    signature: { xml: xades, uniqueId: signatureUniqueId }, submissionSetUniqueId,
    ...(s.replaces === undefined ? {} : { replaces: s.replaces }),
  });
}

/** The ITI-57 deletion of `entryUUID` (TD3.3c). */
export function deletionFor(entryUUID: string): XdsStatusUpdate {
  return buildDeletion({
    entryUUID, patient: { ins: INS, insOid: INS_TEST_OID }, requester,
    submissionTime: new Date('2025-02-04T09:00:00Z'), sourceOid: '1.2.250.1.999.7',
  });
}

/** A temporary data directory removed at exit. */
export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relais-sandbox-dmp-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One POST with mutual TLS and arbitrary bytes (tampered requests the DmpClient would never send). */
export function postRaw(
  url: string, credentials: Credentials, trust: TrustStore, contentType: string, body: Buffer,
): Promise<{ status: number; contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent: false, ...tlsClientOptions({ credentials, trustStore: trust }),
      headers: { 'Content-Type': contentType, 'Content-Length': String(body.length) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
