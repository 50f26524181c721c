import type { CdaPatient } from '../cda/index.js';
import { RelaisError } from '../domain/index.js';
import { cx, escapeHl7Component } from './hl7-datatypes.js';
import { INS_OID } from './xds-constants.js';

/** The patient's INS as the DPI gave it (PID-3), with its assigning authority OID. */
export interface XdsPatient {
  ins: string;
  insOid: string;
}

const INS_OIDS: ReadonlySet<string> = new Set(Object.values(INS_OID));
// INS matricule (NIR or NIA): 15 characters, digits except the Corsican department `2A`/`2B` (positions 6–7).
const INS_FORMAT = /^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}$/;

/**
 * `INS^^^&<OID>&ISO` (digest §B2, §I.1). Only the INS OIDs are accepted: NIR and NIA in production, the test and
 * demo OIDs for the DMP test platform; which one a deployment may use is configuration, not this function's call.
 */
export function xdsPatientId(patient: XdsPatient): string {
  if (!INS_OIDS.has(patient.insOid)) {
    throw new RelaisError('RLS_XDS_PATIENT_ID', 'the INS assigning authority is not an INS OID', { insOid: patient.insOid });
  }
  if (!INS_FORMAT.test(patient.ins)) {
    throw new RelaisError('RLS_XDS_PATIENT_ID', 'the INS is not a 15-character NIR/NIA matricule');
  }
  return cx(patient.ins, patient.insOid);
}

/** True when this CX is a well-formed INS patientId, e.g. for stored queries. */
export function isXdsPatientId(value: string): boolean {
  const m = /^([0-9AB]{15})\^\^\^&([0-9.]+)&ISO$/.exec(value);
  return m !== null && INS_FORMAT.test(m[1] ?? '') && INS_OIDS.has(m[2] ?? '');
}

/** The document must be about the patient the DPI named: its recordTarget carries the same INS (digest §B3 step 4). */
export function checkCdaPatient(cdaPatient: CdaPatient, patient: XdsPatient): void {
  const found = cdaPatient.ids.some((id) => id.root === patient.insOid && id.extension === patient.ins);
  if (!found) {
    throw new RelaisError('RLS_XDS_PATIENT_ID', 'the CDA recordTarget does not carry the INS of the submission');
  }
}

/** sourcePatientId: the local IPP (`IPP^^^&<IPP domain OID>&ISO`) when the CDA has one, else the INS (digest §B2). */
export function sourcePatientId(cdaPatient: CdaPatient, patient: XdsPatient): string {
  const ipp = cdaPatient.ids.find((id) => !INS_OIDS.has(id.root) && id.extension !== undefined && id.extension !== '');
  return ipp?.extension === undefined ? xdsPatientId(patient) : cx(ipp.extension, ipp.root);
}

/** sourcePatientInfo: `PID-5|birth family^first given^given names^^^^L`, `PID-7|birth date`, `PID-8|sex` (digest §C4). */
export function sourcePatientInfo(p: CdaPatient): string[] {
  const info: string[] = [];
  if (p.birthFamily !== undefined) {
    const e = escapeHl7Component;
    info.push(`PID-5|${e(p.birthFamily)}^${e(p.firstGiven ?? '')}^${e(p.given.join(' '))}^^^^L`);
  }
  if (p.birthTime !== undefined) info.push(`PID-7|${p.birthTime.slice(0, 8)}`);
  if (p.gender !== undefined) info.push(`PID-8|${['M', 'F'].includes(p.gender) ? p.gender : 'U'}`);
  return info;
}
