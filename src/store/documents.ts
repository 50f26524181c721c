import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DocumentAction, MetaFlags } from '../domain/index.js';
import { isRowId, listLimit } from './list-helpers.js';
import type { Database, DocumentLevel } from './schema.js';

/** One CDA version received in a message. */
export interface NewDocument {
  messageId: string;
  /** ClinicalDocument/id as `root` or `root^extension`. */
  documentId: string;
  setId?: string | null;
  parentDocumentId?: string | null;
  versionNumber?: string | null;
  action: DocumentAction;
  patientIns?: string | null;
  patientInsOid?: string | null;
  insQualified: boolean;
  ipp?: string | null;
  typeCode: string;
  typeSystem: string;
  typeLabel?: string | null;
  title?: string | null;
  level: DocumentLevel;
  flags: MetaFlags;
  cda: Buffer;
  /** Lower-case hex SHA-256 of `cda`. */
  cdaSha256: string;
  effectiveTime?: string | null;
  historical: boolean;
  finessGeo?: string | null;
}

/** A document as the console lists it, with the MSH-10 of its message and without the CDA bytes. */
export interface DocumentSummary {
  id: string;
  messageId: string;
  controlId: string | null;
  documentId: string;
  setId: string | null;
  parentDocumentId: string | null;
  versionNumber: string | null;
  action: DocumentAction;
  patientIns: string | null;
  patientInsOid: string | null;
  insQualified: boolean;
  ipp: string | null;
  typeCode: string;
  typeSystem: string;
  typeLabel: string | null;
  title: string | null;
  level: DocumentLevel;
  flags: MetaFlags;
  cdaSha256: string;
  cdaSize: number;
  effectiveTime: string | null;
  historical: boolean;
  finessGeo: string | null;
  createdAt: Date;
}

export async function insertDocument(db: Kysely<Database>, d: NewDocument): Promise<{ id: string }> {
  return db
    .insertInto('document')
    .values({
      message_id: d.messageId,
      document_id: d.documentId,
      set_id: d.setId ?? null,
      parent_document_id: d.parentDocumentId ?? null,
      version_number: d.versionNumber ?? null,
      action: d.action,
      patient_ins: d.patientIns ?? null,
      patient_ins_oid: d.patientInsOid ?? null,
      ins_qualified: d.insQualified,
      ipp: d.ipp ?? null,
      type_code: d.typeCode,
      type_system: d.typeSystem,
      type_label: d.typeLabel ?? null,
      title: d.title ?? null,
      level: d.level,
      flags: JSON.stringify(d.flags),
      cda: d.cda,
      cda_sha256: d.cdaSha256,
      effective_time: d.effectiveTime ?? null,
      historical: d.historical,
      finess_geo: d.finessGeo ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** Newest first. */
export async function listDocuments(
  db: Kysely<Database>,
  filter: { limit?: number; patientIns?: string; documentId?: string; controlId?: string },
): Promise<DocumentSummary[]> {
  let q = db
    .selectFrom('document as d')
    .innerJoin('message as m', 'm.id', 'd.message_id')
    .select([
      'd.id', 'd.message_id', 'm.control_id', 'd.document_id', 'd.set_id', 'd.parent_document_id', 'd.version_number',
      'd.action', 'd.patient_ins', 'd.patient_ins_oid', 'd.ins_qualified', 'd.ipp', 'd.type_code', 'd.type_system',
      'd.type_label', 'd.title', 'd.level', 'd.flags', 'd.cda_sha256', 'd.effective_time', 'd.historical',
      'd.finess_geo', 'd.created_at',
      // octet_length reads the TOAST header: the CDA is not fetched nor decompressed.
      sql<number>`octet_length(d.cda)::integer`.as('cda_size'),
    ])
    .orderBy('d.id', 'desc')
    .limit(listLimit(filter.limit));
  if (filter.patientIns !== undefined) q = q.where('d.patient_ins', '=', filter.patientIns);
  if (filter.documentId !== undefined) q = q.where('d.document_id', '=', filter.documentId);
  if (filter.controlId !== undefined) q = q.where('m.control_id', '=', filter.controlId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    messageId: r.message_id,
    controlId: r.control_id,
    documentId: r.document_id,
    setId: r.set_id,
    parentDocumentId: r.parent_document_id,
    versionNumber: r.version_number,
    action: r.action,
    patientIns: r.patient_ins,
    patientInsOid: r.patient_ins_oid,
    insQualified: r.ins_qualified,
    ipp: r.ipp,
    typeCode: r.type_code,
    typeSystem: r.type_system,
    typeLabel: r.type_label,
    title: r.title,
    level: r.level,
    flags: r.flags,
    cdaSha256: r.cda_sha256,
    cdaSize: r.cda_size,
    effectiveTime: r.effective_time,
    historical: r.historical,
    finessGeo: r.finess_geo,
    createdAt: r.created_at,
  }));
}

/** The CDA bytes exactly as received. */
export async function getDocumentContent(db: Kysely<Database>, id: string): Promise<Buffer | undefined> {
  if (!isRowId(id)) return undefined;
  const row = await db.selectFrom('document').select('cda').where('id', '=', id).executeTakeFirst();
  return row?.cda;
}

/** What a sender needs to find a document again in the message that carried it. */
export interface DocumentSource {
  messageId: string;
  documentId: string;
  parentDocumentId: string | null;
  action: DocumentAction;
  /** A document of an earlier stay (statistics, digest §C10). */
  historical: boolean;
  createdAt: Date;
}

export async function getDocumentSource(db: Kysely<Database>, id: string): Promise<DocumentSource | undefined> {
  if (!isRowId(id)) return undefined;
  const row = await db.selectFrom('document')
    .select(['message_id', 'document_id', 'parent_document_id', 'action', 'historical', 'created_at'])
    .where('id', '=', id).executeTakeFirst();
  return row && {
    messageId: String(row.message_id), documentId: row.document_id, parentDocumentId: row.parent_document_id, action: row.action,
    historical: row.historical, createdAt: row.created_at,
  };
}
