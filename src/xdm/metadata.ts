import type { Document, Element } from '@xmldom/xmldom';
import { isRelaisError } from '../domain/index.js';
import { loadSafeXml } from '../cda/index.js';
import { ASSOCIATION_TYPE, EBRIM_NS, XDS_UUID, type XdsCode } from '../xds/index.js';
import { XdmReadError } from './zip-reader.js';
import type { XdmAction } from './types.js';

/** What the reader needs from one METADATA.XML (ebRS 3.0 lcm:SubmitObjectsRequest, digest §B2). */
export interface ParsedSubmissionSet {
  entryUUID: string;
  uniqueId: string;
  patientId: string;
  sourceId?: string;
  submissionTime?: string;
  intendedRecipients: string[];
}

export interface ParsedDocumentEntry {
  entryUUID: string;
  uniqueId: string;
  patientId: string;
  hash: string;
  size: number;
  uri: string;
  typeCode: XdsCode;
  confidentialityCodes: XdsCode[];
  action: XdmAction;
}

export interface ParsedMetadata {
  submissionSet: ParsedSubmissionSet;
  documentEntries: ParsedDocumentEntry[];
}

/** The French "extra metadata" of a replacement (`C`) or a deletion (`D`), volet A §2.4.10 / volet B §3.1. */
export const ACTION_SLOT = 'action';
export const ACTION_CODE: Readonly<Record<Exclude<XdmAction, 'publish'>, string>> = Object.freeze({ replace: 'C', delete: 'D' });

function bad(detail: string, path: string): XdmReadError {
  return new XdmReadError('RLS_XDM_BAD_METADATA', detail, path);
}

function children(parent: Element, local: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === EBRIM_NS.rim && (n as Element).localName === local) out.push(n as Element);
  }
  return out;
}

function slotValues(parent: Element, matches: (name: string) => boolean): string[] {
  return children(parent, 'Slot').filter((s) => matches(s.getAttribute('name') ?? ''))
    .flatMap((s) => children(s, 'ValueList').flatMap((vl) => children(vl, 'Value')))
    .map((v) => (v.textContent ?? '').trim());
}

function slot(parent: Element, name: string): string | undefined {
  return slotValues(parent, (n) => n === name)[0];
}

function localizedName(parent: Element): string {
  const name = children(parent, 'Name')[0];
  return (name === undefined ? undefined : children(name, 'LocalizedString')[0]?.getAttribute('value')) ?? '';
}

function externalId(parent: Element, scheme: string): string | undefined {
  return children(parent, 'ExternalIdentifier').find((e) => e.getAttribute('identificationScheme') === scheme)?.getAttribute('value') ?? undefined;
}

function codes(parent: Element, scheme: string): XdsCode[] {
  return children(parent, 'Classification').filter((c) => c.getAttribute('classificationScheme') === scheme)
    .map((c) => ({ code: c.getAttribute('nodeRepresentation') ?? '', codingScheme: slot(c, 'codingScheme') ?? '', display: localizedName(c) }));
}

function required<T>(value: T | undefined, what: string, path: string): T {
  if (value === undefined || value === '') throw bad(`missing ${what}`, path);
  return value;
}

/** `C` → replace, `D` → delete, no slot → publish. Read from `action` or any extra slot named `…:action`. */
function action(entry: Element, path: string): XdmAction {
  const values = slotValues(entry, (n) => n.toLowerCase() === ACTION_SLOT || n.toLowerCase().endsWith(`:${ACTION_SLOT}`));
  if (values.length === 0) return 'publish';
  const v = values.length === 1 ? values[0]?.toUpperCase() : undefined;
  if (v === ACTION_CODE.replace) return 'replace';
  if (v === ACTION_CODE.delete) return 'delete';
  throw new XdmReadError('RLS_XDM_ACTION', 'the action slot is neither C nor D', path);
}

