/** Roles of a local account (SC.SSI/IAM.92 privileged accounts): what a console user may do. */
export const accountRoles = ['admin', 'operator', 'auditor'] as const;
export type AccountRole = (typeof accountRoles)[number];

/** The result column of an audit entry (SC.SSI/IAM.91: every trace says whether the operation succeeded). */
export const auditResults = ['success', 'failure'] as const;
export type AuditResult = (typeof auditResults)[number];

/**
 * The knobs of local accounts (SC.SSI/IAM.92: the establishment configures the policy, the product provides the
 * knobs). One shape for the `security` section of the configuration and for the security core, which checks the
 * bounds again (src/security/settings.ts).
 */
export interface PasswordPolicy {
  /** In characters (Unicode code points, after NFC normalisation). */
  readonly minLength: number;
  readonly requireLower: boolean;
  readonly requireUpper: boolean;
  readonly requireDigit: boolean;
  /** Anything that is neither a letter nor a digit (punctuation, symbols, spaces). */
  readonly requireSpecial: boolean;
  /** After this many days the password must be changed at the next login; 0 = never expires. */
  readonly maxAgeDays: number;
  /** How many previous passwords (the current one included) a new password may not repeat. */
  readonly historyDepth: number;
  /** Consecutive failures (logins and password changes) that lock the account; at most 10 (IAM.92). */
  readonly lockAfter: number;
}

/** argon2id cost parameters (OWASP Password Storage Cheat Sheet: m ≥ 19 MiB, t ≥ 2, p = 1). */
export interface HashingSettings {
  readonly memoryKibibytes: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export interface SessionSettings {
  /** Inactivity lock (SC.SSI/IE.39). */
  readonly idleMinutes: number;
  /** A session ends after this long whatever the activity. */
  readonly absoluteHours: number;
}

export interface TotpSettings {
  /** Roles that must give a TOTP code at login; an enrolled account of any role always must. */
  readonly requiredRoles: readonly AccountRole[];
  /** Shown by authenticator apps beside the login. */
  readonly issuer: string;
}

export interface SecuritySettings {
  readonly password: PasswordPolicy;
  readonly hashing: HashingSettings;
  readonly sessions: SessionSettings;
  readonly totp: TotpSettings;
}
