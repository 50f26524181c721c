import { createHash } from 'node:crypto';
import yazl from 'yazl';
import { formatInstanceId } from '../cda/index.js';
import { RelaisError } from '../domain/index.js';
import {
  buildSubmission, oidFromUuid, randomUrnUuid, submitObjectsRequestXml, type UuidSource, type XdsAssociation,
  type XdsDocumentContent, type XdsDocumentEntry, type XdsSubmission,
} from '../xds/index.js';
import { ACTION_CODE, ACTION_SLOT } from './metadata.js';
import { indexHtm, readmeTxt, type ListedDocument } from './root-files.js';
import type { XdmArchive, XdmArchiveEntry, XdmArchiveInput, XdmDocumentInput } from './types.js';
import { documentFile, INDEX_FILE, METADATA_FILE, README_FILE, subsetFolder, XDM_ROOT } from './xdm-names.js';

export interface XdmBuildOptions {
  /** Source of `urn:uuid:` ids; default random v4. Tests pass deterministicUuids(seed). */
  newUuid?: UuidSource;
  /** Modification time of every zip entry; default the submission time, so the same input gives the same bytes. */
  mtime?: Date;
}

/**
 * The id the RPLC association points at when the replaced entry's own id is unknown: a name-based (SHA-1) UUID
 * of the replaced uniqueId, so every archive Relais writes for that version names the same object.
 */
export function replacedEntryUuid(uniqueId: string): string {
  const h = createHash('sha1').update(`relais:xdm:entry:${uniqueId}`).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The replaced version: given by the caller, else the CDA relatedDocument RPLC parent (volet A §2.4.6). */
function replaced(doc: XdmDocumentInput): { uniqueId: string; entryUUID: string } {
  const parent = doc.header.relatedDocuments.find((r) => r.typeCode === 'RPLC')?.parentIds[0];
  const uniqueId = doc.replaces?.uniqueId ?? (parent === undefined ? undefined : formatInstanceId(parent));
  if (uniqueId === undefined) {
    throw new RelaisError('RLS_XDS_REPLACEMENT', 'a replacement needs the replaced document id (CDA relatedDocument RPLC)');
  }
  return { uniqueId, entryUUID: doc.replaces?.entryUUID ?? replacedEntryUuid(uniqueId) };
}

/** One SubmissionSet holding every document: buildSubmission per document, then one set and its HasMember links. */
function submission(input: XdmArchiveInput, newUuid: UuidSource, subset: string): XdsSubmission {
  const submissionSetUniqueId = input.submissionSetUniqueId ?? oidFromUuid(newUuid());
  let submissionSet: XdsSubmission['submissionSet'] | undefined;
  const documentEntries: XdsDocumentEntry[] = [];
  const associations: XdsAssociation[] = [];
  const documents: XdsDocumentContent[] = [];
  input.documents.forEach((doc, i) => {
    const s = buildSubmission({
      cda: doc.cda, header: doc.header, patient: input.patient, requester: input.requester, flags: doc.flags,
      ...(input.patientClass === undefined ? {} : { patientClass: input.patientClass }),
      ...(doc.action === 'replace' ? { replaces: replaced(doc) } : {}),
      ...(doc.historical === undefined ? {} : { historical: doc.historical }),
      submissionTime: input.submissionTime, sourceOid: input.sourceOid, submissionSetUniqueId,
      intendedRecipients: input.intendedRecipients, uri: documentFile(i + 1),
    }, { newUuid });
    submissionSet ??= s.submissionSet;
    const set = submissionSet;
    for (const d of s.documentEntries) {
      documentEntries.push(doc.action === 'publish' ? d : { ...d, extraSlots: [{ name: ACTION_SLOT, values: [ACTION_CODE[doc.action]] }] });
    }
    for (const a of s.associations) {
      associations.push(a.kind === 'HasMember' ? { ...a, sourceObject: set.entryUUID } : a);
    }
    documents.push(...s.documents);
  });
  if (submissionSet === undefined) throw new RangeError(`an XDM ${subset} needs at least one document`);
  return { submissionSet, documentEntries, associations, documents };
}

function zipBytes(files: readonly { path: string; bytes: Buffer }[], mtime: Date): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(f.bytes, f.path, { mtime, mode: 0o100644, compress: true });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * IHE_XDM.zip for one patient (digest §B1/§B2, CONF.23): INDEX.HTM, README.TXT and IHE_XDM/SUBSET01 with
 * METADATA.XML (full XDS metadata as for the DMP, without the signature, plus hash, size, URI and
 * intendedRecipient) and DOC00001.XML…; a replacement or deletion carries the `action` slot (C / D).
 */
export async function buildXdmArchive(input: XdmArchiveInput, options: XdmBuildOptions = {}): Promise<XdmArchive> {
  const subset = subsetFolder(1);
  const s = submission(input, options.newUuid ?? randomUrnUuid, subset);
  const metadataXml = submitObjectsRequestXml(s, { xmlDeclaration: true });
  const folder = `${XDM_ROOT}/${subset}`;
  const metadataPath = `${folder}/${METADATA_FILE}`;
  const listed: ListedDocument[] = s.documentEntries.map((d) => ({ path: `${folder}/${d.uri ?? ''}`, title: d.title, typeDisplay: d.typeCode.display }));
  const files = [
    { path: INDEX_FILE, bytes: Buffer.from(indexHtm(input.sender, listed), 'utf8') },
    { path: README_FILE, bytes: Buffer.from(readmeTxt(input.sender, listed, metadataPath), 'utf8') },
    { path: metadataPath, bytes: Buffer.from(metadataXml, 'utf8') },
    ...s.documents.map((d, i) => ({ path: listed[i]?.path ?? '', bytes: d.content })),
  ];
  const entries: XdmArchiveEntry[] = files.map((f) => ({ path: f.path, sha1: createHash('sha1').update(f.bytes).digest('hex'), size: f.bytes.length }));
  const zip = await zipBytes(files, options.mtime ?? input.submissionTime);
  return { zip, metadataXml, entries };
}