function documentEntry(e: Element, path: string): ParsedDocumentEntry {
  const id = required(e.getAttribute('id') ?? undefined, 'ExtrinsicObject id', path);
  const sizeText = required(slot(e, 'size'), 'size slot', path);
  if (!/^[0-9]{1,15}$/.test(sizeText)) throw bad('the size slot is not a byte count', path);
  const typeCode = codes(e, XDS_UUID.documentEntryTypeCode)[0];
  return {
    entryUUID: id,
    uniqueId: required(externalId(e, XDS_UUID.documentEntryUniqueId), 'XDSDocumentEntry.uniqueId', path),
    patientId: required(externalId(e, XDS_UUID.documentEntryPatientId), 'XDSDocumentEntry.patientId', path),
    hash: required(slot(e, 'hash'), 'hash slot', path),
    size: Number(sizeText),
    uri: required(slot(e, 'URI'), 'URI slot', path),
    typeCode: required(typeCode?.code === '' ? undefined : typeCode, 'typeCode', path),
    confidentialityCodes: codes(e, XDS_UUID.documentEntryConfidentialityCode),
    action: action(e, path),
  };
}

/** The RegistryPackage that a Classification (nested or not) marks as the SubmissionSet. */
function submissionSetElement(list: Element, path: string): Element {
  const packages = children(list, 'RegistryPackage');
  const marked = new Set(
    [...children(list, 'Classification'), ...packages.flatMap((p) => children(p, 'Classification'))]
      .filter((c) => c.getAttribute('classificationNode') === XDS_UUID.submissionSet)
      .map((c) => c.getAttribute('classifiedObject')),
  );
  const sets = packages.filter((p) => marked.has(p.getAttribute('id')));
  if (sets.length !== 1) throw bad(`${sets.length} SubmissionSets (exactly one expected)`, path);
  return sets[0] as Element;
}

/** Parses one METADATA.XML with the project's safe loader (no DTD, size cap). */
export function parseMetadata(bytes: Buffer, path: string, maxBytes: number): ParsedMetadata {
  let doc: Document;
  try {
    doc = loadSafeXml(bytes, { maxBytes });
  } catch (err) {
    const detail = isRelaisError(err) ? `${err.code}: ${err.message}` : 'cannot be parsed';
    throw bad(detail, path);
  }
  const root = doc.documentElement;
  if (root === null || root.namespaceURI !== EBRIM_NS.lcm || root.localName !== 'SubmitObjectsRequest') {
    throw bad('the root is not lcm:SubmitObjectsRequest', path);
  }
  const list = children(root, 'RegistryObjectList')[0];
  if (list === undefined) throw bad('no rim:RegistryObjectList', path);
  const ss = submissionSetElement(list, path);
  const documentEntries = children(list, 'ExtrinsicObject')
    .filter((e) => e.getAttribute('objectType') === XDS_UUID.documentEntryType)
    .map((e) => documentEntry(e, path));
  if (documentEntries.length === 0) throw bad('no stable DocumentEntry', path);
  const ids = new Set<string>();
  for (const d of documentEntries) {
    if (ids.has(d.entryUUID)) throw bad('two DocumentEntries share an id', path);
    ids.add(d.entryUUID);
  }
  // Each document must be a member of the SubmissionSet (HasMember), as ITI-32 writes it.
  const members = new Set(children(list, 'Association')
    .filter((a) => a.getAttribute('associationType') === ASSOCIATION_TYPE.HasMember && a.getAttribute('sourceObject') === ss.getAttribute('id'))
    .map((a) => a.getAttribute('targetObject')));
  const orphan = documentEntries.find((d) => !members.has(d.entryUUID));
  if (orphan !== undefined) throw bad('a DocumentEntry is not a member of the SubmissionSet', path);
  const submissionTime = slot(ss, 'submissionTime');
  const sourceId = externalId(ss, XDS_UUID.submissionSetSourceId);
  return {
    submissionSet: {
      entryUUID: ss.getAttribute('id') ?? '',
      uniqueId: required(externalId(ss, XDS_UUID.submissionSetUniqueId), 'XDSSubmissionSet.uniqueId', path),
      patientId: required(externalId(ss, XDS_UUID.submissionSetPatientId), 'XDSSubmissionSet.patientId', path),
      ...(sourceId === undefined ? {} : { sourceId }),
      ...(submissionTime === undefined ? {} : { submissionTime }),
      intendedRecipients: slotValues(ss, (n) => n === 'intendedRecipient'),
    },
    documentEntries,
  };
}
