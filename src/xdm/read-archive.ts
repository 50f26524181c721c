import { createHash } from 'node:crypto';
import { formatInstanceId, readCdaHeader, type CdaHeader } from '../cda/index.js';
import { isRelaisError } from '../domain/index.js';
import { INS_OID } from '../xds/index.js';
import { parseMetadata, type ParsedMetadata } from './metadata.js';
import type { XdmDocument, XdmPatient, XdmReadLimits, XdmReadOptions, XdmReadResult, XdmSubmissionSet } from './types.js';
import { METADATA_FILE, XDM_ROOT } from './xdm-names.js';
import { DEFAULT_XDM_LIMITS, openZip, readEntry, XdmReadError, type OpenedZip, type ZipEntryInfo } from './zip-reader.js';

/**
 * Safe reading of an IHE_XDM.zip from an MSSanté mail (digest §A8, §B3; volet B): bounded unzip, every
 * METADATA.XML, each document's presence, SHA-1 and size, one INS patient across the archive, and each CDA
 * consistent with its DocumentEntry. Never throws for a bad archive: the result carries a stable code.
 */

const PRODUCTION_INS_OIDS: readonly string[] = [INS_OID.nir, INS_OID.nia];
const TEST_INS_OIDS: readonly string[] = [INS_OID.nirTest, INS_OID.nirDemo];

const METADATA_PATH = new RegExp(`^${XDM_ROOT}/([^/]+)/${METADATA_FILE.replace('.', '\\.')}$`, 'i');

function limitsOf(options: XdmReadOptions): XdmReadLimits {
  const limits = { ...DEFAULT_XDM_LIMITS };
  for (const key of Object.keys(limits) as (keyof XdmReadLimits)[]) {
    const v = options[key];
    if (v !== undefined) {
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`XDM read limit ${key} must be a positive number`);
      limits[key] = v;
    }
  }
  return limits;
}

/** The METADATA.XML entries, each with its SUBSET folder, in name order. */
function metadataEntries(entries: readonly ZipEntryInfo[]): { subset: string; info: ZipEntryInfo }[] {
  return entries.flatMap((info) => {
    const m = info.isFolder ? null : METADATA_PATH.exec(info.name);
    return m === null ? [] : [{ subset: m[1] ?? '', info }];
  }).sort((a, b) => a.info.name.localeCompare(b.info.name));
}

function parsePatientId(patientId: string, allowed: readonly string[]): XdmPatient {
  const m = /^([0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8})\^\^\^&([0-9.]+)&ISO$/.exec(patientId);
  if (m === null) throw new XdmReadError('RLS_XDM_PATIENT', 'the patientId is not an INS (matricule^^^&OID&ISO)');
  const insOid = m[2] ?? '';
  if (!allowed.includes(insOid)) throw new XdmReadError('RLS_XDM_PATIENT', `the patientId OID ${insOid} is not an accepted INS OID`);
  return { patientId, ins: m[1] ?? '', insOid };
}

/** One patient across the archive: every SubmissionSet and DocumentEntry patientId is the same INS. */
function archivePatient(subsets: readonly ParsedMetadata[], allowed: readonly string[]): XdmPatient {
  const ids = new Set(subsets.flatMap((m) => [m.submissionSet.patientId, ...m.documentEntries.map((d) => d.patientId)]));
  if (ids.size !== 1) throw new XdmReadError('RLS_XDM_PATIENT', `${ids.size} different patientIds in the archive`);
  return parsePatientId([...ids][0] ?? '', allowed);
}

/** The URI is a plain name relative to the SUBSET folder (no folder climbing); matched case-insensitively as on ISO-9660 media. */
function findDocument(entries: readonly ZipEntryInfo[], subset: string, uri: string, metadataPath: string): ZipEntryInfo {
  if (uri.includes('\\') || uri.startsWith('/') || uri.split('/').some((s) => s === '..' || s === '.' || s === '') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) {
    throw new XdmReadError('RLS_XDM_DOCUMENT_MISSING', 'the URI is not a relative file name inside the SUBSET folder', metadataPath);
  }
  const wanted = `${XDM_ROOT}/${subset}/${uri}`.toUpperCase();
  const found = entries.find((e) => !e.isFolder && e.name.toUpperCase() === wanted);
  if (found === undefined) throw new XdmReadError('RLS_XDM_DOCUMENT_MISSING', `no file ${uri} in ${subset}`, metadataPath);
  return found;
}

function readCda(bytes: Buffer, path: string, maxBytes: number): CdaHeader {
  try {
    return readCdaHeader(bytes, { maxBytes, scope: 'full' });
  } catch (err) {
    throw new XdmReadError('RLS_XDM_CDA_INVALID', isRelaisError(err) ? `${err.code}: ${err.message}` : 'cannot be read', path);
  }
}

