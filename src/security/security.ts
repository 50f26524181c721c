/**
 * The security core the console and the command line call: accounts and login, sessions, the audit
 * trail. One object per store; the console wires HTTP to it and nothing else.
 */
import type { Kysely } from 'kysely';
import type { AuditQuery, AuditRow, Database } from '../store/index.js';
import { listAudit } from '../store/index.js';
import { AccountService } from './account-service.js';
import { exportAudit, writeAudit } from './audit-trail.js';
import type { AuditEntryInput, AuditExportFormat } from './audit-trail.js';
import type { SecurityContext } from './context.js';
import { SessionService } from './session-service.js';
import { resolveSecuritySettings } from './settings.js';
import type { SecuritySettings, SecuritySettingsInput } from './settings.js';

export interface Security {
  readonly settings: SecuritySettings;
  readonly accounts: AccountService;
  readonly sessions: SessionService;
  /** Appends one entry (operator actions on flows, console events) to the audit trail. */
  audit(entry: AuditEntryInput): Promise<{ id: string }>;
  /** One page, newest first; page on with `beforeId` = the last id seen. */
  queryAudit(query?: AuditQuery): Promise<AuditRow[]>;
  /** The matching entries, oldest first, as CSV (`;`, UTF-8, one header line) or JSON lines. */
  exportAudit(format: AuditExportFormat, query?: Omit<AuditQuery, 'afterId' | 'beforeId' | 'limit'>): AsyncGenerator<string>;
}

export interface SecurityOptions {
  readonly db: Kysely<Database>;
  /** The `security` section of the configuration, or part of it; missing knobs take their defaults. */
  readonly settings?: SecuritySettingsInput;
  /** Defaults to the system clock. */
  readonly now?: () => Date;
}

export function createSecurity(o: SecurityOptions): Security {
  const ctx: SecurityContext = { db: o.db, settings: resolveSecuritySettings(o.settings), now: o.now ?? (() => new Date()) };
  const sessions = new SessionService(ctx);
  const accounts = new AccountService(ctx, sessions);
  return {
    settings: ctx.settings,
    accounts,
    sessions,
    audit: (entry) => writeAudit(ctx.db, entry, ctx.now()),
    queryAudit: (query = {}) => listAudit(ctx.db, query),
    exportAudit: (format, query = {}) => exportAudit(ctx.db, format, query),
  };
}
