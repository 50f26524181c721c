import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RelaisError } from '../../domain/index.js';
import { tlsFailureOf } from './tls-failure.js';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('TLS failure names', () => {
  it('names certificate, revocation, DH and protocol failures', () => {
    assert.equal(tlsFailureOf(err('ERR_TLS_DH_PARAM_SIZE')), 'tls_weak_dh');
    assert.equal(tlsFailureOf(err('CERT_REVOKED')), 'tls_peer_revoked');
    assert.equal(tlsFailureOf(err('UNABLE_TO_GET_CRL')), 'tls_crl_unavailable');
    assert.equal(tlsFailureOf(err('CERT_HAS_EXPIRED')), 'tls_peer_expired');
    assert.equal(tlsFailureOf(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE')), 'tls_peer_untrusted');
    assert.equal(tlsFailureOf(err('ERR_TLS_CERT_ALTNAME_INVALID')), 'tls_peer_name_mismatch');
    assert.equal(tlsFailureOf(err('ERR_SSL_UNSUPPORTED_PROTOCOL', 'error:0A000102:SSL routines::unsupported protocol')), 'tls_protocol');
    assert.equal(tlsFailureOf(err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure')), 'tls_handshake_failed');
    assert.equal(tlsFailureOf(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required')), 'tls_client_certificate_refused');
  });

  it('names our own refusals and leaves network errors alone', () => {
    assert.equal(tlsFailureOf(new RelaisError('RLS_PKI_TLS_PROFILE', 'x', { reason: 'cipher' })), 'tls_outside_profile');
    assert.equal(tlsFailureOf(new RelaisError('RLS_PKI_CRL', 'x')), 'tls_crl_unavailable');
    assert.equal(tlsFailureOf(new RelaisError('RLS_PKI_EXPIRED', 'x')), 'client_certificate_expired');
    assert.equal(tlsFailureOf(err('ECONNREFUSED')), undefined);
    assert.equal(tlsFailureOf(new RelaisError('RLS_MSS_UNAVAILABLE', 'x', { reason: 'network' })), undefined);
  });
});
