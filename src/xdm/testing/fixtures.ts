import { readCdaHeader, syntheticCda, type SyntheticDocumentOptions } from '../../cda/index.js';
import { deterministicUuids } from '../../xds/index.js';
import type { XdmAction, XdmArchiveInput, XdmDocumentInput } from '../types.js';
import { buildXdmArchive } from '../write-archive.js';
import type { XdmArchive } from '../types.js';

/** The synthetic patient of the XDM tests, with the INS-NIR *test* OID. */
export const TEST_INS = '248000000000001';
export const TEST_NIR_OID = '1.2.250.1.213.1.4.10';
export const SUBMISSION_TIME = new Date('2025-02-03T09:00:00Z');

const baseDocument: SyntheticDocumentOptions = {
  typeCode: '11490-0', level: 'N1', documentId: { root: '1.2.250.1.999.2.3001' },
  patient: { ins: TEST_INS, insOid: TEST_NIR_OID, ipp: 'IPP-42', ippAuthority: '1.2.250.1.999.1', family: 'FICTIF-NOM',
    given: ['CAMILLE'], gender: 'F', birthDate: '19800101', birthPlace: '75056' },
  effectiveTime: new Date('2025-02-03T08:00:00Z'),
  author: { rpps: '10001234567', family: 'MARTIN', given: 'Paul' },
  organization: { finess: '630000001', name: 'Centre hospitalier de démo' },
};

export function cdaDocument(options: Partial<SyntheticDocumentOptions> = {}, action: XdmAction = 'publish'): XdmDocumentInput {
  const cda = Buffer.from(syntheticCda({ ...baseDocument, ...options }), 'utf8');
  return { cda, header: readCdaHeader(cda), flags: { MASQUE_PS: false, INVISIBLE_PATIENT: false, INVISIBLE_REP_LEGAUX: false }, action };
}

export function archiveInput(over: Partial<XdmArchiveInput> = {}): XdmArchiveInput {
  return {
    patient: { ins: TEST_INS, insOid: TEST_NIR_OID },
    requester: { personId: '801234567866', personIdType: 'IDNPS', family: 'Dupont', given: 'Jean', orgName: 'Centre hospitalier de démo',
      orgId: '630000001', orgIdType: 'FINEG' },
    patientClass: 'I', submissionTime: SUBMISSION_TIME, sourceOid: '1.2.250.1.999.7',
    intendedRecipients: [{ mail: 'dr.x@test.mssante.fr', person: '810001234567^X^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS' }],
    documents: [
      cdaDocument(),
      cdaDocument({ typeCode: '34874-8', documentId: { root: '1.2.250.1.999.2.3002' }, level: 'N3' }),
    ],
    sender: { organisation: 'Centre hospitalier de démo', contact: ['04 00 00 00 00', 'dim@ch-demo.test.mssante.fr'],
      software: { name: 'Relais', version: '0.1.0' } },
    ...over,
  };
}

/** The archive of archiveInput() with fixed ids: the same bytes every time. */
export function goodArchive(over: Partial<XdmArchiveInput> = {}): Promise<XdmArchive> {
  return buildXdmArchive(archiveInput(over), { newUuid: deterministicUuids('xdm-fixture') });
}
