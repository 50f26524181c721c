/**
 * The search criteria of the console, read from a query string or a JSON body and checked field by field:
 * text criteria are bounded strings matched by equality (bound parameters, no pattern), dates are ISO,
 * states and kinds come from their lists. A bad value names its field; nothing reaches SQL unchecked.
 */
import { deliveryStates, destinationKinds, type DeliveryState, type DestinationKind } from '../domain/index.js';
import type { DeliverySearch } from '../store/index.js';

export const searchFields = ['ins', 'ipp', 'documentId', 'controlId', 'messageId', 'from', 'to', 'state', 'kind', 'limit', 'before'] as const;

const MAX_TEXT = 200;

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string };

function text(v: unknown): string | undefined | null {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > MAX_TEXT) return null;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** YYYY-MM-DD (Paris day start, read as UTC midnight is close enough for a filter) or a full ISO time. */
function date(v: unknown, endOfDay: boolean): Date | undefined | null {
  const t = text(v);
  if (t === undefined || t === null) return t;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const d = new Date(`${t}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) return null;
    return endOfDay ? new Date(d.getTime() + 86_400_000) : d;
  }
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?$/.test(t)) return null;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function parseSearch(input: unknown): Parsed<DeliverySearch> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, field: 'search' };
  const q = input as Record<string, unknown>;
  const out: DeliverySearch = {};
  const texts = [['ins', 'ins'], ['ipp', 'ipp'], ['documentId', 'documentId'], ['controlId', 'controlId'], ['messageId', 'mailMessageId']] as const;
  for (const [field, key] of texts) {
    const t = text(q[field]);
    if (t === null) return { ok: false, field };
    if (t !== undefined) out[key] = t;
  }
  const from = date(q.from, false);
  if (from === null) return { ok: false, field: 'from' };
  if (from) out.from = from;
  const to = date(q.to, true);
  if (to === null) return { ok: false, field: 'to' };
  if (to) out.to = to;
  const state = text(q.state);
  if (state !== undefined) {
    if (state === null || !(deliveryStates as readonly string[]).includes(state)) return { ok: false, field: 'state' };
    out.state = state as DeliveryState;
  }
  const kind = text(q.kind);
  if (kind !== undefined) {
    if (kind === null || !(destinationKinds as readonly string[]).includes(kind)) return { ok: false, field: 'kind' };
    out.kind = kind as DestinationKind;
  }
  const limit = text(typeof q.limit === 'number' ? String(q.limit) : q.limit);
  if (limit !== undefined) {
    if (limit === null || !/^\d{1,4}$/.test(limit) || Number(limit) < 1) return { ok: false, field: 'limit' };
    out.limit = Number(limit);
  }
  const before = text(q.before);
  if (before !== undefined) {
    if (before === null || !/^[1-9]\d{0,18}$/.test(before)) return { ok: false, field: 'before' };
    out.beforeId = before;
  }
  return { ok: true, value: out };
}

/** The names of the criteria given (for the audit trail: the values may be patient data). */
export function criteriaNames(s: DeliverySearch): string {
  return Object.keys(s).filter((k) => k !== 'limit' && k !== 'beforeId').sort().join(',') || 'none';
}
