import type { MetaFlagCode } from '../domain/index.js';
import type { Hl7Message } from '../hl7/index.js';
import { readAction } from './action.js';
import { checkCdaConsistency } from './cda-consistency.js';
import { readDocumentPayload } from './document-payload.js';
import { checkDmpTypeCode, readDocumentType } from './document-type.js';
import { Findings } from './findings.js';
import { readMailBody } from './mail-body.js';
import { readMetaFlags } from './meta-flags.js';
import { checkMssRules } from './mss-matrix.js';
import { checkParticipantsAgainstFlags, readParticipants } from './participants.js';
import { readPatient } from './patient.js';
import { at, segmentRefs } from './segment-refs.js';
import type { IntakeRequest, VoletAConfig, VoletAResult } from './types.js';
import { readVoletAHeader } from './volet-a-header.js';
import { readVoletAStructure } from './volet-a-structure.js';

/** A DPI engineer reads the first errors; past this many, the rest are noise. */
export const maxAckErrors = 10;

/**
 * Volet A intake validation (ORU^R01 v2.5, MDM^T02/T10/T04 v2.6). Pure and synchronous: it runs on the ACK path,
 * decodes each base64 once and reads each CDA header once. Header errors (MSH-9/12/21/11) answer alone; past the
 * header, every rule runs and all errors found are returned (up to `maxAckErrors`), input errors and business
 * rules (207) together. Tolerated defects come back as warnings.
 */
export function validateVoletA(message: Hl7Message, config: VoletAConfig): VoletAResult {
  const f = new Findings();
  const header = readVoletAHeader(message, f);
  if (header === undefined) return reject(f);

  const structure = readVoletAStructure(segmentRefs(message), header.structure, f);
  const action = readAction(header, structure.orc, structure.documents, f);
  const patientRead = readPatient(structure.pid, structure.pv1, config, f);
  const meta = readMetaFlags(structure.metadata, f);
  const participants = readParticipants(structure.documents[0]?.prts ?? [], patientRead.patient, f);
  const typeCodes = readDocumentType(structure.obr, structure.txa, structure.documents, f);
  const decoded = structure.documents.map((doc) => readDocumentPayload(doc, config, f));
  const documents = checkCdaConsistency({
    documents: decoded, typeCodes, pid: structure.pid, txa: structure.txa, action, patient: patientRead, config,
  }, f);

  const flagAt = (code: MetaFlagCode): string | undefined => {
    const obx = meta.where[code];
    return obx === undefined ? undefined : at(obx, 5);
  };
  const known = meta.known;
  const recipients = checkParticipantsAgainstFlags(participants, known, flagAt, f);

  const { patient } = patientRead;
  if ((known.DESTDMP === true || known.DESTMSSANTEPAT === true) && !patient.insQualified) {
    // §2.1: a qualified INS is required for any DMP action; MSS/va1.19: and for a send to the patient.
    const uses = [known.DESTDMP === true ? 'DESTDMP=Y' : '', known.DESTMSSANTEPAT === true ? 'DESTMSSANTEPAT=Y' : ''].filter(Boolean).join(' and ');
    const pid = structure.pid;
    if (patient.ins === undefined) {
      f.business('INS_NOT_QUALIFIED', pid === undefined ? undefined : at(pid, 3), `${uses} requires the patient's INS in PID-3 (CX-5 INS)`);
    } else {
      f.business('INS_NOT_QUALIFIED', pid === undefined ? undefined : at(pid, 32),
        `${uses} requires a qualified identity; PID-32 is '${patient.identityStatus ?? ''}', accepted: ${config.qualifiedIdentityCodes.join(', ')}`);
    }
  }
  if (known.DESTDMP === true) checkDmpTypeCode(structure.obr, f);

  const flags = meta.flags;
  if (flags !== undefined) {
    const violation = checkMssRules(flags, recipients.some((r) => r.kind === 'representative'), config.mssMatrixProfile);
    if (violation !== undefined) {
      const suffix = violation.code === 'MSS_MATRIX' ? `(profil ${config.mssMatrixProfile})` : undefined;
      f.business(violation.code, flagAt(violation.flag), violation.detail, suffix);
    }
  }

  const mailBodies: IntakeRequest['mailBodies'] = {};
  if (flags?.DESTMSSANTEPS === true) {
    const ps = readMailBody(meta.where.CORPSMAIL_PS, 'CORPSMAIL_PS', f);
    if (ps !== undefined) mailBodies.ps = ps;
  }
  if (flags?.DESTMSSANTEPAT === true) {
    const pat = readMailBody(meta.where.CORPSMAIL_PATIENT, 'CORPSMAIL_PATIENT', f);
    if (pat !== undefined) mailBodies.patient = pat;
  }

  if (f.failed) return reject(f);
  if (action === undefined || flags === undefined || documents.length !== structure.documents.length) {
    throw new Error('volet A validation found no error but could not build the request');
  }
  const request: IntakeRequest = {
    structure: header.structure,
    event: header.event,
    version: header.version,
    controlId: header.controlId,
    sendingApp: header.sendingApp,
    sendingFacility: header.sendingFacility,
    receivingApp: header.receivingApp,
    receivingFacility: header.receivingFacility,
    processingId: header.processingId,
    ...(header.messageTime === undefined ? {} : { messageTime: header.messageTime }),
    action,
    patient,
    ...(participants.requester === undefined ? {} : { requester: participants.requester }),
    recipients,
    ...(participants.replyTo === undefined ? {} : { replyTo: participants.replyTo }),
    patientMayNotReply: meta.patientMayNotReply,
    flags,
    mailBodies,
    documents,
    warnings: f.warnings,
  };
  return { ok: true, request };
}

function reject(f: Findings): VoletAResult {
  // Pure validation has no transient cause: every refusal is AE (volet A §2.7: AR means "resend later").
  return { ok: false, ackCode: 'AE', errors: f.errors.slice(0, maxAckErrors), warnings: f.warnings };
}
