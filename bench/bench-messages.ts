/**
 * Benchmark input: MDM^T02 messages shaped like the ANS example message_MDM_CR_Radio_INIT_N1_Base64.er7
 * (about 330 KB: a CDA N1 carrying a ~240 KB PDF), each made unique (MSH-10 and CDA id).
 * Generated, so the benchmark needs nothing outside the repository.
 */
import { syntheticCda } from '../src/cda/index.js';
import { buildVoletAMessage, demoAuthor, demoOrganization, demoPatients } from '../src/sandbox/index.js';

/**
 * `dmpOnly`: DESTDMP only, no MSSanté recipient (the DMP benchmark). `mssOnly`: one MSSanté recipient at this
 * address, no DMP (the MSSanté benchmark).
 */
export function benchMessages(count: number, runId: string, o: { dmpOnly?: boolean; mssOnly?: string } = {}): Buffer[] {
  const patient = demoPatients[0]!;
  const out: Buffer[] = [];
  // One CDA template; only its id changes, so building many stays cheap.
  const template = syntheticCda({
    typeCode: '18748-4', patient, documentId: { root: '1.2.250.1.999.7.0' }, level: 'N1', pdfBytes: 175_000,
    effectiveTime: new Date('2026-11-20T10:00:00Z'), author: demoAuthor, organization: demoOrganization,
    // SC.DB/RIS.09: an imaging report reaches the DMP with its order, accession and study identifiers.
    imaging: {
      orderPlacerNumber: { root: '1.2.250.1.999.7.1', extension: 'OPN1' }, accessionNumber: { root: '1.2.250.1.999.7.2', extension: 'ACN1' },
      studyInstanceUid: '1.2.250.1.999.7.3.1', exam: { code: '24802-1', displayName: 'RM genou' },
      modality: { code: 'RM', displayName: 'Résonance magnétique' },
    },
  });
  for (let i = 0; i < count; i++) {
    const root = `1.2.250.1.999.7.${runId}.${i}`;
    const cdaXml = template.split('1.2.250.1.999.7.0').join(root);
    out.push(Buffer.from(buildVoletAMessage({
      structure: 'MDM', action: 'publish', controlId: `B${runId}${i}`.slice(0, 20), timestamp: new Date(),
      cdaXml, documentId: { root }, typeCode: { code: '18748-4', label: 'CR d\'imagerie médicale' }, patient,
      sender: { ...demoAuthor, finess: demoOrganization.finess, orgName: demoOrganization.name },
      recipients: o.dmpOnly ? [] : [{ address: o.mssOnly ?? 'dr.lemaire@demo-ville.mssante.fr', rpps: '10100000042', family: 'LEMAIRE', given: 'ANNE' }],
      flags: { DESTDMP: o.mssOnly === undefined, DESTMSSANTEPS: !o.dmpOnly, ...(o.mssOnly ? { ACK_RECEPTION: false } : {}) }, mailBodyPs: 'Veuillez trouver ci-joint le compte rendu.',
    }), 'utf8'));
  }
  return out;
}
