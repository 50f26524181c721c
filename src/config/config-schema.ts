/**
 * The configuration schema: every key, its type, default and the fix to suggest when it is wrong.
 * One table drives the file reader, the RELAIS_* environment overrides and `docs/configuration.md`.
 */
import { logLevels, mssMatrixProfileNames } from './config-types.js';

export type Rule =
  | { type: 'string'; default: string; fix: string; pattern?: RegExp; allowEmpty?: boolean; required?: boolean }
  | { type: 'int'; default: number; fix: string; min: number; max: number }
  | { type: 'bool'; default: boolean; fix: string }
  | { type: 'enum'; default: string; fix: string; values: readonly string[] }
  | { type: 'list'; default: readonly string[]; fix: string; item?: RegExp }
  | { type: 'object'; fields: Schema }
  | { type: 'array'; item: Schema; default: readonly Record<string, unknown>[]; fix: string };

export type Schema = { readonly [key: string]: Rule };

const MiB = 1024 * 1024;
const finess = /^\d{9}$/;

const tls: Schema = {
  enabled: { type: 'bool', default: false, fix: 'use true or false' },
  certFile: { type: 'string', default: '', allowEmpty: true, fix: 'give the path of a PEM certificate chain' },
  keyFile: { type: 'string', default: '', allowEmpty: true, fix: 'give the path of the PEM private key' },
  caFile: { type: 'string', default: '', allowEmpty: true, fix: 'give the path of the PEM trust anchors for client certificates' },
  requireClientCert: { type: 'bool', default: false, fix: 'use true to require a client certificate signed by caFile' },
};

export const listenerSchema: Schema = {
  name: { type: 'string', default: 'dpi', fix: 'give a short name such as "dpi"' },
  host: { type: 'string', default: '127.0.0.1', fix: 'give an IP address to listen on, e.g. 0.0.0.0 or 127.0.0.1' },
  port: { type: 'int', default: 2575, min: 0, max: 65535, fix: 'give a TCP port between 1 and 65535 (0 picks a free one)' },
  tls: { type: 'object', fields: tls },
  allowedPeers: {
    type: 'list', default: [], item: /^[0-9a-fA-F:.]+(\/\d{1,3})?$/,
    fix: 'list IP addresses or CIDR ranges, e.g. [10.1.2.3, 10.1.0.0/16]; leave empty to allow any peer',
  },
  maxFrameBytes: { type: 'int', default: 16 * MiB, min: 64 * 1024, max: 512 * MiB, fix: 'give a size in bytes, at least 65536 (default 16 MiB)' },
  idleTimeoutSeconds: { type: 'int', default: 600, min: 0, max: 86_400, fix: 'give seconds (0 = never close idle connections)' },
  maxConnections: { type: 'int', default: 64, min: 1, max: 10_000, fix: 'give the maximum number of simultaneous DPI connections' },
};

