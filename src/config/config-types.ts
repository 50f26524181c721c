import type { SecuritySettings } from '../domain/index.js';

/** The typed configuration of Relais, after validation. Frozen; each component receives its slice. */
export interface RelaisConfig {
  readonly establishment: EstablishmentConfig;
  readonly store: StoreConfig;
  readonly mllp: MllpConfig;
  readonly intake: IntakeConfig;
  readonly dmp: DmpConfig;
  readonly dpi: DpiConfig;
  readonly mss: MssConfig;
  readonly security: SecurityConfig;
  readonly console: ConsoleConfig;
  readonly log: LogConfig;
}

/** The operations console and how people sign in to it (besides local accounts). */
export interface ConsoleConfig {
  /** Served by `relais start` (the `--console-port` option also turns it on). */
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  /** Reached over HTTPS (through a proxy): Secure cookies and HSTS. */
  readonly secure: boolean;
  /** What browsers type to reach the console (scheme and host): the OpenID Connect redirect is built on it. */
  readonly publicUrl: string;
  readonly oidc: OidcConfig;
}

/** Login by the establishment's identity provider (Pro Santé Connect or its own), Authorization Code + PKCE. */
export interface OidcConfig {
  /** Empty: no login by identity provider. */
  readonly issuer: string;
  readonly label: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientAuth: 'client_secret_basic' | 'client_secret_post' | 'tls_client_auth';
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  readonly caFile: string;
  readonly scopes: readonly string[];
  readonly acrValues: readonly string[];
  readonly identityClaim: string;
  readonly userinfo: boolean;
}

export interface EstablishmentConfig {
  /** FINESS géographique (9 digits): statistics and the VIHF. */
  readonly finessGeographique: string;
  /** FINESS juridique (9 digits). */
  readonly finessJuridique: string;
  readonly name: string;
  /** Our application name in MSH-3 of what we originate; ACKs mirror the request's MSH-5 instead. */
  readonly applicationName: string;
}

export interface StoreConfig {
  /** PostgreSQL connection string; when empty, the embedded PGlite store in `dataDir` is used. */
  readonly databaseUrl: string;
  /** PostgreSQL schema holding Relais's tables (several instances may share one database). */
  readonly schema: string;
  readonly dataDir: string;
  readonly poolSize: number;
}

export interface TlsFiles {
  readonly enabled: boolean;
  readonly certFile: string;
  readonly keyFile: string;
  /** Trust anchors for client certificates (PEM). */
  readonly caFile: string;
  readonly requireClientCert: boolean;
}

export interface MllpListenerConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: TlsFiles;
  /** IP addresses or CIDR ranges allowed to connect; empty = any. */
  readonly allowedPeers: readonly string[];
  readonly maxFrameBytes: number;
  readonly idleTimeoutSeconds: number;
  readonly maxConnections: number;
}

export interface MllpConfig {
  readonly listeners: readonly MllpListenerConfig[];
}

export const mssMatrixProfileNames = ['2.1.2', '2.1.3', 'lenient'] as const;
export type MssMatrixProfileName = (typeof mssMatrixProfileNames)[number];

export interface IntakeConfig {
  readonly mssMatrixProfile: MssMatrixProfileName;
  /** PID-32 codes that count as a qualified identity (volet A §7 C9). */
  readonly qualifiedIdentityCodes: readonly string[];
  readonly maxDocumentBytes: number;
  /** How much of each CDA is parsed before the ACK (the body is always checked before sending). */
  readonly cdaCheck: 'full' | 'header';
  /** Documents whose effective time is older than this many days count as historical (statistics). */
  readonly historicalAfterDays: number;
}

