import { RelaisError } from '../domain/index.js';
import { parseSoapMessage } from './mtom.js';
import { parseSoapAnswer, type RegistryAnswer, type RegistryErrorItem, type SoapAnswer, type SoapFault } from './soap-response.js';

/**
 * Turns an HTTP answer of the DMP into a result or a classified error (digest §C8; STYLE "SOAP: a timeout → retry;
 * a Fault or a RegistryError → dead"):
 * - RegistryResponse Success / PartialSuccess → ok (Warning-severity errors kept as warnings);
 * - RegistryResponse Failure → RLS_DMP_REFUSED (permanent), except when every Error is `*Busy` or
 *   `*OutOfResources` → RLS_DMP_UNAVAILABLE (§C8: retry with backoff on those);
 * - SOAP Fault: `Receiver`, or a reason/subcode saying maintenance / unavailable / busy → RLS_DMP_UNAVAILABLE;
 *   `Sender`, `MustUnderstand`, `VersionMismatch`, `DataEncodingUnknown` → RLS_DMP_REFUSED;
 * - no readable SOAP: HTTP 5xx, 408, 429 → RLS_DMP_UNAVAILABLE; other 4xx and 3xx → RLS_DMP_REFUSED; 2xx →
 *   RLS_DMP_BAD_RESPONSE, transient: such an answer cannot tell whether the request was applied, so the engine
 *   checks with TD3.1b before sending again (ITI-41 is not idempotent, §C8).
 * Details carry codes and statuses only: codeContext and Fault reasons may quote patient data, they stay in the
 * outcome, not in the error.
 */

export type Classified =
  | { ok: true; answer: RegistryAnswer }
  | { ok: false; error: RelaisError; answer?: SoapAnswer };

const TRANSIENT_REGISTRY_CODES = /^XDS(Registry|Repository)(Busy|OutOfResources)$/;
const MAINTENANCE = /maintenance|indisponib|unavailable|busy|surcharg|overload|temporar|r[ée]essayer|retry/i;

function registryFailure(answer: RegistryAnswer, httpStatus: number): RelaisError {
  const errors = answer.errors.filter((e) => e.severity !== 'Warning');
  const errorCodes = errors.map((e) => e.errorCode);
  const details = { httpStatus, dmpStatus: answer.status, errorCodes };
  if (errors.length > 0 && errorCodes.every((c) => TRANSIENT_REGISTRY_CODES.test(c))) {
    return new RelaisError('RLS_DMP_UNAVAILABLE', `the DMP is busy (${errorCodes.join(', ')})`, details);
  }
  return new RelaisError('RLS_DMP_REFUSED', `the DMP answered ${answer.status}${errorCodes.length > 0 ? ` (${errorCodes.join(', ')})` : ''}`, details);
}

function faultError(fault: SoapFault, httpStatus: number): RelaisError {
  const details = { httpStatus, faultCode: fault.code, subcodes: fault.subcodes };
  const maintenance = MAINTENANCE.test(fault.reason) || fault.subcodes.some((s) => MAINTENANCE.test(s));
  if (fault.code === 'Receiver' || maintenance) {
    return new RelaisError('RLS_DMP_UNAVAILABLE', `SOAP Fault ${fault.code} from the DMP`, details);
  }
  return new RelaisError('RLS_DMP_REFUSED', `SOAP Fault ${fault.code}${fault.subcodes.length > 0 ? ` (${fault.subcodes.join(' / ')})` : ''}`, details);
}

function withoutSoap(httpStatus: number, cause: unknown): RelaisError {
  const details = { httpStatus };
  if (httpStatus >= 500 || httpStatus === 408 || httpStatus === 429) {
    return new RelaisError('RLS_DMP_UNAVAILABLE', `HTTP ${httpStatus} from the DMP`, details, { cause });
  }
  if (httpStatus >= 200 && httpStatus < 300) {
    const reason = cause instanceof RelaisError ? String(cause.details['reason'] ?? cause.message) : 'unreadable';
    return new RelaisError('RLS_DMP_BAD_RESPONSE', undefined, { ...details, reason }, { cause });
  }
  return new RelaisError('RLS_DMP_REFUSED', `HTTP ${httpStatus} from the DMP`, details, { cause });
}

export function classifyAnswer(httpStatus: number, contentType: string | undefined, body: Buffer): Classified {
  let answer: SoapAnswer;
  try {
    answer = parseSoapAnswer(parseSoapMessage(contentType, body).rootXml);
  } catch (e) {
    return { ok: false, error: withoutSoap(httpStatus, e) };
  }
  if (answer.kind === 'fault') return { ok: false, error: faultError(answer, httpStatus), answer };
  if (answer.status === 'Failure') return { ok: false, error: registryFailure(answer, httpStatus), answer };
  if (answer.status !== 'Success' && answer.status !== 'PartialSuccess') {
    return { ok: false, error: new RelaisError('RLS_DMP_BAD_RESPONSE', undefined, { httpStatus, reason: 'unknown RegistryResponse status' }), answer };
  }
  if (httpStatus < 200 || httpStatus >= 300) return { ok: false, error: withoutSoap(httpStatus, undefined), answer };
  return { ok: true, answer };
}

/** Warning-severity registry errors of a successful answer. */
export function warningsOf(answer: RegistryAnswer): RegistryErrorItem[] {
  return answer.errors.filter((e) => e.severity === 'Warning');
}
