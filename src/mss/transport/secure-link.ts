/**
 * What the SMTP and IMAP links share: the operator's endpoint, the application mailbox (BAL APP), our ORG
 * AUTH_CLI credentials, the operator's trust chain (IGC Santé Élémentaire Organisations only, CONF.27), the CRLs
 * and the TLS options of the ANSSI/MSSanté profile built from them for each new connection.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { RelaisError } from '../../domain/index.js';
import { createTrustStore, tlsClientOptions, TrustStore } from '../../pki/index.js';
import type { CrlSource, Credentials } from '../../pki/index.js';

export type TlsMode = 'starttls' | 'implicit';

export interface BalAccount {
  /** The application mailbox address: the SASL PLAIN login (digest §A3). */
  address: string;
  /** Digest §G1: not fixed by any public text; a configured value per BAL. */
  password: string;
}

export interface MssLinkOptions {
  host: string;
  port: number;
  /** STARTTLS (the requirement, CONF.05/06) or implicit TLS for an operator that only offers 465/993. */
  tlsMode: TlsMode;
  bal: BalAccount;
  /** ORG AUTH_CLI, presented in the handshake. */
  credentials: Credentials;
  /** The operator's server chain: a PEM bundle or a trust store. Nothing else is trusted. */
  trust: string | TrustStore;
  /** CRLs for every CA of the chain; without it revocation is not checked (see requireCrl). */
  crl?: CrlSource;
  /** Refuse to run without a CRL source (default false: allowed, with a warning at creation). */
  requireCrl?: boolean;
  /** CONF.02: TLS 1.3 allowed (default true); false keeps TLS 1.2 and the six suites. */
  allowTls13?: boolean;
  /** SNI and the name checked in the server certificate; default host. */
  servername?: string;
  /** The person behind an operation, for the trace author; the BAL alone otherwise. */
  person?: string;
}

export function trustStoreOf(o: Pick<MssLinkOptions, 'trust' | 'host'>): TrustStore {
  return o.trust instanceof TrustStore ? o.trust : createTrustStore(`mss:${o.host}`, o.trust);
}

export function checkLinkOptions(o: MssLinkOptions): void {
  if (!o.bal.address.includes('@')) throw new RelaisError('RLS_CONFIG_INVALID', 'the application mailbox address is not a mail address', { setting: 'bal.address' });
  if (o.requireCrl && !o.crl) throw new RelaisError('RLS_CONFIG_INVALID', 'requireCrl is set but no CRL source is configured', { setting: 'crl' });
}

/** Refused before any connection: an expired ORG AUTH_CLI would only fail in the handshake (or worse, not). */
export function assertClientCertificateValid(credentials: Credentials, now = new Date()): void {
  const notBefore = new Date(credentials.certificate.validFrom);
  if (now > credentials.notAfter || now < notBefore) {
    throw new RelaisError('RLS_PKI_EXPIRED', `the ORG AUTH_CLI certificate is ${now > credentials.notAfter ? `expired since ${credentials.notAfter.toISOString()}` : `not valid before ${notBefore.toISOString()}`}`,
      { reason: 'client_certificate_expired', serial: credentials.certificate.serialNumber, notAfter: credentials.notAfter.toISOString() });
  }
}

/** The tls options of one new connection, CRLs included (fetched or refreshed now when due). */
export async function linkTlsOptions(o: MssLinkOptions, trust: TrustStore): Promise<ConnectionOptions> {
  assertClientCertificateValid(o.credentials);
  const crl = o.crl ? await o.crl.crlPem() : undefined;
  // RFC 6066 forbids an IP address as SNI; the certificate is then checked against `host` (its IP SAN).
  const servername = o.servername ?? (isIP(o.host) ? undefined : o.host);
  return {
    ...tlsClientOptions({ credentials: o.credentials, trustStore: trust, ...(servername ? { servername } : {}), ...(o.allowTls13 === undefined ? {} : { allowTls13: o.allowTls13 }) }),
    host: o.host,
    ...(crl ? { crl } : {}),
  };
}
