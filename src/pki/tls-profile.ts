/**
 * The TLS profile Relais uses on every link, as client and as server: MSSanté Réf #2 CONF.01–03 (spec
 * digest §A2) and the ANSSI TLS recommendations. TLS 1.2 minimum, TLS 1.2 limited to the six suites of
 * CONF.03, TLS 1.3 allowed (CONF.02) behind a switch, DHE groups ≥ 2048 bits, ECDHE curves ≥ 256 bits.
 */
import type { ConnectionOptions, TlsOptions, TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { RelaisError } from '../domain/index.js';
import type { Credentials } from './load-credentials.js';
import type { TrustStore } from './trust-store.js';
import { describeKey, isStrongKey, keyStrength } from './key-strength.js';

/** CONF.03: the only TLS 1.2 suites (wave 2: the four ECDHE suites plus the two DHE-GCM suites). */
export const tls12CipherSuites = [
  { iana: '0xC030', name: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-RSA-AES256-GCM-SHA384' },
  { iana: '0xC02F', name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-RSA-AES128-GCM-SHA256' },
  { iana: '0xC028', name: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', openssl: 'ECDHE-RSA-AES256-SHA384' },
  { iana: '0xC027', name: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', openssl: 'ECDHE-RSA-AES128-SHA256' },
  { iana: '0x009F', name: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', openssl: 'DHE-RSA-AES256-GCM-SHA384' },
  { iana: '0x009E', name: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'DHE-RSA-AES128-GCM-SHA256' },
] as const;

/** TLS 1.3 suites (AEAD only by design); the ANSSI guide accepts the AES-GCM and ChaCha20-Poly1305 ones. */
export const tls13CipherSuites = [
  { iana: '0x1302', name: 'TLS_AES_256_GCM_SHA384', openssl: 'TLS_AES_256_GCM_SHA384' },
  { iana: '0x1301', name: 'TLS_AES_128_GCM_SHA256', openssl: 'TLS_AES_128_GCM_SHA256' },
  { iana: '0x1303', name: 'TLS_CHACHA20_POLY1305_SHA256', openssl: 'TLS_CHACHA20_POLY1305_SHA256' },
] as const;

/** ECDHE groups, Node/OpenSSL spelling; all ≥ 256 bits (§A2 recipe; ANSSI lists the NIST P curves). */
export const ecdhCurves = ['P-256', 'P-384', 'P-521'] as const;
/** The same curves as getEphemeralKeyInfo() names them. */
const ephemeralCurveNames = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

export const minimumDhBits = 2048;
export const minimumEcdhBits = 256;

export interface TlsProfileOptions {
  /** CONF.02 allows TLS 1.3; on by default, off restricts to TLS 1.2 and the six suites. */
  allowTls13?: boolean;
}

export interface TlsProfile {
  minVersion: 'TLSv1.2';
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
  ciphers: string;
  ecdhCurve: string;
  minDHSize: number;
  honorCipherOrder: boolean;
  dhparam: 'auto';
}

/** The options every Relais TLS context starts from (client or server). */
export function tlsProfileOptions(o: TlsProfileOptions = {}): TlsProfile {
  const allowTls13 = o.allowTls13 ?? true;
  return {
    minVersion: 'TLSv1.2',
    maxVersion: allowTls13 ? 'TLSv1.3' : 'TLSv1.2',
    // Node gives the TLS_ names to SSL_CTX_set_ciphersuites and the others to SSL_CTX_set_cipher_list.
    ciphers: [...(allowTls13 ? tls13CipherSuites : []), ...tls12CipherSuites].map((s) => s.openssl).join(':'),
    ecdhCurve: ecdhCurves.join(':'),
    // §A2: a client must drop a server that offers a DH group under 2048 bits.
    minDHSize: minimumDhBits,
    honorCipherOrder: true,
    // Server side of the DHE suites: OpenSSL's built-in groups, sized to the certificate key (≥ 2048).
    dhparam: 'auto',
  };
}

export interface TlsClientProfile extends TlsProfileOptions {
  /** Our ORG AUTH_CLI credentials for mutual TLS (§A3, §C2). */
  credentials?: Credentials;
  /** The peer's trust store: only its anchors are trusted, never the system bundle (CONF.27). */
  trustStore?: TrustStore;
  servername?: string;
}

export function tlsClientOptions(o: TlsClientProfile): ConnectionOptions {
  const { dhparam: _serverOnly, honorCipherOrder: _serverOnlyToo, ...profile } = tlsProfileOptions(o);
  return {
    ...profile,
    ...(o.credentials ? { key: o.credentials.keyPem, cert: o.credentials.certPem } : {}),
    ...(o.trustStore ? { ca: o.trustStore.caPem } : {}),
    ...(o.servername ? { servername: o.servername } : {}),
    rejectUnauthorized: true,
  };
}

export interface TlsServerProfile extends TlsProfileOptions {
  credentials: Credentials;
  /** With a trust store, clients must present a certificate it trusts (mutual TLS). */
  trustStore?: TrustStore;
}

export function tlsServerOptions(o: TlsServerProfile): TlsOptions {
  return {
    ...tlsProfileOptions(o),
    key: o.credentials.keyPem,
    cert: o.credentials.certPem,
    ...(o.trustStore ? { ca: o.trustStore.caPem, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

export type NegotiationFailure = 'protocol' | 'cipher' | 'ephemeral_key' | 'peer_key' | 'no_peer_certificate';

export type NegotiationVerdict =
  | { ok: true; protocol: string; cipher: string }
  | { ok: false; reason: NegotiationFailure; message: string };

/** The parts of a TLSSocket the check reads (a fake is enough in unit tests). */
export type NegotiatedSession = Pick<TLSSocket, 'getProtocol' | 'getCipher' | 'getEphemeralKeyInfo'> & {
  getPeerX509Certificate(): X509Certificate | undefined;
};

export interface CheckNegotiatedOptions extends TlsProfileOptions {
  /** Fail when the peer showed no certificate (a server always does; a client only in mutual TLS). */
  requirePeerCertificate?: boolean;
}

/**
 * Checks an established session against the profile: protocol, suite, ephemeral key size (seen on the
 * client side only; Node reports nothing on the server side) and the peer certificate's key size.
 */
export function checkNegotiated(socket: NegotiatedSession, o: CheckNegotiatedOptions = {}): NegotiationVerdict {
  const allowTls13 = o.allowTls13 ?? true;
  const protocol = socket.getProtocol() ?? 'none';
  if (!(protocol === 'TLSv1.2' || (allowTls13 && protocol === 'TLSv1.3'))) {
    return { ok: false, reason: 'protocol', message: `protocol ${protocol} is outside the profile` };
  }
  const cipher = socket.getCipher()?.name ?? 'none';
  const suites: readonly { openssl: string }[] = protocol === 'TLSv1.3' ? tls13CipherSuites : tls12CipherSuites;
  if (!suites.some((s) => s.openssl === cipher)) {
    return { ok: false, reason: 'cipher', message: `cipher suite ${cipher} is outside the profile` };
  }
  const eph = socket.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
  if (eph && eph.type === 'DH' && (eph.size ?? 0) < minimumDhBits) {
    return { ok: false, reason: 'ephemeral_key', message: `DH group of ${eph.size ?? 0} bits (minimum ${minimumDhBits})` };
  }
  if (eph && eph.type === 'ECDH' && !(ephemeralCurveNames.has(eph.name ?? '') && (eph.size ?? 0) >= minimumEcdhBits)) {
    return { ok: false, reason: 'ephemeral_key', message: `ECDH curve ${eph.name ?? '?'} (${eph.size ?? 0} bits) is outside the profile` };
  }
  const peer = socket.getPeerX509Certificate();
  if (!peer) {
    if (o.requirePeerCertificate) return { ok: false, reason: 'no_peer_certificate', message: 'the peer presented no certificate' };
  } else {
    const s = keyStrength(peer.publicKey);
    if (!isStrongKey(s)) return { ok: false, reason: 'peer_key', message: `peer certificate key is too small (${describeKey(s)})` };
  }
  return { ok: true, protocol, cipher };
}

/**
 * Runs checkNegotiated; outside the profile, destroys the socket (§A2: the client must drop the connection)
 * and returns the reason as an error for the caller to log or record. The socket emits 'close', not 'error'.
 */
export function dropIfOutsideProfile(socket: TLSSocket, o: CheckNegotiatedOptions = {}): RelaisError | undefined {
  const v = checkNegotiated(socket, o);
  if (v.ok) return undefined;
  socket.destroy();
  return new RelaisError('RLS_PKI_TLS_PROFILE', v.message, { reason: v.reason });
}
