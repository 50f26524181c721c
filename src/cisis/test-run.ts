// Test helpers (used by the *.test.ts of this folder): validate a message text and describe the outcome compactly.
import assert from 'node:assert/strict';
import { parseEr7 } from '../hl7/index.js';
import type { AckError } from '../hl7/index.js';
import { defaultVoletAConfig } from './config.js';
import type { IntakeRequest, ValidationIssue, VoletAConfig, VoletAResult } from './types.js';
import { errorsForUnparsable } from './unparsable.js';
import { validateVoletA } from './validate-volet-a.js';

export function run(text: string | Buffer, config: Partial<VoletAConfig> = {}): VoletAResult {
  let message;
  try {
    message = parseEr7(text);
  } catch (e) {
    return { ok: false, ackCode: 'AE', errors: errorsForUnparsable(e), warnings: [] };
  }
  return validateVoletA(message, { ...defaultVoletAConfig, ...config });
}

/** 'code location' or '207 ERR5 location' per ERR, e.g. '102 OBX^1^5', '207 PATIENT_MISMATCH PID^1^3'. */
export function key(e: AckError): string {
  return [e.code, e.appError?.code, e.location ?? '-'].filter((p) => p !== undefined).join(' ');
}

export function errorKeys(r: VoletAResult): string[] {
  return r.ok ? [] : r.errors.map(key);
}

export function warningCodes(r: VoletAResult): string[] {
  const warnings: ValidationIssue[] = r.ok ? r.request.warnings : r.warnings;
  return warnings.map((w) => w.code);
}

/** Asserts an AE that carries this ERR (among others). */
export function assertRejects(r: VoletAResult, expected: string): void {
  assert.equal(r.ok, false, `expected AE with ${expected}, got AA`);
  assert.ok(errorKeys(r).includes(expected), `expected ${expected} in [${errorKeys(r).join(', ')}]`);
}

/** Asserts an AE with exactly these ERR, in order. */
export function assertRejectsOnly(r: VoletAResult, expected: string[]): void {
  assert.equal(r.ok, false, `expected AE with ${expected.join(', ')}, got AA`);
  assert.deepEqual(errorKeys(r), expected);
}

export function assertAccepts(r: VoletAResult): IntakeRequest {
  assert.ok(r.ok, `expected AA, got AE [${errorKeys(r).join(', ')}]`);
  return r.request;
}
