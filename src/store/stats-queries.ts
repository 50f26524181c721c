/**
 * Aggregates for the Ségur statistics (SC.STAT/ES.02, TBB/va1.01): counts of delivery outcomes and of
 * inbound documents per FINESS géographique × type code × month (Europe/Paris). The grouping happens in SQL;
 * the stats layer turns these counts into indicators. docs/statistics.md defines every count.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { RelaisError } from '../domain/index.js';
import type { DestinationKind, DocumentAction } from '../domain/index.js';
import type { Database } from './schema.js';

/** Months are those of Europe/Paris whatever the server's time zone: a French establishment counts in French months. */
export const STATS_TIME_ZONE = 'Europe/Paris';

/** Historical documents count as such only when their effective date is at most this old at the outcome. */
export const HISTORICAL_MAX_YEARS = 5;

/** flow: sent as it was produced; historical: older than the intake threshold, within HISTORICAL_MAX_YEARS; too_old: beyond, or no readable date. */
export type DocumentAge = 'flow' | 'historical' | 'too_old';

/** How many deliveries reached a final outcome (done or dead) in one month, for one combination of attributes. */
export interface DeliveryOutcomeCount {
  finessGeo: string | null;
  typeCode: string;
  /** YYYY-MM, Europe/Paris, of the outcome (delivery.updated_at). */
  month: string;
  kind: DestinationKind;
  outcome: 'done' | 'dead';
  age: DocumentAge;
  insQualified: boolean;
  action: DocumentAction;
  count: number;
}

/**
 * Documents received by mail (volet B, `inbound_mail.document_list`) counted per month: the MDMs that carried them
 * to the DPI by outcome (`notification` done = acknowledged, dead = refused or given up), or the documents
 * received by action. Inbound mails carry no FINESS géographique: the mailbox is given instead.
 */
export interface InboundDocumentCount {
  mailbox: string;
  /** '' when the archive did not give it. */
  typeCode: string;
  /** YYYY-MM, Europe/Paris: of the MDM outcome (notification.updated_at) or of the reception (inbound_mail.created_at). */
  month: string;
  action: DocumentAction;
  count: number;
}

export interface InboundTransmissionCount extends InboundDocumentCount {
  outcome: 'done' | 'dead';
}

/** [1 January of `year`, 1 January of `year + 1`) in Europe/Paris, computed by the database. */
function yearBounds(year: number): { start: ReturnType<typeof sql<Date>>; end: ReturnType<typeof sql<Date>> } {
  if (!Number.isInteger(year) || year < 1900 || year > 9999) throw new RelaisError('RLS_BUG', 'not a year', { year });
  return {
    start: sql<Date>`make_timestamptz(${year}::int, 1, 1, 0, 0, 0, ${STATS_TIME_ZONE}::text)`,
    end: sql<Date>`make_timestamptz(${year + 1}::int, 1, 1, 0, 0, 0, ${STATS_TIME_ZONE}::text)`,
  };
}

const monthOf = (column: string) => sql<string>`to_char(${sql.ref(column)} at time zone ${STATS_TIME_ZONE}::text, 'YYYY-MM')`;

/**
 * The grouped query of countDeliveryOutcomes (kept apart so a test can check its plan reads delivery_outcome_idx:
 * the WHERE clause must keep implying the index predicate).
 */
export function deliveryOutcomesQuery(db: Kysely<Database>, year: number) {
  const { start, end } = yearBounds(year);
  const month = monthOf('v.updated_at');
  // CDA effectiveTime is HL7 TS (YYYYMMDD…): its 8 digits compared as text with the outcome date minus five
  // years, so a malformed value never makes the whole query fail; it counts as too old (unknown age).
  const age = sql<DocumentAge>`case
    when not d.historical then 'flow'
    when left(d.effective_time, 8) ~ '^[0-9]{8}$' and left(d.effective_time, 8) >= to_char((v.updated_at at time zone ${STATS_TIME_ZONE}::text)
      - make_interval(years => ${HISTORICAL_MAX_YEARS}::int), 'YYYYMMDD') then 'historical'
    else 'too_old' end`;
  return db
    .selectFrom('delivery as v')
    .innerJoin('document as d', 'd.id', 'v.document_row_id')
    .select([
      'd.finess_geo', 'd.type_code', month.as('month'), 'v.kind', 'v.state', age.as('age'), 'd.ins_qualified', 'd.action',
      sql<string>`count(*)`.as('count'),
    ])
    .where('v.state', 'in', ['done', 'dead'])
    .where('v.updated_at', '>=', start)
    .where('v.updated_at', '<', end)
    .groupBy([sql`1`, sql`2`, sql`3`, sql`4`, sql`5`, sql`6`, sql`7`, sql`8`]);
}

/**
 * Deliveries whose final outcome (done, dead) was reached during `year`, grouped. Reads the partial index
 * delivery_outcome_idx (updated_at of done and dead rows) for the range, then the document by primary key.
 * A dead delivery replayed later leaves this count and enters the month of its new outcome.
 */
export async function countDeliveryOutcomes(db: Kysely<Database>, year: number): Promise<DeliveryOutcomeCount[]> {
  const rows = await deliveryOutcomesQuery(db, year).execute();
  return rows.map((r) => ({
    finessGeo: r.finess_geo,
    typeCode: r.type_code,
    month: r.month,
    kind: r.kind,
    outcome: r.state as 'done' | 'dead',
    age: r.age,
    insQualified: r.ins_qualified,
    action: r.action,
    count: Number(r.count),
  }));
}

/** MDMs of inbound documents whose outcome was reached during `year`. */
export async function countInboundTransmissions(db: Kysely<Database>, year: number): Promise<InboundTransmissionCount[]> {
  const { start, end } = yearBounds(year);
  const result = await sql<{ mailbox: string; type_code: string; month: string; action: DocumentAction; state: string; count: string }>`
    select m.mailbox, coalesce(e.doc->>'typeCode', '') as type_code, ${monthOf('n.updated_at')} as month,
      e.doc->>'action' as action, n.state, count(*) as count
    from inbound_mail m
    cross join lateral jsonb_array_elements(m.document_list) as e(doc)
    join notification n on n.message_id = m.message_id and n.control_id = e.doc->>'controlId'
    where n.state in ('done', 'dead') and n.updated_at >= ${start} and n.updated_at < ${end}
    group by 1, 2, 3, 4, 5`.execute(db);
  return result.rows.map((r) => ({
    mailbox: r.mailbox, typeCode: r.type_code, month: r.month, action: r.action, outcome: r.state as 'done' | 'dead',
    count: Number(r.count),
  }));
}

/** Documents of inbound mails received during `year`, by action (the update and deletion requests among them). */
export async function countInboundRequests(db: Kysely<Database>, year: number): Promise<InboundDocumentCount[]> {
  const { start, end } = yearBounds(year);
  const result = await sql<{ mailbox: string; type_code: string; month: string; action: DocumentAction; count: string }>`
    select m.mailbox, coalesce(e.doc->>'typeCode', '') as type_code, ${monthOf('m.created_at')} as month,
      e.doc->>'action' as action, count(*) as count
    from inbound_mail m
    cross join lateral jsonb_array_elements(m.document_list) as e(doc)
    where m.created_at >= ${start} and m.created_at < ${end}
    group by 1, 2, 3, 4`.execute(db);
  return result.rows.map((r) => ({
    mailbox: r.mailbox, typeCode: r.type_code, month: r.month, action: r.action, count: Number(r.count),
  }));
}
