import type { AckError } from '../hl7/index.js';
import { isRelaisError } from '../domain/index.js';
import { hl7ErrorLabels, inputError } from './ack-errors.js';
import type { InputErrorCode } from './ack-errors.js';

/** Where and how to answer parser errors that carry no 0357 code of their own. */
const fallback: Readonly<Record<string, { code: InputErrorCode; location?: string }>> = {
  RLS_HL7_NO_MSH: { code: '100', location: 'MSH^1' },
  RLS_HL7_BAD_DELIMITERS: { code: '102', location: 'MSH^1^2' },
  RLS_HL7_BAD_CHARSET: { code: '102', location: 'MSH^1^18' },
  RLS_HL7_UNKNOWN_CHARSET: { code: '103', location: 'MSH^1^18' },
  RLS_HL7_BAD_SEGMENT: { code: '100' },
  RLS_MLLP_FRAME_TOO_LARGE: { code: '199' },
};

function isInputCode(code: unknown): code is InputErrorCode {
  return typeof code === 'string' && code !== '207' && Object.hasOwn(hl7ErrorLabels, code);
}

/**
 * The AE errors for bytes that did not parse (RelaisError from parseEr7 or the charset decoder): the parser's
 * 0357 code and ERL location (details.hl7Code / details.location) when it gives them, a mapping by error code
 * otherwise. The text is the error's own message, which by rule carries no patient data.
 */
export function errorsForUnparsable(error: unknown): AckError[] {
  if (!isRelaisError(error)) {
    return [inputError('199', undefined, 'the message could not be read')];
  }
  const location = typeof error.details['location'] === 'string' ? error.details['location'] : undefined;
  const hl7Code = error.details['hl7Code'];
  const mapped = fallback[error.code];
  const code = isInputCode(hl7Code) ? hl7Code : mapped?.code ?? '199';
  return [inputError(code, location ?? mapped?.location, `${error.message} (${error.code})`)];
}
