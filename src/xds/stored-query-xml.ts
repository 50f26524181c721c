import { RelaisError } from '../domain/index.js';
import { NS } from './ebrim-xml.js';
import { isXdsPatientId } from './patient-ids.js';
import { XDS_STATUS, XDS_UUID } from './xds-constants.js';
import { isOid } from './xds-ids.js';
import { el, textEl } from './xml-writer.js';

/**
 * ITI-18 Registry Stored Query requests (`query:AdhocQueryRequest`) for TD3.1 (digest §C1, §C7). Parameter
 * values follow IHE TF-2a §3.18.4.1.2.3: strings in single quotes, lists in parentheses.
 */

export type QueryReturnType = 'LeafClass' | 'ObjectRef';

function quoted(v: string): string {
  return `'${v.replace(/'/g, '\'\'')}'`;
}

function param(name: string, value: string): string {
  return el('rim:Slot', { name }, el('rim:ValueList', {}, textEl('rim:Value', {}, value)));
}

function request(queryId: string, returnType: QueryReturnType, params: readonly string[]): string {
  return el('query:AdhocQueryRequest', { 'xmlns:query': NS.query, 'xmlns:rim': NS.rim },
    el('query:ResponseOption', { returnComposedObjects: 'true', returnType }),
    el('rim:AdhocQuery', { id: queryId }, ...params));
}

function checkPatientId(patientId: string): void {
  if (!isXdsPatientId(patientId)) throw new RelaisError('RLS_XDS_PATIENT_ID', 'the query patientId is not an INS CX');
}

export interface FindDocumentsQuery {
  /** `INS^^^&<OID>&ISO`. */
  patientId: string;
  /** Default: Approved only. */
  statuses?: readonly string[];
  returnType?: QueryReturnType;
}

/** FindDocuments by patient and availability status (default Approved). */
export function findDocumentsQueryXml(q: FindDocumentsQuery): string {
  checkPatientId(q.patientId);
  const statuses = q.statuses ?? [XDS_STATUS.approved];
  return request(XDS_UUID.findDocumentsQuery, q.returnType ?? 'LeafClass', [
    param('$XDSDocumentEntryPatientId', quoted(q.patientId)),
    param('$XDSDocumentEntryStatus', `(${statuses.map(quoted).join(',')})`),
  ]);
}

export interface GetDocumentsQuery {
  /** The document uniqueIds (bare OIDs). */
  uniqueIds: readonly string[];
  /** Not a GetDocuments parameter in IHE; sent only when given, for registries that ask for it (digest §C7). */
  patientId?: string;
  returnType?: QueryReturnType;
}

/**
 * GetDocuments by uniqueId, returnType LeafClass by default: TD3.1b, which finds the current entryUUID (and its
 * status) of a document before a replacement or a deletion (digest §C7).
 */
export function getDocumentsQueryXml(q: GetDocumentsQuery): string {
  if (q.uniqueIds.length === 0 || q.uniqueIds.some((u) => !isOid(u))) {
    throw new RelaisError('RLS_XDS_UNIQUE_ID', 'GetDocuments needs one or more bare OID uniqueIds');
  }
  const params = [param('$XDSDocumentEntryUniqueId', `(${q.uniqueIds.map(quoted).join(',')})`)];
  if (q.patientId !== undefined) {
    checkPatientId(q.patientId);
    params.push(param('$XDSDocumentEntryPatientId', quoted(q.patientId)));
  }
  return request(XDS_UUID.getDocumentsQuery, q.returnType ?? 'LeafClass', params);
}
