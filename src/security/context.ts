import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import type { SecuritySettings } from './settings.js';

/** What every security service works with: the store, the resolved settings and a clock (tests fix it). */
export interface SecurityContext {
  readonly db: Kysely<Database>;
  readonly settings: SecuritySettings;
  readonly now: () => Date;
}

/** Who asks for an administrative operation, for the audit trail. */
export interface Actor {
  /** A login, or `system` (the command line). */
  readonly actor: string;
  readonly sourceIp?: string;
}
