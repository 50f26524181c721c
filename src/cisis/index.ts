export { validateVoletA, maxAckErrors } from './validate-volet-a.js';
export { errorsForUnparsable } from './unparsable.js';
export { defaultVoletAConfig } from './config.js';
export { mssMatrixProfiles } from './types.js';
export type {
  MssMatrixProfile, VoletAConfig, PatientIdentity, Requester, Recipient, IntakeDocument, ValidationIssue,
  IntakeRequest, VoletAResult,
} from './types.js';
export { isDmpTypeCode, isCisisTypeCode, cisisTypeCodeLabel } from './type-codes.js';
export { mssMatrixRows, checkMssRules } from './mss-matrix.js';
export type { MssMatrixRow, MssRuleViolation } from './mss-matrix.js';
export {
  businessErrorLabels, hl7ErrorLabels, messageErrorCondition, relaisErrorCodeSystem, inputError, businessError,
} from './ack-errors.js';
export type { BusinessErrorCode, Hl7ErrorCode, InputErrorCode } from './ack-errors.js';
export { decodeBase64 } from './base64.js';
export { buildZam, buildZamZ01 } from './zam.js';
export type { ZamEvent, ZamOptions, ZamZ01Options } from './zam.js';
export { buildVoletBMessage, voletBFlags, voletBFlagLabels } from './volet-b-message.js';
export type {
  VoletBAction, VoletBInput, VoletBDocument, VoletBMail, VoletBDirectoryEntry, VoletBCareUnit, VoletBFlags,
} from './volet-b-message.js';
export { readVoletBAck, voletBApplicationErrors, isVoletBApplicationErrorCode } from './volet-b-ack.js';
export type { VoletBAckOutcome, VoletBApplicationErrorCode } from './volet-b-ack.js';
