import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/index.js';
import { errorsForUnparsable, validateVoletA, defaultVoletAConfig, type MssMatrixProfile } from '../cisis/index.js';
import { buildAck, parseEr7, sniffHeader, type AckError, type Hl7Message } from '../hl7/index.js';
import { isRelaisError } from '../domain/index.js';

export interface ValidateOptions { config?: string; profile?: MssMatrixProfile; json?: boolean }

/** Prints the ACK Relais would answer (without storing anything); exit 0 only for AA. */
export async function runValidate(file: string, o: ValidateOptions): Promise<number> {
  const config = loadConfig({ ...(o.config ? { file: o.config } : {}), env: process.env });
  const bytes = readFileSync(file);
  let code: 'AA' | 'AE' | 'AR';
  let errors: AckError[] = [];
  let warnings: { code: string; location?: string; text: string }[] = [];
  let original: Hl7Message | ReturnType<typeof sniffHeader>;
  try {
    const message = parseEr7(bytes);
    original = message;
    const verdict = validateVoletA(message, {
      ...defaultVoletAConfig,
      mssMatrixProfile: o.profile ?? config.intake.mssMatrixProfile,
      qualifiedIdentityCodes: config.intake.qualifiedIdentityCodes,
      maxDocumentBytes: config.intake.maxDocumentBytes,
      cdaCheck: config.intake.cdaCheck,
    });
    if (verdict.ok) {
      code = 'AA';
      warnings = verdict.request.warnings;
    } else {
      code = verdict.ackCode;
      errors = verdict.errors;
      warnings = verdict.warnings;
    }
  } catch (e) {
    if (!isRelaisError(e)) throw e;
    original = sniffHeader(bytes);
    code = 'AE';
    errors = errorsForUnparsable(e);
  }
  const ack = buildAck(original, { code, errors, controlId: 'VALIDATE', timestamp: new Date() });
  if (o.json) {
    process.stdout.write(JSON.stringify({
      ack: code,
      errors: errors.map((e) => ({
        code: e.appError ? `${e.code}/${e.appError.code}` : e.code,
        location: e.location ?? '',
        text: e.appError ? e.appError.text : e.text,
      })),
      warnings,
    }, null, 2) + '\n');
  } else {
    process.stdout.write(ack.split('\r').join('\n') + '\n');
    for (const w of warnings) process.stderr.write(`warning: ${w.location ? w.location + ': ' : ''}${w.text}\n`);
  }
  return code === 'AA' ? 0 : 1;
}
