/**
 * The hot path of intake: the accepted message, its documents and their deliveries written by ONE
 * statement (data-modifying CTEs), so a durable accept costs one round trip and one commit instead of
 * BEGIN + three INSERTs + COMMIT. A resent MSH-10 hits the partial unique index through ON CONFLICT DO
 * NOTHING: nothing is written and the caller is told, so it can answer the ACK that was stored.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import type { NewMessage } from './messages.js';
import type { NewDocument } from './documents.js';
import type { NewDelivery } from './deliveries.js';

export interface IntakeRecord {
  message: NewMessage & { sendingApp: string; sendingFacility: string; controlId: string; ack: Buffer; ackCode: 'AA' };
  documents: { document: Omit<NewDocument, 'messageId'>; deliveries: Omit<NewDelivery, 'documentRowId'>[] }[];
}

export type IntakeRecordResult = { recorded: true; messageId: string } | { recorded: false };

export async function recordAcceptedIntake(db: Kysely<Database>, r: IntakeRecord): Promise<IntakeRecordResult> {
  const m = r.message;
  const ctes: RawBuilder<unknown>[] = [sql`m AS (
    INSERT INTO message (direction, channel, peer, sending_app, sending_facility, control_id, message_type, raw, ack, ack_code, status, error_summary, received_at)
    VALUES (${m.direction}, ${m.channel}, ${m.peer}, ${m.sendingApp}, ${m.sendingFacility}, ${m.controlId}, ${m.messageType ?? null},
            ${m.raw}, ${m.ack}, ${m.ackCode}, ${m.status}, ${m.errorSummary ?? null}, ${m.receivedAt ?? new Date()})
    ON CONFLICT (sending_app, sending_facility, control_id) WHERE direction = 'in' AND channel = 'hl7' AND ack_code = 'AA' DO NOTHING
    RETURNING id)`];
  r.documents.forEach(({ document: d, deliveries }, i) => {
    const name = sql.raw(`d${i}`);
    ctes.push(sql`${name} AS (
      INSERT INTO document (message_id, document_id, set_id, parent_document_id, version_number, action, patient_ins, patient_ins_oid,
                            ins_qualified, ipp, type_code, type_system, type_label, title, level, flags, cda, cda_sha256,
                            effective_time, historical, finess_geo)
      SELECT m.id, ${d.documentId}, ${d.setId ?? null}, ${d.parentDocumentId ?? null}, ${d.versionNumber ?? null}, ${d.action},
             ${d.patientIns ?? null}, ${d.patientInsOid ?? null}, ${d.insQualified}, ${d.ipp ?? null}, ${d.typeCode}, ${d.typeSystem},
             ${d.typeLabel ?? null}, ${d.title ?? null}, ${d.level}, ${JSON.stringify(d.flags)}::jsonb, ${d.cda}, ${d.cdaSha256},
             ${d.effectiveTime ?? null}, ${d.historical}, ${d.finessGeo ?? null}
      FROM m RETURNING id)`);
    if (deliveries.length > 0) {
      const rows = deliveries.map((v) => sql`SELECT ${name}.id, ${v.kind}::text, ${v.recipient ?? null}::text, ${v.recipientId ?? null}::text,
        ${v.state}::text, ${v.reason ?? null}::text, ${v.notBefore ?? null}::timestamptz FROM ${name}`);
      ctes.push(sql`${sql.raw(`v${i}`)} AS (
        INSERT INTO delivery (document_row_id, kind, recipient, recipient_id, state, reason, not_before)
        ${sql.join(rows, sql` UNION ALL `)}
        RETURNING 1)`);
    }
  });
  const result = await sql<{ id: string }>`WITH ${sql.join(ctes, sql`, `)} SELECT id FROM m`.execute(db);
  const row = result.rows[0];
  return row ? { recorded: true, messageId: String(row.id) } : { recorded: false };
}
