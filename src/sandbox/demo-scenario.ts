/**
 * The demo's story: a day of documents from a DPI — several Ségur document types, in ORU and MDM form,
 * a replacement and a deletion, and one faulty message that Relais must refuse. Everything is generated
 * here; nothing is read from outside the package.
 */
import { syntheticCda, type InstanceId, type SyntheticImaging, type SyntheticPatient } from '../cda/index.js';
import { buildVoletAMessage, type VoletAMessageOptions } from './volet-a-message.js';
import { demoAuthor, demoOrganization, demoPatients } from './demo-patients.js';

export interface ScenarioMessage {
  label: string;
  /** What a correct PFI answers. */
  expected: 'AA' | 'AE';
  message: string;
}

/** Document ids under a demo OID arc; root-only ids, as the DMP requires (volet A §2.4.6). */
function docId(n: number, seed: string): InstanceId {
  return { root: `1.2.250.1.999.1.1.${seed}.${n}` };
}

interface Step {
  label: string;
  structure: 'ORU' | 'MDM';
  level: 'N1' | 'N3';
  type: { code: string; label: string };
  patient: SyntheticPatient;
  action?: 'publish' | 'replace' | 'delete';
  id: InstanceId;
  replaces?: InstanceId;
  version?: number;
  flags?: VoletAMessageOptions['flags'];
  patientMailbox?: boolean;
  /** Imaging report: order placer number, accession number, study UID and modality (SC.DB/RIS.09). */
  imaging?: SyntheticImaging;
  /** Make the CDA name another patient than PID: Relais must answer AE. */
  cdaPatient?: SyntheticPatient;
}

export function demoScenario(options: { now?: Date; seed?: string } = {}): ScenarioMessage[] {
  const now = options.now ?? new Date();
  const seed = options.seed ?? String(now.getTime());
  const [p1, p2, p3, p4] = demoPatients as [SyntheticPatient, SyntheticPatient, SyntheticPatient, SyntheticPatient];
  const lettre = docId(1, seed);
  const lettreV2 = docId(2, seed);
  const steps: Step[] = [
    { label: 'Lettre de liaison de sortie (MDM^T02, CDA N3) → DMP + médecin traitant + patient', structure: 'MDM', level: 'N3',
      type: { code: '11490-0', label: 'Lettre de liaison de sortie' }, patient: p1, id: lettre, patientMailbox: true,
      flags: { DESTDMP: true, DESTMSSANTEPS: true, DESTMSSANTEPAT: true } },
    { label: 'Compte rendu opératoire (ORU^R01, CDA N3) → DMP + chirurgien correspondant', structure: 'ORU', level: 'N3',
      type: { code: '34874-8', label: 'Compte rendu opératoire' }, patient: p2, id: docId(3, seed) },
    { label: 'Compte rendu d\'imagerie (MDM^T02, CDA N1 avec PDF) → DMP + médecin prescripteur', structure: 'MDM', level: 'N1',
      type: { code: '18748-4', label: 'CR d\'imagerie médicale' }, patient: p3, id: docId(4, seed),
      imaging: {
        orderPlacerNumber: { root: '1.2.250.1.999.1.2.1', extension: `OPN${seed.slice(-6)}` },
        accessionNumber: { root: '1.2.250.1.999.1.2.2', extension: `ACN${seed.slice(-6)}` },
        studyInstanceUid: `1.2.250.1.999.1.2.3.${seed}`,
        exam: { code: '24802-1', displayName: 'RM genou' },
        modality: { code: 'RM', displayName: 'Résonance magnétique' },
        ccam: { code: 'NZQN001', displayName: 'Remnographie [IRM] unilatérale ou bilatérale de segment du membre inférieur' },
      } },
    { label: 'Compte rendu de biologie (ORU^R01, CDA N3) → DMP seul', structure: 'ORU', level: 'N3',
      type: { code: '11502-2', label: 'CR d\'examens biologiques' }, patient: p4, id: docId(5, seed),
      flags: { DESTMSSANTEPS: false } },
    { label: 'Lettre de liaison corrigée (MDM^T10, remplace la première)', structure: 'MDM', level: 'N3', action: 'replace',
      type: { code: '11490-0', label: 'Lettre de liaison de sortie' }, patient: p1, id: lettreV2, replaces: lettre, version: 2,
      flags: { DESTDMP: true, DESTMSSANTEPS: true, MODIF_CONF_CODE: false } },
    { label: 'Compte rendu de consultation (MDM^T02) → médecin traitant, masqué au patient dans le DMP', structure: 'MDM', level: 'N3',
      type: { code: '11488-4', label: 'Compte rendu de consultation' }, patient: p2, id: docId(6, seed),
      flags: { INVISIBLE_PATIENT: true } },
    { label: 'Suppression du compte rendu de biologie (ORU^R01 CA/D)', structure: 'ORU', level: 'N3', action: 'delete',
      type: { code: '11502-2', label: 'CR d\'examens biologiques' }, patient: p4, id: docId(5, seed),
      flags: { DESTMSSANTEPS: false } },
    { label: 'Message erroné : le CDA désigne un autre patient que le PID (doit être refusé)', structure: 'MDM', level: 'N3',
      type: { code: '57833-6', label: 'Prescription de produits de santé' }, patient: p3, id: docId(7, seed), cdaPatient: p4 },
  ];

  return steps.map((s, i) => {
    const cdaXml = syntheticCda({
      typeCode: s.type.code,
      patient: s.cdaPatient ?? s.patient,
      documentId: s.id,
      setId: s.replaces ?? s.id,
      version: s.version ?? 1,
      ...(s.replaces ? { replaces: s.replaces } : {}),
      level: s.level,
      pdfBytes: 6_000,
      effectiveTime: new Date(now.getTime() - 3_600_000),
      author: demoAuthor,
      organization: demoOrganization,
      ...(s.imaging ? { imaging: s.imaging } : {}),
    });
    const message = buildVoletAMessage({
      structure: s.structure,
      action: s.action ?? 'publish',
      controlId: `DEMO${seed.slice(-6)}${String(i + 1).padStart(2, '0')}`,
      timestamp: now,
      cdaXml,
      documentId: s.id,
      ...(s.replaces ? { parentDocumentId: s.replaces } : {}),
      typeCode: s.type,
      patient: s.patient,
      sender: { ...demoAuthor, finess: demoOrganization.finess, orgName: demoOrganization.name },
      // Professionals are listed only when the DPI asks for an MSSanté send to them.
      recipients: s.flags?.DESTMSSANTEPS === false ? [] : [{ address: 'dr.lemaire@demo-ville.mssante.fr', rpps: '10100000042', family: 'LEMAIRE', given: 'ANNE' }],
      ...(s.patientMailbox ? { patientMailbox: true } : {}),
      flags: s.flags ?? {},
      mailBodyPs: 'Chère consœur, cher confrère, veuillez trouver ci-joint le document de notre patient(e).',
    });
    return { label: s.label, expected: s.cdaPatient ? 'AE' : 'AA', message };
  });
}
