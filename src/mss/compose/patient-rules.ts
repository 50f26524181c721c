/**
 * Patient mailboxes of Mon espace santé (digest mssante-dmp-xdm §A6) and who may receive a document by mail
 * (volet A §2.4.9: INVISIBLE_PATIENT, INVISIBLE_REP_LEGAUX; Référentiel #2 va1.19: a patient address only from a
 * qualified INS). Pure rules: the engine asks before composing and reports each refusal to the DPI.
 */
import { RelaisError, type MetaFlags } from '../../domain/index.js';

export const PATIENT_MAIL_DOMAIN = 'patient.mssante.fr';

// NIR or NIA: 13 characters (digits, the Corsican departments 2A/2B at positions 6–7) then a 2-digit key.
const MATRICULE = /^([0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6})([0-9]{2})$/;

/** The control key of a NIR/NIA: 97 − (the 13 characters as a number, 2A → 19, 2B → 18) mod 97. */
function matriculeKey(first13: string): number {
  const numeric = first13.slice(0, 5) + first13.slice(5, 7).replace('2A', '19').replace('2B', '18') + first13.slice(7);
  return 97 - Number(BigInt(numeric) % 97n);
}

/** True for a 15-character NIR or NIA whose key matches. */
export function isInsMatricule(ins: string): boolean {
  const m = MATRICULE.exec(ins);
  return m !== null && matriculeKey(m[1] ?? '') === Number(m[2]);
}

/** `<matricule INS>@patient.mssante.fr`; RLS_MSS_BAD_INS when the matricule is malformed or its key is wrong. */
export function patientMailbox(ins: string): string {
  if (!isInsMatricule(ins)) throw new RelaisError('RLS_MSS_BAD_INS');
  return `${ins}@${PATIENT_MAIL_DOMAIN}`;
}

/** The matricule of a patient mailbox address, or undefined when the address is not one. */
export function matriculeOfMailbox(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== PATIENT_MAIL_DOMAIN) return undefined;
  const local = address.slice(0, at).toUpperCase();
  return isInsMatricule(local) ? local : undefined;
}

export type RecipientKind = 'ps' | 'patient' | 'representative';

export interface MailRecipient {
  address: string;
  kind: RecipientKind;
}

export interface MailPatient {
  ins?: string | undefined;
  insQualified: boolean;
}

/** Why a recipient gets no mail; the code travels to the DPI in the ZAM ERR-5. */
export const recipientRefusals = {
  DESTMSSANTEPS_N: 'Envoi aux professionnels non demandé (DESTMSSANTEPS=N)',
  DESTMSSANTEPAT_N: 'Envoi au patient non demandé (DESTMSSANTEPAT=N)',
  INS_NOT_QUALIFIED: "Identité du patient non qualifiée : pas d'envoi à la messagerie du patient",
  INVISIBLE_PATIENT: 'Document non visible par le patient (INVISIBLE_PATIENT=Y)',
  INVISIBLE_REP_LEGAUX: 'Document non visible par les représentants légaux (INVISIBLE_REP_LEGAUX=Y)',
  BAD_PATIENT_ADDRESS: "Adresse de messagerie patient invalide (attendu <matricule INS>@patient.mssante.fr)",
  NOT_PATIENT_MAILBOX: "L'adresse n'est pas celle de la messagerie du patient dérivée de son INS",
} as const;
export type RecipientRefusal = keyof typeof recipientRefusals;

export interface RecipientDecision {
  allowed: MailRecipient[];
  refused: { recipient: MailRecipient; reason: RecipientRefusal; label: string }[];
}

/**
 * Splits the recipients of one document into those that may get it and those that may not, with a reason
 * each. A patient mail goes only to the mailbox derived from the patient's qualified INS; a legal
 * representative's mailbox must itself be a well-formed patient mailbox.
 */
export function mailRecipientsAllowed(flags: MetaFlags, patient: MailPatient, recipients: readonly MailRecipient[]): RecipientDecision {
  const decision: RecipientDecision = { allowed: [], refused: [] };
  for (const recipient of recipients) {
    const reason = refusalOf(flags, patient, recipient);
    if (reason === undefined) decision.allowed.push(recipient);
    else decision.refused.push({ recipient, reason, label: recipientRefusals[reason] });
  }
  return decision;
}

function refusalOf(flags: MetaFlags, patient: MailPatient, recipient: MailRecipient): RecipientRefusal | undefined {
  if (recipient.kind === 'ps') return flags.DESTMSSANTEPS ? undefined : 'DESTMSSANTEPS_N';
  if (!flags.DESTMSSANTEPAT) return 'DESTMSSANTEPAT_N';
  if (recipient.kind === 'patient') {
    if (flags.INVISIBLE_PATIENT) return 'INVISIBLE_PATIENT';
    if (!patient.insQualified || patient.ins === undefined) return 'INS_NOT_QUALIFIED';
    if (!isInsMatricule(patient.ins)) return 'BAD_PATIENT_ADDRESS';
    return matriculeOfMailbox(recipient.address) === patient.ins ? undefined : 'NOT_PATIENT_MAILBOX';
  }
  if (flags.INVISIBLE_REP_LEGAUX) return 'INVISIBLE_REP_LEGAUX';
  return matriculeOfMailbox(recipient.address) === undefined ? 'BAD_PATIENT_ADDRESS' : undefined;
}
