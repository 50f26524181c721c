import type { MetaFlagCode } from '../domain/index.js';
import type { Findings } from './findings.js';
import { insMatricule } from './patient.js';
import { at } from './segment-refs.js';
import type { SegmentRef } from './segment-refs.js';
import type { PatientIdentity, Recipient, Requester } from './types.js';

export interface ParticipantsRead {
  requester?: Requester;
  requesterRef?: SegmentRef;
  recipients: { recipient: Recipient; ref: SegmentRef }[];
  replyTo?: string;
}

const participations = new Set(['SB', 'RCT', 'REPLY']);
/** Patient MSSanté addresses (Mon espace santé): `<matricule INS>@patient.mssante.fr` (§2.4.8 b). */
const patientDomain = '@patient.mssante.fr';

function put<T extends object, K extends keyof T>(target: T, key: K, value: string): void {
  if (value !== '') (target as Record<K, string>)[key] = value;
}

/**
 * PRT segments after the document OBX (volet A §2.4.8): SB (requester), RCT (one per MSSanté address) and REPLY.
 * PRT-4.1 must be one of these; PRT-15.3 must be X.400 and PRT-15.4 the address. Recipients are sorted into
 * professional, patient and legal representative (§7 C11): a typed INS (PRT-5.13) or a patient-domain address
 * is the patient when its matricule is the patient's INS, a representative when it is another INS.
 */
export function readParticipants(prts: readonly SegmentRef[], patient: PatientIdentity, f: Findings): ParticipantsRead {
  const result: ParticipantsRead = { recipients: [] };
  for (const prt of prts) {
    const seg = prt.segment;
    const code = seg.get(4, 1);
    if (code === '') {
      f.input('101', at(prt, 4), 'PRT-4 (participation) is empty; expected SB, RCT or REPLY');
      continue;
    }
    if (!participations.has(code)) {
      f.input('103', at(prt, 4), `PRT-4.1 is '${code}'; expected SB (sender), RCT (recipient) or REPLY (reply address)`);
      continue;
    }
    if (code === 'SB') {
      if (result.requester !== undefined) {
        f.input('198', at(prt, 4), 'a second PRT SB: the requester of the action is one person, organisation or device');
        continue;
      }
      const requester: Requester = {};
      put(requester, 'personId', seg.get(5, 1));
      put(requester, 'family', seg.get(5, 2));
      put(requester, 'given', seg.get(5, 3));
      put(requester, 'personAuthorityOid', seg.get(5, 9, 2));
      put(requester, 'personIdType', seg.get(5, 13));
      put(requester, 'orgName', seg.get(8, 1));
      put(requester, 'orgAuthorityOid', seg.get(8, 6, 2));
      put(requester, 'orgIdType', seg.get(8, 7));
      put(requester, 'orgId', seg.get(8, 10));
      put(requester, 'deviceId', seg.get(10, 1));
      result.requester = requester;
      result.requesterRef = prt;
      continue;
    }
    const address = readAddress(prt, f);
    if (address === undefined) continue;
    if (code === 'REPLY') {
      if (result.replyTo !== undefined) f.warn('REPLY_DUPLICATE', at(prt, 15), 'a second PRT REPLY; the first one is used');
      else result.replyTo = address;
      continue;
    }
    const recipient: Recipient = { address, kind: 'ps' };
    put(recipient, 'personId', seg.get(5, 1));
    put(recipient, 'family', seg.get(5, 2));
    put(recipient, 'given', seg.get(5, 3));
    put(recipient, 'personIdType', seg.get(5, 13));
    put(recipient, 'orgName', seg.get(8, 1));
    put(recipient, 'orgIdType', seg.get(8, 7));
    put(recipient, 'orgId', seg.get(8, 10));
    put(recipient, 'deviceId', seg.get(10, 1));
    classify(recipient, prt, patient, f);
    result.recipients.push({ recipient, ref: prt });
  }
  return result;
}

