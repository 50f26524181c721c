import type { Logger } from './logger.js';

/** TLS settings for both ends. TLS 1.2 is the floor (ANSSI). On a server, `requestCert` with
 *  `rejectUnauthorized` (default true when requestCert is set) requires a client certificate issued by `ca`. */
export interface MllpTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer | (string | Buffer)[];
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
  /** Client only: SNI and the name checked in the server certificate (default: host, when not an IP). */
  servername?: string;
}

/** Client TLS: the client certificate is optional (key/cert may be left out). */
export type MllpClientTlsOptions = Omit<MllpTlsOptions, 'key' | 'cert'> & { key?: string | Buffer; cert?: string | Buffer };

export interface MllpConnectionInfo {
  id: string;
  remoteAddress: string;
  remotePort: number;
  tls: boolean;
  /** 'CN=…, O=…' of the verified client certificate, when one was presented. */
  peerCertificateSubject?: string;
}

export type MllpHandler = (payload: Buffer, conn: MllpConnectionInfo) => Promise<Buffer | string>;
export type MllpOversizeHandler = (head: Buffer, size: number, conn: MllpConnectionInfo) => Promise<Buffer | string | null>;

export interface MllpServerOptions {
  host?: string;
  port: number;
  tls?: MllpTlsOptions;
  maxFrameBytes: number;
  /** Close connections idle this long (default 10 min). */
  idleTimeoutMs?: number;
  /** IPv4/IPv6 addresses and CIDR blocks; other peers are closed at connect (logged). */
  allowedPeers?: string[];
  maxConnections?: number;
  /** Called sequentially per connection (original mode: one at a time, order kept). */
  onMessage: MllpHandler;
  /** Reply to an oversized frame (e.g. an AE built from its head), or null to close the connection.
   *  Without it, an oversized frame closes the connection. */
  onOversize?: MllpOversizeHandler;
  log?: Logger;
}

export interface MllpClientOptions {
  host: string;
  port: number;
  tls?: MllpClientTlsOptions;
  connectTimeoutMs?: number; // default 10 s
  ackTimeoutMs?: number;     // default 30 s
  maxFrameBytes?: number;    // largest reply accepted, default 4 MiB
  log?: Logger;
}