export interface DmpConfig {
  /** Base URL of the DMP web services; empty = no DMP publication (DMP orders stay pending). */
  readonly url: string;
  /** auth-cli.pem/.key (mutual TLS), sign.pem/.key (VIHF, XAdES), root-ca.pem[, org-ca.pem] (trust). */
  readonly pkiDir: string;
  /** VIHF Secteur_Activite (TRE_R02). */
  readonly secteurActivite: string;
  readonly vihfVersion: string;
  readonly lpsName: string;
  readonly lpsHomologation: string;
  /** OID of this PFI instance (XDSSubmissionSet.sourceId). */
  readonly sourceOid: string;
  readonly timeoutSeconds: number;
  /** Back-off of DMP orders and DMP probes after a transient failure: first wait, then doubling up to the max. */
  readonly retryBaseSeconds: number;
  readonly retryMaxSeconds: number;
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export interface LogConfig {
  readonly level: (typeof logLevels)[number];
}

export interface DpiConfig {
  /** host:port of the DPI MLLP listener for the ZAM business acks (volet A §2.8); empty = they wait in the store. */
  readonly endpoint: string;
  /** How long to wait for the DPI ACK of one ZAM. */
  readonly ackTimeoutSeconds: number;
  /** Tries before a ZAM is dead. */
  readonly maxAttempts: number;
  /** MSH-5 of the messages Relais starts towards the DPI (volet B MDM of inbound mails). */
  readonly application: string;
  /** MSH-6 of those messages; empty = the FINESS géographique. */
  readonly facility: string;
}

/** One MSSanté application mailbox (BAL APP). */
export interface MailboxConfig {
  readonly address: string;
  /** Display name in From (the service the mailbox speaks for). */
  readonly label: string;
  /** SASL PLAIN password (the login is the address; digest §A3). */
  readonly password: string;
  /** host:port of the SMTP submission service; empty = this mailbox sends nothing. */
  readonly smtp: string;
  /** host:port of the IMAP service; empty = this mailbox is not read. */
  readonly imap: string;
  readonly tlsMode: 'starttls' | 'implicit';
  readonly pollSeconds: number;
  readonly processedFolder: string;
  readonly errorFolder: string;
  /** Mails with no IHE_XDM archive, set aside for a human. */
  readonly otherFolder: string;
}

export interface MssConfig {
  /** auth-cli.pem/.key (ORG AUTH_CLI) and, unless caFile is set, root-ca.pem + org-ca.pem. */
  readonly pkiDir: string;
  /** The chain operator servers must present (SC.MSS/CONF.27); empty = pkiDir's root-ca.pem + org-ca.pem. */
  readonly caFile: string;
  readonly tls13: boolean;
  /** X-MSS-NIL on every mail. */
  readonly productReference: string;
  /** Reply-To when the DPI gives no PRT REPLY. */
  readonly replyTo: string;
  readonly maxMailBytes: number;
  /** Largest mail read from a mailbox; a larger one is filed in the error folder unread. */
  readonly maxInboundMailBytes: number;
  /** Pooled SMTP connections. */
  readonly connections: number;
  /** Threads drawing the PDF copies of N3 documents; 0 = automatic (one per spare core, at most 2). */
  readonly pdfRenderThreads: number;
  readonly timeoutSeconds: number;
  readonly traceRetentionDays: number;
  /** Receives the error mails of inbound documents (volet B); empty = the sender. */
  readonly errorMailbox: string;
  /** RFC 8098 §2.1 loop rule for automatic MDNs. */
  readonly mdnPolicy: 'always' | 'return-path';
  /** One CRL per CA of the operator chain (URL or file), kept valid (CONF.22). */
  readonly crlLocations: readonly string[];
  readonly requireCrl: boolean;
  /** The first one with an SMTP endpoint sends; every one with an IMAP endpoint is read. */
  readonly mailboxes: readonly MailboxConfig[];
  /** Known correspondents (PRT SB / RCT of inbound documents). */
  readonly directory: readonly DirectoryEntryConfig[];
  /** Receiving mailbox → care unit (PRT RCT-8 of inbound documents). */
  readonly careUnits: readonly CareUnitConfig[];
}

/** Local accounts of the console (SC.SSI/IAM.92, IE.39): the shape the security layer takes (it checks the same bounds). */
export type SecurityConfig = SecuritySettings;

export interface DirectoryEntryConfig {
  readonly address: string;
  readonly personId: string;
  readonly personIdType: 'IDNPS' | 'RPPS' | 'ADELI';
  readonly family: string;
  readonly given: string;
  readonly organizationId: string;
  readonly organizationIdType: 'FINEG' | 'FINEJ' | 'IDNST';
  readonly organizationName: string;
}

export interface CareUnitConfig {
  readonly mailbox: string;
  readonly name: string;
  readonly id: string;
  readonly type: string;
  readonly authority: string;
}
