/**
 * The audit trail (SC.SSI/IAM.91): who did what, when, to what, with which result. Entries are only ever
 * appended; they are read back with filters and paging, and exported as CSV (for a spreadsheet) or JSON
 * lines (for a SIEM). Details never carry secrets: callers pass codes, not passwords or TOTP values.
 */
import type { Kysely } from 'kysely';
import { RelaisError, auditResults } from '../domain/index.js';
import type { AuditResult } from '../domain/index.js';
import { appendAudit, listAudit } from '../store/index.js';
import type { AuditQuery, AuditRow, Database } from '../store/index.js';

/** The operations Relais itself records; `audit()` accepts others of the same shape (flow actions, console). */
export const auditOperations = [
  'login', 'login_failed', 'password_change', 'password_change_failed', 'password_reset', 'account_create', 'account_disable',
  'account_enable', 'account_lock', 'account_unlock', 'role_change', 'totp_enrol', 'totp_confirm', 'session_logout',
  'session_expired', 'login_second_factor_awaited', 'identity_link',
] as const;
export type AuditOperation = (typeof auditOperations)[number];

export const SYSTEM_ACTOR = 'system';

export interface AuditEntryInput {
  /** The login of who did it, or `system`. */
  actor: string;
  /** Lower case, digits, `_` and `.`: e.g. `login_failed`, `delivery_replay`. */
  operation: string;
  /** What it was done to: a login, a delivery id, a document id. */
  target?: string;
  result: AuditResult;
  /** A short code or a few key/value pairs; never a secret or patient data. */
  detail?: string | Readonly<Record<string, string | number | boolean>>;
  sourceIp?: string;
}

const MAX_FIELD = 256;
const MAX_DETAIL = 2000;

/** Control characters would break a CSV row or forge a syslog line. */
function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);
}

export function toAuditRecord(e: AuditEntryInput, at: Date) {
  if (!/^[a-z][a-z0-9_.]{0,63}$/.test(e.operation)) {
    throw new RelaisError('RLS_BUG', 'an audit operation must be lower case letters, digits, _ or .', { operation: e.operation.slice(0, 64) });
  }
  if (!(auditResults as readonly string[]).includes(e.result)) throw new RelaisError('RLS_BUG', 'unknown audit result', { result: e.result });
  const actor = clean(e.actor, MAX_FIELD);
  if (actor === '') throw new RelaisError('RLS_BUG', 'an audit entry needs an actor');
  const detail = e.detail === undefined ? null : clean(typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail), MAX_DETAIL);
  return {
    at, actor, operation: e.operation, target: e.target === undefined ? null : clean(e.target, MAX_FIELD), result: e.result, detail,
    sourceIp: e.sourceIp === undefined ? null : clean(e.sourceIp, 64),
  };
}

export async function writeAudit(db: Kysely<Database>, e: AuditEntryInput, at: Date): Promise<{ id: string }> {
  return appendAudit(db, toAuditRecord(e, at));
}

export type AuditExportFormat = 'csv' | 'jsonl';

export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actor', 'operation', 'target', 'result', 'detail', 'source_ip'] as const;

/**
 * One CSV field: `;`-separated, quoted when needed. A leading = + - @ gets an apostrophe so a spreadsheet
 * never runs an audit value (a login typed as `=HYPERLINK(…)`) as a formula (OWASP CSV injection).
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function auditCsvLine(r: AuditRow): string {
  return [r.id, r.at.toISOString(), r.actor, r.operation, r.target ?? '', r.result, r.detail ?? '', r.sourceIp ?? '']
    .map(csvField).join(';') + '\r\n';
}

export function auditJsonLine(r: AuditRow): string {
  return JSON.stringify({
    id: r.id, at: r.at.toISOString(), actor: r.actor, operation: r.operation, target: r.target, result: r.result,
    detail: r.detail, source_ip: r.sourceIp,
  }) + '\n';
}

/**
 * The matching entries, oldest first, as text chunks (one per page of the store): a CSV with one header
 * line (UTF-8, `;`, CRLF), or JSON lines. Memory stays bounded whatever the size of the trail.
 */
export async function* exportAudit(
  db: Kysely<Database>, format: AuditExportFormat, filter: Omit<AuditQuery, 'afterId' | 'beforeId' | 'limit'> = {},
): AsyncGenerator<string> {
  if (format === 'csv') yield AUDIT_CSV_COLUMNS.join(';') + '\r\n';
  let afterId = '0';
  for (;;) {
    const page = await listAudit(db, { ...filter, afterId, limit: 1000 });
    if (page.length === 0) return;
    yield page.map(format === 'csv' ? auditCsvLine : auditJsonLine).join('');
    afterId = page[page.length - 1]!.id;
  }
}