const hostPort = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$|^$/;
const mailAddress = /^[^\s@<>()",;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
const imapFolder = /^[^\r\n*%"\\]{1,100}$/;

/** One MSSanté application mailbox (BAL APP): per-mailbox endpoints, as operators differ (digest §A2). */
export const mailboxSchema: Schema = {
  address: { type: 'string', default: '', required: true, pattern: mailAddress, fix: 'give the mailbox address, e.g. relais@etablissement.mssante.fr' },
  label: {
    type: 'string', default: 'Messagerie applicative', pattern: /^[^\r\n<>"]{1,120}$/,
    fix: 'give the display name of the mailbox (the service it speaks for), without < > " or line breaks',
  },
  password: {
    type: 'string', default: '', allowEmpty: true,
    fix: 'give the SASL PLAIN password of the mailbox (operators of application mailboxes authenticate by certificate and may accept any value)',
  },
  smtp: { type: 'string', default: '', allowEmpty: true, pattern: hostPort, fix: 'give host:port of the operator SMTP submission service (usually port 587), or leave empty: this mailbox sends nothing' },
  imap: { type: 'string', default: '', allowEmpty: true, pattern: hostPort, fix: 'give host:port of the operator IMAP service (usually port 143), or leave empty: this mailbox is not read' },
  tlsMode: { type: 'enum', values: ['starttls', 'implicit'], default: 'starttls', fix: 'choose starttls (ports 587/143, as the MSSanté texts ask) or implicit (ports 465/993)' },
  pollSeconds: { type: 'int', default: 60, min: 5, max: 3600, fix: 'give how often the mailbox is read when IDLE is not available, in seconds' },
  processedFolder: { type: 'string', default: 'Traites', pattern: imapFolder, fix: 'give the IMAP folder for handled mails' },
  errorFolder: { type: 'string', default: 'Erreurs', pattern: imapFolder, fix: 'give the IMAP folder for mails that could not be handled' },
  otherFolder: { type: 'string', default: 'Autres', pattern: imapFolder, fix: 'give the IMAP folder for mails that carry no IHE_XDM archive (for a human to read)' },
};

/** What is known of a correspondent's mailbox (PRT SB / RCT of the volet B MDM, PRT-5/8/10). */
export const directoryEntrySchema: Schema = {
  address: { type: 'string', default: '', required: true, pattern: mailAddress, fix: 'give the correspondent mailbox address' },
  personId: { type: 'string', default: '', allowEmpty: true, pattern: /^[A-Za-z0-9]{0,20}$/, fix: 'give the professional id (e.g. 8 + RPPS)' },
  personIdType: { type: 'enum', values: ['IDNPS', 'RPPS', 'ADELI'], default: 'IDNPS', fix: 'choose IDNPS, RPPS or ADELI' },
  family: { type: 'string', default: '', allowEmpty: true, pattern: /^[^|^~\\&\r\n]{0,80}$/, fix: 'give the family name, without HL7 delimiters' },
  given: { type: 'string', default: '', allowEmpty: true, pattern: /^[^|^~\\&\r\n]{0,80}$/, fix: 'give the given name, without HL7 delimiters' },
  organizationId: { type: 'string', default: '', allowEmpty: true, pattern: /^[A-Za-z0-9]{0,20}$/, fix: 'give the organisation id (FINESS)' },
  organizationIdType: { type: 'enum', values: ['FINEG', 'FINEJ', 'IDNST'], default: 'FINEG', fix: 'choose FINEG, FINEJ or IDNST' },
  organizationName: { type: 'string', default: '', allowEmpty: true, pattern: /^[^|^~\\&\r\n]{0,120}$/, fix: 'give the organisation name, without HL7 delimiters' },
};

/** The care unit a receiving application mailbox routes to (PRT RCT-8 of the volet B MDM). */
export const careUnitSchema: Schema = {
  mailbox: { type: 'string', default: '', required: true, pattern: mailAddress, fix: 'give the receiving mailbox address' },
  name: { type: 'string', default: '', required: true, pattern: /^[^|^~\\&\r\n]{1,120}$/, fix: 'give the unit name, without HL7 delimiters' },
  id: { type: 'string', default: '', required: true, pattern: /^[A-Za-z0-9._-]{1,20}$/, fix: 'give the unit code in the establishment' },
  type: { type: 'string', default: 'UF', pattern: /^[A-Z]{1,10}$/, fix: 'give the unit type, e.g. UF, SVR, POLE' },
  authority: { type: 'string', default: '', allowEmpty: true, pattern: /^\d{9}$|^$/, fix: 'give the FINESS the unit code belongs to' },
};

export const configSchema: Schema = {
  establishment: {
    type: 'object',
    fields: {
      finessGeographique: { type: 'string', default: '000000000', pattern: finess, fix: 'give the 9-digit FINESS géographique of the site' },
      finessJuridique: { type: 'string', default: '000000000', pattern: finess, fix: 'give the 9-digit FINESS juridique of the legal entity' },
      name: { type: 'string', default: 'Établissement de démonstration', fix: 'give the establishment name' },
      applicationName: { type: 'string', default: 'RELAIS', pattern: /^[^|^~\\&]{1,40}$/, fix: 'give an application name without HL7 delimiters (| ^ ~ \\ &)' },
    },
  },
  store: {
    type: 'object',
    fields: {
      databaseUrl: { type: 'string', default: '', allowEmpty: true, pattern: /^(postgres(ql)?:\/\/.+)?$/, fix: 'give a postgres:// URL, or leave empty for the embedded store' },
      schema: { type: 'string', default: 'public', pattern: /^[a-z_][a-z0-9_]{0,62}$/, fix: 'give a PostgreSQL schema name in lower case (letters, digits, _)' },
      dataDir: { type: 'string', default: './data', fix: 'give a writable directory for the embedded store' },
      poolSize: { type: 'int', default: 10, min: 1, max: 200, fix: 'give the PostgreSQL connection pool size (1–200)' },
    },
  },
  mllp: {
    type: 'object',
    fields: {
      listeners: { type: 'array', item: listenerSchema, default: [{}], fix: 'give a list of listeners, each with at least a port' },
    },
  },
  intake: {
    type: 'object',
    fields: {
      mssMatrixProfile: { type: 'enum', values: mssMatrixProfileNames, default: 'lenient', fix: 'choose 2.1.2, 2.1.3 or lenient (see docs/decisions.md)' },
      qualifiedIdentityCodes: { type: 'list', default: ['QUAL', 'VALI'], item: /^[A-Z]{2,10}$/, fix: 'list PID-32 codes such as [QUAL, VALI]' },
      maxDocumentBytes: { type: 'int', default: 20 * MiB, min: 1024, max: 512 * MiB, fix: 'give the largest decoded CDA size in bytes' },
      cdaCheck: { type: 'enum', values: ['full', 'header'], default: 'full', fix: 'choose full (parse the whole CDA before the ACK) or header (parse its header only; faster)' },
      historicalAfterDays: { type: 'int', default: 90, min: 1, max: 3650, fix: 'give a number of days' },
    },
  },
  dmp: {
    type: 'object',
    fields: {
      url: {
        type: 'string', default: '', allowEmpty: true, pattern: /^(https:\/\/.+)?$/,
        fix: 'give the https:// base URL of the DMP web services (…/si-dmp-server/v2/services), or leave empty: DMP orders then wait in the store',
      },
      pkiDir: {
        type: 'string', default: './pki', fix: 'give the directory holding auth-cli.pem/.key, sign.pem/.key and root-ca.pem (as written by relais pki test-init)',
      },
      secteurActivite: {
        type: 'string', default: 'SA01^1.2.250.1.71.4.2.4', pattern: /^SA\d{2}\^1\.2\.250\.1\.71\.4\.2\.4$/,
        fix: 'give a VIHF Secteur_Activite code of TRE_R02, e.g. SA01^1.2.250.1.71.4.2.4',
      },
      vihfVersion: { type: 'enum', values: ['3.0', '4.0'], default: '3.0', fix: 'choose 3.0 or 4.0 (VIHF_Version)' },
      lpsName: { type: 'string', default: 'RELAIS', fix: 'give the software name declared to the DMP (LPS_Nom)' },
      lpsHomologation: { type: 'string', default: '', allowEmpty: true, fix: 'give the DMP homologation number of this software (LPS_ID_HOMOLOGATION_DMP)' },
      sourceOid: {
        type: 'string', default: '1.2.250.1.999.1.1', pattern: /^[0-2](\.(0|[1-9]\d*))+$/,
        fix: 'give the OID of this PFI instance (XDSSubmissionSet.sourceId), e.g. 1.2.250.1.999.1.1',
      },
      timeoutSeconds: { type: 'int', default: 120, min: 5, max: 3600, fix: 'give the time limit of one DMP request in seconds' },
      retryBaseSeconds: {
        type: 'int', default: 5, min: 1, max: 3600, fix: 'give the first wait in seconds before a DMP order is sent again after a transient failure (it then doubles)',
      },
      retryMaxSeconds: { type: 'int', default: 300, min: 1, max: 86400, fix: 'give the longest wait in seconds between two tries of a DMP order or two probes of the DMP' },
    },
  },
  dpi: {
    type: 'object',
    fields: {
      endpoint: {
        type: 'string', default: '', allowEmpty: true, pattern: /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$|^$/,
        fix: 'give host:port of the DPI MLLP listener that receives the ZAM business acks, or leave empty: they then wait in the store',
      },
      ackTimeoutSeconds: { type: 'int', default: 30, min: 1, max: 600, fix: 'give how many seconds to wait for the DPI ACK of one ZAM' },
      maxAttempts: { type: 'int', default: 20, min: 1, max: 1000, fix: 'give how many tries a ZAM gets before it is given up (dead)' },
      application: {
        type: 'string', default: 'DPI', pattern: /^[^|^~\\&\r\n]{1,180}$/,
        fix: 'give the DPI application name Relais puts in MSH-5 of the documents it sends to the DPI (inbound MSSanté mails), without HL7 delimiters',
      },
      facility: {
        type: 'string', default: '', allowEmpty: true, pattern: /^[^|^~\\&\r\n]{0,180}$/,
        fix: 'give the DPI facility for MSH-6 of those messages, without HL7 delimiters (empty: the FINESS géographique)',
      },
    },
  },
  mss: {
    type: 'object',
    fields: {
      pkiDir: {
        type: 'string', default: './pki', fix: 'give the directory holding auth-cli.pem/.key (ORG AUTH_CLI) and root-ca.pem/org-ca.pem (as written by relais pki test-init)',
      },
      caFile: {
        type: 'string', default: '', allowEmpty: true,
        fix: 'give the PEM file of the IGC Santé chain the operator servers must present, or leave empty for root-ca.pem + org-ca.pem of pkiDir',
      },
      tls13: { type: 'bool', default: true, fix: 'use false to restrict the MSSanté connections to TLS 1.2 and its six suites' },
      productReference: {
        type: 'string', default: 'RELAIS-DEV', pattern: /^[A-Za-z0-9._-]{1,40}$/,
        fix: 'give the product reference Convergence gave this software (X-MSS-NIL), e.g. DEV935997',
      },
      replyTo: { type: 'string', default: '', allowEmpty: true, pattern: mailAddress, fix: 'give the mailbox a human reads (Reply-To when the DPI gives no PRT REPLY), e.g. secretariat@etablissement.mssante.fr' },
      maxMailBytes: { type: 'int', default: 20 * MiB, min: 64 * 1024, max: 100 * MiB, fix: 'give the largest mail size in bytes, encoded (MES refuses more than 25 MB)' },
      maxInboundMailBytes: {
        type: 'int', default: 50 * MiB, min: 64 * 1024, max: 200 * MiB,
        fix: 'give the largest mail read from a mailbox, in bytes; a larger one is not read and goes to the error folder',
      },
      connections: { type: 'int', default: 2, min: 1, max: 20, fix: 'give the number of pooled SMTP connections (1–20)' },
      pdfRenderThreads: {
        type: 'int', default: 0, min: 0, max: 16,
        fix: 'give the threads drawing the PDF copies of N3 documents (0 = one per spare core, at most 2)',
      },
      timeoutSeconds: { type: 'int', default: 60, min: 5, max: 600, fix: 'give the time limit of one SMTP or IMAP exchange in seconds' },
      traceRetentionDays: { type: 'int', default: 183, min: 30, max: 3650, fix: 'give how many days SMTP and IMAP traces are kept (6 months by default)' },
      errorMailbox: {
        type: 'string', default: '', allowEmpty: true, pattern: mailAddress,
        fix: 'give the mailbox that receives the error mails of inbound documents, or leave empty: they go to the sender',
      },
      mdnPolicy: {
        type: 'enum', values: ['always', 'return-path'], default: 'always',
        fix: 'choose always (answer every Disposition-Notification-To) or return-path (only when it equals Return-Path, RFC 8098 §2.1)',
      },
      crlLocations: {
        type: 'list', default: [], item: /^(https?:\/\/\S+|\/\S+)$/,
        fix: 'list one CRL per CA of the operator chain, as http(s) URLs or absolute file paths; leave empty to skip revocation checks (warned at start)',
      },
      requireCrl: { type: 'bool', default: false, fix: 'use true to refuse to start without crlLocations' },
      mailboxes: { type: 'array', item: mailboxSchema, default: [], fix: 'give a list of application mailboxes, each with at least an address' },
      directory: { type: 'array', item: directoryEntrySchema, default: [], fix: 'give a list of known correspondents, each with at least an address' },
      careUnits: { type: 'array', item: careUnitSchema, default: [], fix: 'give a list of { mailbox, name, id, type } routing receiving mailboxes to care units' },
    },
  },
  security: {
    type: 'object',
    fields: {
      password: {
        type: 'object',
        fields: {
          minLength: { type: 'int', default: 15, min: 8, max: 128, fix: 'give the minimum password length in characters (default 15, IAM.92)' },
          requireLower: { type: 'bool', default: true, fix: 'use true to require a lower-case letter' },
          requireUpper: { type: 'bool', default: true, fix: 'use true to require an upper-case letter' },
          requireDigit: { type: 'bool', default: true, fix: 'use true to require a digit' },
          requireSpecial: { type: 'bool', default: true, fix: 'use true to require a character that is neither a letter nor a digit' },
          maxAgeDays: { type: 'int', default: 365, min: 0, max: 3650, fix: 'give the days after which a password must be changed (0 = never)' },
          historyDepth: { type: 'int', default: 24, min: 1, max: 100, fix: 'give how many previous passwords may not be reused (the current one included)' },
          lockAfter: { type: 'int', default: 5, min: 1, max: 10, fix: 'give the consecutive failures that lock an account, at most 10 (IAM.92)' },
        },
      },
      hashing: {
        type: 'object',
        fields: {
          memoryKibibytes: { type: 'int', default: 19_456, min: 19_456, max: 4 * 1024 * 1024, fix: 'give the argon2id memory in KiB, at least 19456 (OWASP)' },
          timeCost: { type: 'int', default: 2, min: 2, max: 20, fix: 'give the argon2id passes, at least 2 (OWASP)' },
          parallelism: { type: 'int', default: 1, min: 1, max: 16, fix: 'give the argon2id lanes (OWASP: 1)' },
        },
      },
      sessions: {
        type: 'object',
        fields: {
          idleMinutes: { type: 'int', default: 15, min: 1, max: 1440, fix: 'give the minutes of inactivity after which a console session ends (IE.39)' },
          absoluteHours: { type: 'int', default: 12, min: 1, max: 168, fix: 'give the hours after which a console session ends whatever the activity' },
        },
      },
      totp: {
        type: 'object',
        fields: {
          requiredRoles: {
            type: 'list', default: ['admin'], item: /^(admin|operator|auditor)$/,
            fix: 'list the roles that must give a TOTP code at login, among admin, operator, auditor',
          },
          issuer: { type: 'string', default: 'Relais', pattern: /^[^:]{1,64}$/, fix: 'give the name authenticator apps show (no ":")' },
        },
      },
    },
  },
  console: {
    type: 'object',
    fields: {
      enabled: { type: 'bool', default: false, fix: 'use true to serve the operations console with `relais start` (`--console-port` also turns it on)' },
      host: { type: 'string', default: '127.0.0.1', pattern: /^[0-9A-Fa-f:.]+$|^localhost$/, fix: 'give the IP address the console listens on (loopback by default: put a TLS reverse proxy in front)' },
      port: { type: 'int', default: 8080, min: 0, max: 65535, fix: 'give the TCP port of the console (0 picks a free one)' },
      secure: { type: 'bool', default: false, fix: 'use true when the console is reached over HTTPS (through a proxy): Secure cookies and HSTS' },
      publicUrl: {
        type: 'string', default: '', allowEmpty: true, pattern: /^https?:\/\/[^\s/?#]+$|^$/,
        fix: 'give the address browsers use to reach the console, scheme and host only, e.g. https://relais.chu-exemple.fr (needed for OpenID Connect)',
      },
      oidc: {
        type: 'object',
        fields: {
          issuer: {
            type: 'string', default: '', allowEmpty: true, pattern: /^https:\/\/[^\s?#]+$|^$/,
            fix: 'give the https issuer URL of the identity provider (its /.well-known/openid-configuration is read), or leave empty: no login by identity provider',
          },
          label: { type: 'string', default: 'Pro Santé Connect', pattern: /^[^<>\r\n]{1,60}$/, fix: 'give the name shown on the login button, e.g. Pro Santé Connect' },
          clientId: { type: 'string', default: '', allowEmpty: true, pattern: /^[\x21-\x7e]{0,255}$/, fix: 'give the client id the identity provider registered for this console' },
          clientSecret: {
            type: 'string', default: '', allowEmpty: true,
            fix: 'give the client secret (better in RELAIS_CONSOLE__OIDC__CLIENT_SECRET than in the file); empty with tls_client_auth',
          },
          clientAuth: {
            type: 'enum', values: ['client_secret_basic', 'client_secret_post', 'tls_client_auth'], default: 'client_secret_basic',
            fix: 'choose client_secret_basic, client_secret_post, or tls_client_auth (client certificate, as Pro Santé Connect asks)',
          },
          clientCertFile: { type: 'string', default: '', allowEmpty: true, fix: 'give the PEM certificate chain presented to the provider (tls_client_auth and certificate-bound tokens)' },
          clientKeyFile: { type: 'string', default: '', allowEmpty: true, fix: 'give the PEM private key of clientCertFile' },
          caFile: { type: 'string', default: '', allowEmpty: true, fix: 'give PEM trust anchors for the provider\'s TLS certificate when it is not signed by a public CA' },
          scopes: {
            type: 'list', default: ['openid'], item: /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/,
            fix: 'list the scopes to ask for, openid first (Pro Santé Connect: [openid, scope_all])',
          },
          acrValues: {
            type: 'list', default: [], item: /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/,
            fix: 'list the authentication levels to ask for (Pro Santé Connect: [eidas1]); a login whose ID token carries another acr does not count as strong',
          },
          identityClaim: {
            type: 'string', default: 'preferred_username', pattern: /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/,
            fix: 'give the claim that names the person, matched against the identity linked to each account (Pro Santé Connect: preferred_username, the national id)',
          },
          userinfo: { type: 'bool', default: false, fix: 'use true to read the identity claim from the userinfo endpoint when the ID token lacks it' },
        },
      },
    },
  },
  log: {
    type: 'object',
    fields: {
      level: { type: 'enum', values: logLevels, default: 'info', fix: `choose one of ${logLevels.join(', ')}` },
    },
  },
};
