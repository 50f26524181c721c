/**
 * argon2id hashing (OWASP Password Storage Cheat Sheet; RGS-compatible slow salted hash, requirements §2.6).
 * The PHC string carries its parameters, so a login can tell a hash made with older settings and redo it.
 */
import { hash, verify } from '@node-rs/argon2';
import { normalizePassword } from './password-policy.js';
import type { HashingSettings } from './settings.js';

export async function hashPassword(password: string, s: HashingSettings): Promise<string> {
  // The library's default algorithm is argon2id (its `Algorithm` is a const enum, unusable across modules).
  const h = await hash(normalizePassword(password), { memoryCost: s.memoryKibibytes, timeCost: s.timeCost, parallelism: s.parallelism });
  if (!h.startsWith('$argon2id$')) throw new Error('argon2 did not produce an argon2id hash');
  return h;
}

/** False for a wrong password and for a malformed hash (a broken row must not open the door). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalizePassword(password));
  } catch {
    return false; // malformed PHC string: treated as a mismatch, never as a match
  }
}

/** Whether the hash was made with another algorithm or other parameters than the current settings. */
export function needsRehash(passwordHash: string, s: HashingSettings): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
  if (!m) return true;
  return Number(m[1]) !== s.memoryKibibytes || Number(m[2]) !== s.timeCost || Number(m[3]) !== s.parallelism;
}
