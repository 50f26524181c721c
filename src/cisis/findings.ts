import type { AckError } from '../hl7/index.js';
import { businessError, inputError } from './ack-errors.js';
import type { BusinessErrorCode, InputErrorCode } from './ack-errors.js';
import type { ValidationIssue } from './types.js';

/** Collects the errors and tolerated defects found while validating one message. */
export class Findings {
  readonly errors: AckError[] = [];
  readonly warnings: ValidationIssue[] = [];

  input(code: InputErrorCode, location: string | undefined, detail: string): void {
    this.errors.push(inputError(code, location, detail));
  }

  business(code: BusinessErrorCode, location: string | undefined, detail: string, labelSuffix?: string): void {
    this.errors.push(businessError(code, location, detail, labelSuffix));
  }

  warn(code: string, location: string | undefined, text: string): void {
    this.warnings.push(location === undefined ? { code, text } : { code, location, text });
  }

  get failed(): boolean {
    return this.errors.length > 0;
  }
}
