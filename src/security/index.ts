export { createSecurity } from './security.js';
export type { Security, SecurityOptions } from './security.js';
export { AccountService, normalizeLogin } from './account-service.js';
export { isValidOidcId } from './account-service.js';
export type {
  Account, LoginOutcome, LoginRefusal, PasswordChangeOutcome, IdentityLogin, IdentityLoginOutcome, IdentityLoginRefusal,
} from './account-service.js';
export { SessionService } from './session-service.js';
export type { OpenedSession, PendingLogin, SessionInfo, SessionCheck, SessionRefusal } from './session-service.js';
export { PENDING_LOGIN_MINUTES } from './session-service.js';
export { auditOperations, SYSTEM_ACTOR, AUDIT_CSV_COLUMNS, csvField } from './audit-trail.js';
export type { AuditEntryInput, AuditExportFormat, AuditOperation } from './audit-trail.js';
export { checkPasswordRules, isPasswordExpired, passwordRefusalCodes } from './password-policy.js';
export type { PasswordRefusal, PasswordRefusalCode } from './password-policy.js';
export {
  defaultSecuritySettings, resolveSecuritySettings, LOCK_AFTER_MAX, PASSWORD_MAX_LENGTH, ARGON2_MIN_MEMORY_KIB, ARGON2_MIN_TIME_COST,
} from './settings.js';
export type {
  SecuritySettings, SecuritySettingsInput, PasswordPolicy, HashingSettings, SessionSettings, TotpSettings,
} from './settings.js';
export { totpCode } from './totp.js';
export type { Actor } from './context.js';
