/**
 * The password rules of SC.SSI/IAM.92 as a pure function: every refusal has a stable code (for the API
 * and the audit trail) and a French label (for the console).
 */
import { PASSWORD_MAX_LENGTH } from './settings.js';
import type { PasswordPolicy } from './settings.js';

export const passwordRefusalCodes = [
  'too_short', 'too_long', 'missing_lower', 'missing_upper', 'missing_digit', 'missing_special', 'contains_login', 'reused',
  'wrong_current_password', 'account_locked',
] as const;
export type PasswordRefusalCode = (typeof passwordRefusalCodes)[number];

export interface PasswordRefusal {
  readonly code: PasswordRefusalCode;
  /** French, for the console. */
  readonly label: string;
}

export function passwordRefusal(code: PasswordRefusalCode, policy: PasswordPolicy): PasswordRefusal {
  return { code, label: refusalLabel(code, policy) };
}

function refusalLabel(code: PasswordRefusalCode, policy: PasswordPolicy): string {
  switch (code) {
    case 'too_short': return `Le mot de passe doit comporter au moins ${policy.minLength} caractères.`;
    case 'too_long': return `Le mot de passe ne doit pas dépasser ${PASSWORD_MAX_LENGTH} caractères.`;
    case 'missing_lower': return 'Le mot de passe doit contenir au moins une lettre minuscule.';
    case 'missing_upper': return 'Le mot de passe doit contenir au moins une lettre majuscule.';
    case 'missing_digit': return 'Le mot de passe doit contenir au moins un chiffre.';
    case 'missing_special': return 'Le mot de passe doit contenir au moins un caractère spécial.';
    case 'contains_login': return 'Le mot de passe ne doit pas contenir l’identifiant.';
    case 'reused': return 'Ce mot de passe a déjà été utilisé : choisissez-en un nouveau.';
    case 'wrong_current_password': return 'Le mot de passe actuel est incorrect.';
    case 'account_locked': return 'Le compte est verrouillé : un administrateur doit le déverrouiller.';
  }
}

/** NFC, so that "é" typed as one or two code points is the same password on every keyboard. */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

/**
 * The rules that need no history: length and character classes, and the login not inside the password.
 * Returns every refusal (empty = acceptable), so the console can show them all at once.
 */
export function checkPasswordRules(password: string, policy: PasswordPolicy, o: { login?: string } = {}): PasswordRefusal[] {
  const p = normalizePassword(password);
  const length = [...p].length;
  const refusals: PasswordRefusalCode[] = [];
  if (length < policy.minLength) refusals.push('too_short');
  if (length > PASSWORD_MAX_LENGTH) refusals.push('too_long');
  if (policy.requireLower && !/\p{Ll}/u.test(p)) refusals.push('missing_lower');
  if (policy.requireUpper && !/\p{Lu}/u.test(p)) refusals.push('missing_upper');
  if (policy.requireDigit && !/\p{Nd}/u.test(p)) refusals.push('missing_digit');
  if (policy.requireSpecial && !/[^\p{L}\p{N}]/u.test(p)) refusals.push('missing_special');
  if (o.login !== undefined && o.login.length >= 3 && p.toLowerCase().includes(o.login.toLowerCase())) refusals.push('contains_login');
  return refusals.map((c) => passwordRefusal(c, policy));
}

/** Whether a password set at `changedAt` has expired at `now` (maxAgeDays 0 = never). */
export function isPasswordExpired(changedAt: Date, now: Date, policy: PasswordPolicy): boolean {
  return policy.maxAgeDays > 0 && now.getTime() - changedAt.getTime() >= policy.maxAgeDays * 86_400_000;
}
