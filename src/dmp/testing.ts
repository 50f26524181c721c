/** Test support for dmp/ tests (excluded from the build): a signed-up PFI identity, a submission, the schemas. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCdaHeader, syntheticCda } from '../cda/index.js';
import { createTestChain, credentialsFromPem, type Credentials, type TestChain } from '../pki/index.js';
import { buildDeletion, buildSubmission, deterministicUuids, type XdsStatusUpdate, type XdsSubmission } from '../xds/index.js';
import type { VihfIdentity } from './vihf.js';
import { buildXadesSignature } from './xades.js';

export const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const noXmllint = spawnSync('xmllint', ['--version']).error === undefined ? false : 'xmllint is not installed';
export const noXmlsec = spawnSync('xmlsec1', ['--version']).error === undefined ? false : 'xmlsec1 is not installed (apt-get install xmlsec1)';

const dir = mkdtempSync(join(tmpdir(), 'relais-dmp-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

export function tempFile(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Validates with the IHE schemas through the local catalog (vectors MANIFEST §3.1). */
export function xmllint(xml: string, schema: string, name: string): { status: number | null; stderr: string } {
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', `${shared}schemas/ihe/${schema}`, tempFile(name, xml)], {
    env: { ...process.env, XML_CATALOG_FILES: `${shared}schemas/ihe/catalog.xml` }, encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr };
}

export const identity: VihfIdentity = {
  nameId: '3990000000/PFI-RESP', structureId: '1990000000', activitySector: 'SA01^1.2.250.1.71.4.2.4',
  subjectId: 'Relais, PFI, Service informatique', lps: { name: 'Relais', version: '0.1.0', homologation: 'TEST-HOMOL-1', id: '1.2.250.1.999.9' },
};

export const INS = '248000000000001';
export const INS_OID = '1.2.250.1.213.1.4.10';
export const PATIENT_ID = `${INS}^^^&${INS_OID}&ISO`;
export const CDA_UNIQUE_ID = '1.2.250.1.999.2.2001';

export interface Fixture {
  chain: TestChain;
  signer: Credentials;
  authCli: Credentials;
  server: Credentials;
  submission: XdsSubmission;
  deletion: XdsStatusUpdate;
}

let cached: Promise<Fixture> | undefined;

async function build(): Promise<Fixture> {
  const chain = await createTestChain();
  const signer = credentialsFromPem(chain.sign.keyPem, chain.sign.chainPem);
  const cda = Buffer.from(syntheticCda({
    typeCode: '11490-0', level: 'N1', documentId: { root: CDA_UNIQUE_ID },
    patient: { ins: INS, insOid: INS_OID, ipp: 'IPP-1', ippAuthority: '1.2.250.1.999.1', family: 'TEST', given: ['PATIENT'], gender: 'F', birthDate: '19800101', birthPlace: '75056' },
    effectiveTime: new Date('2025-02-03T08:00:00Z'),
    author: { rpps: '10001234567', family: 'AUTEUR', given: 'Test' },
    organization: { finess: '990000000', name: 'CH TEST RELAIS' },
  }), 'utf8');
  const submissionSetUniqueId = '1.2.250.1.999.5.1';
  const signatureUniqueId = '1.2.250.1.999.6.1';
  const xades = buildXadesSignature({
    documents: [{ uniqueId: CDA_UNIQUE_ID, content: cda }], submissionSetUniqueId, signatureUniqueId, signer,
    now: new Date('2025-02-03T09:00:00Z'),
  });
  const requester = { personId: '801234567866', personIdType: 'IDNPS', family: 'RESP', given: 'Test', orgName: 'CH TEST RELAIS', orgId: '990000000', orgIdType: 'FINEG' } as const;
  const submission = buildSubmission({
    cda, header: readCdaHeader(cda), patient: { ins: INS, insOid: INS_OID }, requester,
    flags: { MASQUE_PS: false, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false }, patientClass: 'I',
    submissionTime: new Date('2025-02-03T09:00:00Z'), sourceOid: '1.2.250.1.999.7',
    signature: { xml: xades, uniqueId: signatureUniqueId }, submissionSetUniqueId,
  }, { newUuid: deterministicUuids('dmp') });
  const deletion = buildDeletion({
    entryUUID: 'urn:uuid:0b7b8e2c-3c1a-4d8e-9f00-1234567890ab', patient: { ins: INS, insOid: INS_OID }, requester,
    submissionTime: new Date('2025-02-04T09:00:00Z'), sourceOid: '1.2.250.1.999.7',
  }, { newUuid: deterministicUuids('dmp-del') });
  return {
    chain, signer, submission, deletion,
    authCli: credentialsFromPem(chain.authCli.keyPem, chain.authCli.chainPem),
    server: credentialsFromPem(chain.server.keyPem, chain.server.chainPem),
  };
}

/** One test PKI and one submission per process (RSA key generation is slow). */
export function fixture(): Promise<Fixture> {
  cached ??= build();
  return cached;
}
