/**
 * The one catalogue of Relais error codes. Each code has a kind that tells every edge how to react
 * (HL7: AE or AR; SMTP/SOAP: dead or retry). Codes are listed in docs/errors.md (a test ties both);
 * a retired code is never reused.
 */
export const errorKinds = ['input', 'peer_transient', 'peer_permanent', 'config', 'bug'] as const;
export type ErrorKind = (typeof errorKinds)[number];

export const errorCatalogue = {
  // HL7 v2 / MLLP transport and syntax
  RLS_MLLP_FRAME_TOO_LARGE: { kind: 'input', text: 'MLLP frame exceeds the configured maximum size' },
  RLS_MLLP_BAD_FRAMING: { kind: 'input', text: 'bytes outside an MLLP frame (expected 0x0B … 0x1C 0x0D)' },
  RLS_MLLP_ACK_TIMEOUT: { kind: 'peer_transient', text: 'no acknowledgement received within the time limit' },
  RLS_MLLP_CONNECTION: { kind: 'peer_transient', text: 'MLLP connection failed or closed' },
  RLS_HL7_NO_MSH: { kind: 'input', text: 'the message does not start with an MSH segment' },
  RLS_HL7_BAD_DELIMITERS: { kind: 'input', text: 'MSH-1/MSH-2 do not declare usable delimiters' },
  RLS_HL7_BAD_CHARSET: { kind: 'input', text: 'the bytes do not match the character set declared in MSH-18' },
  RLS_HL7_UNKNOWN_CHARSET: { kind: 'input', text: 'MSH-18 names a character set Relais does not support' },
  RLS_HL7_BAD_SEGMENT: { kind: 'input', text: 'a segment is malformed' },
  // CDA documents
  RLS_CDA_NOT_XML: { kind: 'input', text: 'the document is not well-formed XML' },
  RLS_CDA_FORBIDDEN_DTD: { kind: 'input', text: 'the document declares a DTD or entities, which are refused' },
  RLS_CDA_NOT_CDA: { kind: 'input', text: 'the XML is not an HL7 CDA R2 ClinicalDocument' },
  RLS_CDA_TOO_LARGE: { kind: 'input', text: 'the document exceeds the configured maximum size' },
  RLS_CDA_MISSING_ELEMENT: { kind: 'input', text: 'a required CDA header element is missing' },
  RLS_CDA_BAD_ENCODING: { kind: 'input', text: 'the XML declaration names an unsupported encoding, or the bytes do not match it' },
  RLS_CDA_BAD_BODY: { kind: 'input', text: 'the CDA body cannot be decoded (unknown representation or invalid base64)' },
  // PDF/A-1 copies of CDA documents
  RLS_PDFA_NOT_PDF: { kind: 'input', text: 'the N1 document body is not a PDF, so there is no PDF copy to attach' },
  RLS_PDFA_TOO_LARGE: { kind: 'input', text: 'the document narrative is too long or too deeply nested to render as a PDF (configured limits)' },
  // XDS metadata (DMP / XDM)
  RLS_XDS_UNIQUE_ID: { kind: 'input', text: 'the document id is not a bare OID (the DMP refuses root^extension and non-OID uniqueIds)' },
  RLS_XDS_PATIENT_ID: { kind: 'input', text: 'the patient INS or its OID cannot make an XDS patientId, or does not match the CDA recordTarget' },
  RLS_XDS_CODE: { kind: 'input', text: 'a CDA code cannot be mapped to the DMP value sets (typeCode, classCode or formatCode)' },
  RLS_XDS_MISSING_METADATA: { kind: 'input', text: 'a metadata required by XDS cannot be derived from the CDA (missing or invalid)' },
  RLS_XDS_REPLACEMENT: { kind: 'input', text: 'the replaced document does not match the CDA relatedDocument of type RPLC' },
  // DMP (TD2.1 / TD3.1b / TD3.3c over SOAP 1.2, MTOM, mutual TLS)
  RLS_DMP_UNAVAILABLE: { kind: 'peer_transient', text: 'the DMP cannot be reached or says it is busy or in maintenance (network error, HTTP 5xx, Receiver fault, *Busy)' },
  RLS_DMP_TIMEOUT: { kind: 'peer_transient', text: 'the DMP did not answer within the time limit' },
  RLS_DMP_TLS: { kind: 'peer_transient', text: 'the mutual TLS handshake with the DMP failed (certificate, trust or protocol)' },
  RLS_DMP_REFUSED: { kind: 'peer_permanent', text: 'the DMP refused the request (RegistryError Failure, Sender fault or HTTP 4xx)' },
  RLS_DMP_BAD_RESPONSE: { kind: 'peer_transient', text: 'the DMP answer cannot be understood; whether the request was applied is unknown' },
  RLS_DMP_MALFORMED: { kind: 'input', text: 'a SOAP, MTOM or VIHF message is malformed (not XML, DTD, bad multipart, missing element)' },
  RLS_DMP_VIHF_INVALID: { kind: 'input', text: 'the VIHF assertion signature does not verify or does not cover the assertion it names' },
  RLS_DMP_ABORTED: { kind: 'peer_transient', text: 'the DMP request was aborted by Relais (shutdown); it may have been applied' },
  // IHE XDM archives (IHE_XDM.zip) read from MSSanté mails (digest §B3)
  RLS_XDM_NOT_ZIP: { kind: 'input', text: 'the attachment is not a readable ZIP archive' },
  RLS_XDM_LIMIT: { kind: 'input', text: 'the archive exceeds a safety limit (entry count, entry or total size, compression ratio)' },
  RLS_XDM_UNSAFE_ENTRY: { kind: 'input', text: 'an archive entry is unsafe (absolute path, .., backslash, drive letter, duplicate name, encryption, link, unknown compression)' },
  RLS_XDM_NO_METADATA: { kind: 'input', text: 'the archive has no IHE_XDM/SUBSETnn/METADATA.XML' },
  RLS_XDM_BAD_METADATA: { kind: 'input', text: 'a METADATA.XML is refused (DTD, not XML, too large) or lacks a SubmissionSet, DocumentEntry or required field' },
  RLS_XDM_DOCUMENT_MISSING: { kind: 'input', text: 'a DocumentEntry URI names no file of its SUBSET folder' },
  RLS_XDM_HASH_MISMATCH: { kind: 'input', text: 'a document\'s SHA-1 differs from its DocumentEntry hash' },
  RLS_XDM_SIZE_MISMATCH: { kind: 'input', text: 'a document\'s size differs from its DocumentEntry size' },
  RLS_XDM_PATIENT: { kind: 'input', text: 'the archive is not about one patient identified by an INS (patientIds differ, wrong OID, or a CDA recordTarget without that INS)' },
  RLS_XDM_CDA_INVALID: { kind: 'input', text: 'a document of the archive is not a readable CDA R2 (not XML, DTD, not a ClinicalDocument)' },
  RLS_XDM_CDA_MISMATCH: { kind: 'input', text: 'a CDA id or code differs from its DocumentEntry uniqueId or typeCode' },
  RLS_XDM_ACTION: { kind: 'input', text: 'a DocumentEntry action is unknown, or a replacement names no replaced document' },
  // Configuration
  RLS_CONFIG_INVALID: { kind: 'config', text: 'a configuration value is invalid' },
  RLS_CONFIG_FILE: { kind: 'config', text: 'the configuration file cannot be read or parsed' },
  // Store
  RLS_STORE_UNAVAILABLE: { kind: 'peer_transient', text: 'the store is unavailable' },
  RLS_STORE_CONFLICT: { kind: 'peer_transient', text: 'a concurrent write conflicted; retry' },
  RLS_STORE_DUPLICATE: { kind: 'input', text: 'a row with the same unique key already exists' },
  // Backup and restore
  RLS_BACKUP_INVALID: { kind: 'input', text: 'the file is not a Relais backup, or it is truncated, damaged or altered (checksum, row counts or authentication tag)' },
  RLS_BACKUP_PASSPHRASE: { kind: 'config', text: 'the backup is encrypted and the passphrase is missing or wrong' },
  RLS_BACKUP_NEWER: { kind: 'config', text: 'the backup was made by a newer Relais (its schema has migrations this version does not know)' },
  RLS_BACKUP_TARGET_NOT_EMPTY: { kind: 'config', text: 'the store to restore into is not empty (restore only into a new data directory or an empty schema)' },
  // PKI: keys, certificates, trust stores, TLS profile
  RLS_PKI_UNREADABLE: { kind: 'config', text: 'a key, certificate or PKCS#12 file cannot be read, decrypted or parsed' },
  RLS_PKI_KEY_MISMATCH: { kind: 'config', text: 'the private key does not match the certificate' },
  RLS_PKI_EXPIRED: { kind: 'config', text: 'our certificate is expired or not yet valid' },
  RLS_PKI_WEAK_KEY: { kind: 'config', text: 'a key is too small (RSA below 2048 bits, EC below 256 bits)' },
  RLS_PKI_UNTRUSTED: { kind: 'peer_transient', text: 'the peer certificate chain is not trusted (issuer, dates, key usage)' },
  RLS_PKI_TLS_PROFILE: { kind: 'peer_transient', text: 'the negotiated TLS session is outside the ANSSI/MSSanté profile' },
  RLS_PKI_OUTPUT_EXISTS: { kind: 'config', text: 'the output directory is not empty (use --force to overwrite)' },
  RLS_PKI_CRL: { kind: 'peer_transient', text: 'no valid CRL for a CA of the peer chain (download failed and the last one expired, or none configured)' },
  // MSSanté transport: SMTP submission and IMAP with the MSSanté security profile (digest §A2, §A3)
  RLS_MSS_TLS: { kind: 'peer_transient', text: 'the TLS session with the MSSanté operator was refused (certificate, revocation, protocol, DH group or profile)' },
  RLS_MSS_UNAVAILABLE: { kind: 'peer_transient', text: 'the MSSanté operator cannot be reached or dropped the connection' },
  RLS_MSS_TIMEOUT: { kind: 'peer_transient', text: 'the MSSanté operator did not answer within the time limit' },
  RLS_MSS_AUTH: { kind: 'peer_transient', text: 'the MSSanté operator refused the authentication of the application mailbox' },
  RLS_MSS_DEFERRED: { kind: 'peer_transient', text: 'the MSSanté operator answered a temporary failure (SMTP 4xx)' },
  RLS_MSS_REFUSED: { kind: 'peer_permanent', text: 'the MSSanté operator refused the mail (SMTP 5xx)' },
  RLS_MSS_IMAP: { kind: 'peer_transient', text: 'an IMAP command on the MSSanté mailbox failed' },
  // Local accounts and access (SC.SSI/IAM.91, IAM.92)
  RLS_ACCOUNT_NOT_FOUND: { kind: 'input', text: 'no local account has this login' },
  RLS_ACCOUNT_EXISTS: { kind: 'input', text: 'a local account with this login, or linked to this identity of the provider, already exists' },
  RLS_ACCOUNT_INVALID: { kind: 'input', text: 'a login, role, identity of the provider or TOTP code is malformed, or the change would leave no way in' },
  RLS_OIDC_REFUSED: { kind: 'peer_permanent', text: 'a console login by the identity provider failed (refused, unknown or expired flow, bad token, no identity claim)' },
  RLS_PASSWORD_POLICY: { kind: 'input', text: 'the password does not satisfy the password policy' },
  // MSSanté mail composition (Référentiel #2, volet A §2.4.8–2.4.10)
  RLS_MSS_TOO_LARGE: { kind: 'input', text: 'the composed mail exceeds the configured maximum size' },
  RLS_MSS_BAD_ADDRESS: { kind: 'input', text: 'a mail address is malformed or carries forbidden characters' },
  RLS_MSS_BAD_RECIPIENTS: { kind: 'input', text: 'the recipients of one mail are missing or mix patient mailboxes and professionals' },
  RLS_MSS_BAD_INS: { kind: 'input', text: 'the INS matricule cannot make a patient mailbox (not 15 characters or wrong key)' },
  RLS_MSS_BAD_INPUT: { kind: 'input', text: 'a value needed to compose the mail is missing or malformed' },
  // Sandboxes (test and demonstration only)
  RLS_SANDBOX_UNAVAILABLE: { kind: 'config', text: 'a sandbox cannot start here (missing packages, privileges, files, or a daemon that would not start)' },
  // Internal
  RLS_BUG: { kind: 'bug', text: 'an unexpected internal error' },
} as const satisfies Record<string, { kind: ErrorKind; text: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error with a stable code. `details` must never carry patient data (names, INS, documents). */
export class RelaisError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message ?? errorCatalogue[code].text, options);
    this.name = 'RelaisError';
    this.code = code;
    this.kind = errorCatalogue[code].kind;
    this.details = Object.freeze({ ...details });
  }
}

export function isRelaisError(e: unknown): e is RelaisError {
  return e instanceof RelaisError;
}
