/**
 * Names the reason a TLS session with an MSSanté operator failed, from Node/OpenSSL error codes and alerts.
 * Every one is transient with scope `peer`: the delivery waits (the worker holds it) until the operator, our
 * certificate or the CRLs are fixed; the code says which.
 */
import { isRelaisError } from '../../domain/index.js';

export const tlsFailureCodes = [
  'tls_peer_untrusted', 'tls_peer_expired', 'tls_peer_revoked', 'tls_peer_name_mismatch', 'tls_crl_unavailable',
  'tls_weak_dh', 'tls_protocol', 'tls_outside_profile', 'tls_handshake_failed', 'tls_client_certificate_refused',
  'client_certificate_expired', 'starttls_unavailable', 'starttls_injection',
] as const;
export type TlsFailureCode = (typeof tlsFailureCodes)[number];

const crlCodes = new Set(['UNABLE_TO_GET_CRL', 'CRL_HAS_EXPIRED', 'CRL_NOT_YET_VALID', 'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'CRL_SIGNATURE_FAILURE', 'UNABLE_TO_GET_CRL_ISSUER', 'ERROR_IN_CRL_LAST_UPDATE_FIELD', 'ERROR_IN_CRL_NEXT_UPDATE_FIELD']);

/** The TLS reason of an error, or undefined when it is not a TLS failure (network, timeout, protocol). */
export function tlsFailureOf(e: unknown): TlsFailureCode | undefined {
  if (isRelaisError(e)) {
    if (e.code === 'RLS_PKI_TLS_PROFILE') return 'tls_outside_profile';
    if (e.code === 'RLS_PKI_CRL') return 'tls_crl_unavailable';
    if (e.code === 'RLS_PKI_EXPIRED') return 'client_certificate_expired';
    const reason = e.details['reason'];
    if (typeof reason === 'string' && (tlsFailureCodes as readonly string[]).includes(reason)) return reason as TlsFailureCode;
    return undefined;
  }
  const code = String((e as { code?: unknown }).code ?? '');
  const message = String((e as { message?: unknown }).message ?? '');
  if (code === 'ERR_TLS_DH_PARAM_SIZE') return 'tls_weak_dh';
  if (code === 'CERT_REVOKED') return 'tls_peer_revoked';
  if (crlCodes.has(code)) return 'tls_crl_unavailable';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'tls_peer_expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'tls_peer_name_mismatch';
  if (/^(UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|CERT_|INVALID_CA|PATH_LENGTH)/.test(code)) return 'tls_peer_untrusted';
  if (/alert (certificate required|bad certificate|certificate expired|certificate revoked|unknown ca|certificate unknown|access denied)/i.test(message)) {
    return 'tls_client_certificate_refused';
  }
  if (/unsupported protocol|wrong version number|alert protocol version|no protocols available|version too low/i.test(message)) return 'tls_protocol';
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || /handshake failure|no shared cipher|insufficient security|dh key too small/i.test(message)) {
    return /dh key too small/i.test(message) ? 'tls_weak_dh' : 'tls_handshake_failed';
  }
  return undefined;
}
