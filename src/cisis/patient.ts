import type { Findings } from './findings.js';
import { at, atSegment } from './segment-refs.js';
import type { SegmentRef } from './segment-refs.js';
import type { PatientIdentity, VoletAConfig } from './types.js';

/** An INS matricule is a NIR or NIA: 15 characters, digits except the Corsican department 2A/2B. */
export const insMatricule = /^\d{5}(?:\d{2}|2A|2B)\d{8}$/;

export interface PatientRead {
  patient: PatientIdentity;
  /** 1-based PID-3 repetition that carries the INS, for ERR-2. */
  insRepetition?: number;
}

/**
 * PID (PAM.fr 2.11 + CI-SIS INS annex, volet A §2.4.3) and PV1 (§2.4.4). The INS is the PID-3 repetition typed
 * INS (CX-5) or assigned by an INS OID; its OID must be one the configuration accepts and its matricule 15
 * characters. The identity is qualified when PID-32 is one of the configured codes (§7 C9).
 */
export function readPatient(pid: SegmentRef | undefined, pv1: SegmentRef | undefined, config: VoletAConfig, f: Findings): PatientRead {
  const patient: PatientIdentity = { insQualified: false, ids: [], given: [] };
  if (pv1 !== undefined) readVisit(pv1, patient, f);
  if (pid === undefined) return { patient };
  const seg = pid.segment;

  let insRepetition: number | undefined;
  seg.repetitions(3).forEach((rep, i) => {
    const id = rep.get(1);
    if (id === '' && rep.get(4, 2) === '' && rep.get(5) === '') return;
    const authorityName = rep.get(4, 1);
    const authorityOid = rep.get(4, 2);
    const typeCode = rep.get(5);
    patient.ids.push({
      id,
      ...(authorityOid === '' ? {} : { authorityOid }),
      ...(authorityName === '' ? {} : { authorityName }),
      ...(typeCode === '' ? {} : { typeCode }),
    });
    const isIns = typeCode === 'INS' || config.insOids.includes(authorityOid);
    if (isIns) {
      if (patient.ins !== undefined) {
        f.warn('PID3_SECOND_INS', at(pid, 3, i + 1), 'PID-3 carries a second INS; the first one is used');
        return;
      }
      if (!config.insOids.includes(authorityOid)) {
        f.input('103', at(pid, 3, i + 1, 4), `the INS assigning authority OID '${authorityOid}' is not an accepted INS OID (${config.insOids.join(', ')})`);
        return;
      }
      if (!insMatricule.test(id)) {
        f.input('102', at(pid, 3, i + 1, 1), `the INS matricule must be 15 characters (NIR or NIA), found ${id.length}`);
        return;
      }
      patient.ins = id;
      patient.insOid = authorityOid;
      insRepetition = i + 1;
    } else if (typeCode === 'PI' && patient.ipp === undefined && id !== '') {
      patient.ipp = { id, authority: authorityOid === '' ? authorityName : authorityOid };
    }
  });
  if (patient.ids.length === 0) f.input('101', atSegment('PID', pid.occurrence, 3), 'PID-3 (patient identifiers) is empty');

  const statuses = seg.repetitions(32).map((r) => r.get(1)).filter((s) => s !== '');
  if (statuses[0] !== undefined) patient.identityStatus = statuses[0];
  patient.insQualified = patient.ins !== undefined && statuses.some((s) => config.qualifiedIdentityCodes.includes(s));

  // PID-5: the legal (birth) name is the repetition with XPN-7 = L (PAM.fr 2.11, INS annex).
  const names = seg.repetitions(5);
  const legal = names.find((n) => n.get(7) === 'L') ?? names[0];
  if (legal !== undefined) {
    const family = legal.get(1, 1);
    if (family !== '') patient.birthFamily = family;
    // XPN-3 lists the birth first names separated by spaces; XPN-2 is the first one.
    const list = legal.get(3).split(' ').filter((g) => g !== '');
    const first = legal.get(2);
    patient.given = list.length > 0 ? list : first === '' ? [] : [first];
  }
  const birthDate = seg.get(7, 1);
  if (birthDate !== '') patient.birthDate = birthDate;
  const gender = seg.get(8, 1);
  if (gender !== '') patient.gender = gender;
  // PID-11 repetition with XAD-7 = BDL carries the birthplace INSEE code in XAD-9.
  const birthPlace = seg.repetitions(11).find((a) => a.get(7) === 'BDL')?.get(9);
  if (birthPlace !== undefined && birthPlace !== '') patient.birthPlaceCode = birthPlace;
  const fileNumber = seg.get(18, 1);
  if (fileNumber !== '') patient.administrativeFileNumber = fileNumber;
  return insRepetition === undefined ? { patient } : { patient, insRepetition };
}

const patientClasses = new Set(['E', 'I', 'O', 'R', 'N']);

function readVisit(pv1: SegmentRef, patient: PatientIdentity, f: Findings): void {
  const patientClass = pv1.segment.get(2, 1);
  if (patientClass === '') {
    f.input('101', at(pv1, 2), 'PV1-2 (patient class) is empty; expected E, I, O, R or N');
  } else if (!patientClasses.has(patientClass)) {
    f.input('103', at(pv1, 2), `PV1-2 is '${patientClass}'; expected E, I, O, R or N`);
  } else {
    patient.patientClass = patientClass;
  }
  const visit = pv1.segment.get(19, 1);
  if (visit !== '') patient.visitNumber = visit;
  else if (patientClass !== 'N' && patientClasses.has(patientClass)) {
    // §2.4.4: PV1-19 is required when PV1-2 is E, I, O or R (DMP indicators).
    f.input('101', at(pv1, 19), `PV1-19 (visit number) is required when PV1-2 is ${patientClass}`);
  }
}