async function read(opened: OpenedZip, limits: XdmReadLimits, options: XdmReadOptions): Promise<XdmReadResult> {
  const { zipfile, entries } = opened;
  const metas = metadataEntries(entries);
  if (metas.length === 0) throw new XdmReadError('RLS_XDM_NO_METADATA', `no ${XDM_ROOT}/SUBSETnn/${METADATA_FILE}`);
  const parsed: { subset: string; path: string; metadata: ParsedMetadata }[] = [];
  for (const { subset, info } of metas) {
    const bytes = await readEntry(zipfile, info, limits.maxMetadataBytes);
    parsed.push({ subset, path: info.name, metadata: parseMetadata(bytes, info.name, limits.maxMetadataBytes) });
  }
  const allowed = options.testOids === true ? [...PRODUCTION_INS_OIDS, ...TEST_INS_OIDS] : PRODUCTION_INS_OIDS;
  const patient = archivePatient(parsed.map((p) => p.metadata), allowed);

  const submissionSets: XdmSubmissionSet[] = [];
  const documents: XdmDocument[] = [];
  const used = new Set<string>();
  for (const { subset, path: metadataPath, metadata } of parsed) {
    submissionSets.push({ subset, ...metadata.submissionSet });
    for (const de of metadata.documentEntries) {
      const info = findDocument(entries, subset, de.uri, metadataPath);
      if (used.has(info.name)) throw new XdmReadError('RLS_XDM_BAD_METADATA', 'two DocumentEntries name the same file', metadataPath);
      used.add(info.name);
      if (info.uncompressedSize !== de.size) {
        throw new XdmReadError('RLS_XDM_SIZE_MISMATCH', `size ${info.uncompressedSize}, metadata says ${de.size}`, info.name);
      }
      const cda = await readEntry(zipfile, info, limits.maxEntryBytes);
      if (cda.length !== de.size) throw new XdmReadError('RLS_XDM_SIZE_MISMATCH', `size ${cda.length}, metadata says ${de.size}`, info.name);
      const sha1 = createHash('sha1').update(cda).digest('hex');
      if (sha1 !== de.hash.toLowerCase()) throw new XdmReadError('RLS_XDM_HASH_MISMATCH', 'SHA-1 differs from the hash slot', info.name);

      const header = readCda(cda, info.name, limits.maxEntryBytes);
      if (formatInstanceId(header.id) !== de.uniqueId) {
        throw new XdmReadError('RLS_XDM_CDA_MISMATCH', 'the CDA id differs from the DocumentEntry uniqueId', info.name);
      }
      if (header.code.code !== de.typeCode.code) {
        throw new XdmReadError('RLS_XDM_CDA_MISMATCH', 'the CDA code differs from the DocumentEntry typeCode', info.name);
      }
      if (header.recordTargetCount !== 1 || !header.patient.ids.some((id) => id.root === patient.insOid && id.extension === patient.ins)) {
        throw new XdmReadError('RLS_XDM_PATIENT', 'the CDA recordTarget does not carry the archive\'s INS', info.name);
      }
      // Volet B: T10's TXA-13 is the CDA relatedDocument/parentDocument/id; a replacement without one cannot be forwarded.
      const parent = header.relatedDocuments.find((r) => r.typeCode === 'RPLC')?.parentIds[0];
      if (de.action === 'replace' && parent === undefined) {
        throw new XdmReadError('RLS_XDM_ACTION', 'a replacement whose CDA names no replaced document (relatedDocument RPLC)', info.name);
      }
      documents.push({
        subset, uri: de.uri, path: info.name, entryUUID: de.entryUUID, uniqueId: de.uniqueId, typeCode: de.typeCode, cda, header,
        confidentialityCodes: de.confidentialityCodes, action: de.action,
        ...(parent === undefined ? {} : { replacesUniqueId: formatInstanceId(parent) }),
      });
    }
  }
  return { ok: true, patient, submissionSets, documents };
}

/** Reads and checks an XDM archive. Limits default to DEFAULT_XDM_LIMITS; `testOids` admits the INS test OIDs. */
export async function readXdmArchive(zip: Buffer, options: XdmReadOptions = {}): Promise<XdmReadResult> {
  const limits = limitsOf(options);
  let opened: OpenedZip | undefined;
  try {
    opened = await openZip(zip, limits);
    return await read(opened, limits, options);
  } catch (err) {
    if (err instanceof XdmReadError) {
      return { ok: false, code: err.code, detail: err.message, ...(err.path === undefined ? {} : { path: err.path }) };
    }
    throw err;
  } finally {
    opened?.zipfile.close();
  }
}

/**
 * True when the zip has the XDM layout (an `IHE_XDM/<folder>/METADATA.XML` entry), read from the central directory
 * only: for mails whose archive is not named IHE_XDM.zip (digest §A8). False for anything that is not a safe zip.
 */
export async function looksLikeXdm(zip: Buffer, options: Partial<XdmReadLimits> = {}): Promise<boolean> {
  try {
    const opened = await openZip(zip, limitsOf(options));
    opened.zipfile.close();
    return metadataEntries(opened.entries).length > 0;
  } catch (err) {
    if (err instanceof XdmReadError) return false;
    throw err;
  }
}
