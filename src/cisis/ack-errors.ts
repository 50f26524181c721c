import type { AckError } from '../hl7/index.js';

/** ERR-3 code system of the volet (volet A §2.7, §5.1: the HL7 0357 subset). */
export const messageErrorCondition = 'messageErrorCondition';
/** ERR-5 code system for Relais' own business-rule codes (volet A gives none for the PFI→DPI ACK: §7 C12). */
export const relaisErrorCodeSystem = 'RELAIS';

/** The 0357 codes the volet lists (§5.1) that intake validation uses, with their HL7 labels. */
export const hl7ErrorLabels = {
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '198': 'Non-conformant cardinality',
  '199': 'Other HL7 error',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '207': 'Application error',
} as const;
export type Hl7ErrorCode = keyof typeof hl7ErrorLabels;
export type InputErrorCode = Exclude<Hl7ErrorCode, '207'>;

/**
 * Business rules Relais enforces on volet A intake. Each is answered ERR-3 207 with ERR-5
 * `<code>^<label>^RELAIS` (volet A §7 C12). Labels are French: they reach the DPI's users.
 * The table in docs/ack-codes.md lists the same codes (a test ties both).
 */
export const businessErrorLabels = {
  ACTION_MISMATCH: "Action incohérente entre l'événement, ORC-1 et OBX-11",
  PATIENT_MISMATCH: 'Le patient du CDA ne correspond pas au patient du message (PID-3)',
  RECORD_TARGET_COUNT: 'Le CDA doit concerner un et un seul patient',
  DOCUMENT_ID_MISMATCH: "L'identifiant du document (TXA-12) ne correspond pas à celui du CDA",
  PARENT_ID_MISMATCH: "L'identifiant du document remplacé (TXA-13) ne correspond pas au relatedDocument du CDA",
  RPLC_MISSING: 'Remplacement sans relatedDocument RPLC dans le CDA',
  REPLACES_ITSELF: 'Un remplacement doit porter un nouvel identifiant de document, différent du document remplacé',
  TYPE_CODE_MISMATCH: 'Type de document incohérent entre OBR-4, OBX-3, TXA-2 et le code du CDA',
  TYPE_CODE_NOT_DMP: "Type de document non accepté par le DMP (hors JDV_J66)",
  INS_NOT_QUALIFIED: 'INS absent ou identité non qualifiée',
  REQUESTER_MISSING: "Demandeur (PRT SB) absent ou incomplet pour l'alimentation du DMP",
  PS_RECIPIENT_MISSING: 'Aucun destinataire professionnel MSSanté (PRT RCT) alors que DESTMSSANTEPS=Y',
  PATIENT_RECIPIENT_MISSING: 'Aucun destinataire patient MSSanté (PRT RCT) alors que DESTMSSANTEPAT=Y',
  PATIENT_RECIPIENT_UNEXPECTED: 'Destinataire patient MSSanté (PRT RCT) alors que DESTMSSANTEPAT=N',
  PATIENT_INVISIBLE: 'Document invisible pour le patient : envoi MSSanté au patient interdit',
  REPRESENTATIVE_INVISIBLE: 'Document invisible pour les représentants légaux : envoi MSSanté interdit',
  MSS_MATRIX: 'Combinaison de diffusion MSSanté non autorisée',
  // Conditions of the intake itself rather than of the message's content (engine/):
  FRAME_TOO_LARGE: 'Message trop volumineux pour être accepté',
  STORE_UNAVAILABLE: 'Stockage indisponible : renvoyer le message plus tard',
} as const;
export type BusinessErrorCode = keyof typeof businessErrorLabels;

/** An input (syntax or conformance) error: ERR-3 from the 0357 subset, ERR-2 location, ERR-4 E. */
export function inputError(code: InputErrorCode, location: string | undefined, detail: string): AckError {
  return {
    ...(location === undefined ? {} : { location }),
    code,
    text: `${hl7ErrorLabels[code]}: ${detail}`,
    codeSystem: messageErrorCondition,
    severity: 'E',
  };
}

/** A business-rule error: ERR-3 207, ERR-5 a Relais code; `labelSuffix` refines the ERR-5 label (e.g. the profile). */
export function businessError(code: BusinessErrorCode, location: string | undefined, detail: string, labelSuffix?: string): AckError {
  return {
    ...(location === undefined ? {} : { location }),
    code: '207',
    text: `${hl7ErrorLabels['207']}: ${detail}`,
    codeSystem: messageErrorCondition,
    severity: 'E',
    appError: {
      code,
      text: labelSuffix === undefined ? businessErrorLabels[code] : `${businessErrorLabels[code]} ${labelSuffix}`,
      codeSystem: relaisErrorCodeSystem,
    },
  };
}