/** PRT-15: XTN with 15.3 = X.400 (mandated by §2.4.8 even for an Internet address) and the address in 15.4. */
function readAddress(prt: SegmentRef, f: Findings): string | undefined {
  const seg = prt.segment;
  const type = seg.get(15, 3);
  const address = seg.get(15, 4);
  if (address === '') {
    f.input('101', at(prt, 15, 1, 4), `PRT-15.4 (MSSanté address) is empty for PRT ${seg.get(4, 1)}`);
    return undefined;
  }
  if (type !== 'X.400') {
    f.input('103', at(prt, 15, 1, 3), `PRT-15.3 is '${type}'; volet A requires X.400 for an MSSanté address`);
    return undefined;
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
    f.input('102', at(prt, 15, 1, 4), 'PRT-15.4 is not an email address');
    return undefined;
  }
  return address;
}

function classify(recipient: Recipient, prt: SegmentRef, patient: PatientIdentity, f: Findings): void {
  const inPatientDomain = recipient.address.toLowerCase().endsWith(patientDomain);
  const typedIns = recipient.personIdType === 'INS';
  if (!inPatientDomain && !typedIns) return;
  const matricule = typedIns && recipient.personId !== undefined
    ? recipient.personId
    : recipient.address.slice(0, recipient.address.length - patientDomain.length);
  if (patient.ins !== undefined && matricule === patient.ins) {
    recipient.kind = 'patient';
  } else if (insMatricule.test(matricule)) {
    recipient.kind = 'representative';
  } else {
    // Not an INS at all (the ANS Ségur ORU example carries a 20-digit typo): it can only mean the patient,
    // whose address MSS/va1.19 builds from the INS.
    recipient.kind = 'patient';
    if (patient.ins !== undefined) {
      recipient.address = `${patient.ins}${patientDomain}`;
      f.warn('PATIENT_ADDRESS_REBUILT', at(prt, 15, 1, 4), "the patient recipient does not carry a valid INS; the address is built from the patient's INS");
    }
  }
}

/** The PRT rules that depend on the MetaDMPMSS flags (§2.4.8, §2.4.9, §7 C11). */
export function checkParticipantsAgainstFlags(
  read: ParticipantsRead,
  flags: Partial<Record<MetaFlagCode, boolean>>,
  flagLocation: (code: MetaFlagCode) => string | undefined,
  f: Findings,
): Recipient[] {
  if (flags.DESTDMP === true) {
    const r = read.requester;
    if (r === undefined || read.requesterRef === undefined) {
      f.business('REQUESTER_MISSING', flagLocation('DESTDMP'), 'DESTDMP=Y requires a PRT SB (requester of the action) after the document OBX');
    } else if (r.orgId === undefined) {
      f.business('REQUESTER_MISSING', at(read.requesterRef, 8), 'DESTDMP=Y: PRT SB must carry the organisation FINESS in PRT-8.10 (SC.DMP/CONF.12)');
    } else if (r.personId === undefined && r.deviceId === undefined) {
      f.business('REQUESTER_MISSING', at(read.requesterRef, 5), 'DESTDMP=Y: PRT SB must identify the professional (PRT-5.1) or the device (PRT-10) (SC.DMP/CONF.12)');
    }
  }
  const kept: Recipient[] = [];
  let ps = 0;
  let patientSide = 0;
  for (const { recipient, ref } of read.recipients) {
    if (recipient.kind === 'ps') {
      if (flags.DESTMSSANTEPS === false) {
        f.warn('PS_RECIPIENT_IGNORED', at(ref, 15), 'PRT RCT for a professional while DESTMSSANTEPS=N; not sent');
        continue;
      }
      ps++;
    } else {
      if (flags.DESTMSSANTEPAT === false) {
        f.business('PATIENT_RECIPIENT_UNEXPECTED', at(ref, 15),
          `PRT RCT addresses the ${recipient.kind === 'patient' ? 'patient' : "patient's legal representative"} while DESTMSSANTEPAT=N`);
        continue;
      }
      patientSide++;
    }
    kept.push(recipient);
  }
  if (flags.DESTMSSANTEPS === true && ps === 0) {
    f.business('PS_RECIPIENT_MISSING', flagLocation('DESTMSSANTEPS'), 'DESTMSSANTEPS=Y but no PRT RCT addresses a professional, organisation or application mailbox');
  }
  if (flags.DESTMSSANTEPAT === true && patientSide === 0) {
    f.business('PATIENT_RECIPIENT_MISSING', flagLocation('DESTMSSANTEPAT'), 'DESTMSSANTEPAT=Y but no PRT RCT addresses the patient (PRT-5.13 INS or @patient.mssante.fr)');
  }
  return kept;
}
