import { RelaisError } from '../domain/index.js';
import { scanHeader, type BodyInfo, type HeaderScan } from './header-scan.js';
import { openXml, sourceBytes, sourceText, type XmlSource } from './safe-xml.js';
import type {
  CdaAuthor, CdaHeader, CdaOrder, CdaOrganization, CdaPatient, CdaPerson, CdaRelatedDocument, CdaServiceEvent,
  CodedValue, InstanceId, ReadOptions,
} from './types.js';
import { attr, child, children, DICOM_PS3_20, path, text, type XmlElement } from './xml-element.js';
import { checkWellFormed } from './xml-well-formed.js';

/**
 * Reads the CDA R2 header fields Relais needs (volet A §2.4.3, §2.4.6, §2.4.7, §2.5; XDS mapping of the
 * MSS/DMP digest B2). Input is refused, in this order: oversize (RLS_CDA_TOO_LARGE), not XML or badly formed
 * (RLS_CDA_NOT_XML), unsupported encoding (RLS_CDA_BAD_ENCODING), DOCTYPE/ENTITY (RLS_CDA_FORBIDDEN_DTD),
 * root not {urn:hl7-org:v3}ClinicalDocument (RLS_CDA_NOT_CDA), no id/code/recordTarget/body
 * (RLS_CDA_MISSING_ELEMENT, details.element).
 *
 * Both scopes read the header the same way, with a strict scanner (header-scan.ts): the prolog, the root start tag
 * and the root's children up to the first root-level component, then the body's first elements only (nonXMLBody or
 * structuredBody, the nonXMLBody text attributes). Root children placed after that component are not read.
 * - 'full' (default): the WHOLE document must be well-formed XML. Its characters are all checked first
 *   (sourceBytes), then, once the header is read, the rest is checked from where the header reader stopped
 *   (xml-well-formed.ts, on the bytes: no tree is built and the base64 body is never decoded): balanced tags,
 *   well-formed attributes and references, only the five predefined entities, every namespace prefix declared,
 *   comments, PIs and CDATA closed, nothing after the root but comments, PIs and white space. A fault anywhere gives
 *   RLS_CDA_NOT_XML, which takes precedence over RLS_CDA_NOT_CDA and RLS_CDA_MISSING_ELEMENT, as with a parser.
 *   About 0.2–0.6 ms for an N1 carrying a 100–450 KB document, 1.7 ms for a 350 KB N3.
 * - 'header': only what the header reader reads is checked, so a body truncated or malformed further on is not seen.
 */
export function readCdaHeader(xml: Buffer | string, options: ReadOptions = {}): CdaHeader {
  const source = openXml(xml, { maxBytes: options.maxBytes });
  if (options.scope === 'header') {
    const { scan } = scanHeaderOf(source, false);
    return headerFrom(scan.root, scan.body ?? {});
  }
  const { bytes, encoding } = sourceBytes(source);
  let read: ReadHeader;
  try {
    read = scanHeaderOf(source, true);
  } catch (e) {
    // Malformed XML anywhere takes precedence over a wrong root, as it would in a parser.
    if (e instanceof RelaisError && e.code === 'RLS_CDA_NOT_CDA') checkWellFormed(bytes, encoding);
    throw e;
  }
  const stop = read.scan.stoppedAt;
  if (stop !== undefined) {
    // Positions in the text read → byte offsets (a text source was encoded to UTF-8 by sourceBytes).
    const offset = (at: number) => (encoding === 'utf-8' ? Buffer.byteLength(read.text.slice(0, at), 'utf8') : at);
    checkWellFormed(bytes, encoding, { rootAt: offset(stop.rootAt), at: offset(stop.componentAt), rootScope: stop.rootScope });
  }
  return headerFrom(read.scan.root, read.scan.body ?? {});
}

// Room after the first body marker for the nonXMLBody and text start tags.
const HEADER_MARGIN = 4096;

/**
 * Decodes and scans only the start of the document: up to the first mention of a body element plus a margin.
 * When that prefix does not hold the whole header (the mention was in a comment, say), or is malformed, the whole
 * document is scanned instead, so the answer never depends on where the prefix was cut.
 */
interface ReadHeader { scan: HeaderScan; text: string }

function scanHeaderOf(source: XmlSource, charactersChecked: boolean): ReadHeader {
  const marker = firstBodyMarker(source);
  const total = source.kind === 'text' ? source.text.length : source.bytes.length;
  const end = marker === -1 ? undefined : marker + HEADER_MARGIN;
  if (end !== undefined && end < total) {
    try {
      const text = sourceText(source, end, charactersChecked);
      const scan = scanHeader(text);
      if (scan.body?.kind !== undefined && scan.body.truncated !== true) return { scan, text };
    } catch (e) {
      if (!(e instanceof RelaisError && e.code === 'RLS_CDA_NOT_XML')) throw e;
    }
  }
  const text = sourceText(source, undefined, charactersChecked);
  return { scan: scanHeader(text), text };
}

/**
 * Where 'structuredBody' or 'nonXMLBody' first occurs, or -1. Both end with 'Body', so one search that stops at
 * the first match suffices (two searches would each run to the end of an N1's base64 for the absent one).
 */
function firstBodyMarker(source: XmlSource): number {
  const find = (from: number) => (source.kind === 'text' ? source.text.indexOf('Body', from) : source.bytes.indexOf('Body', from, 'latin1'));
  const before = (at: number, word: string) => at >= word.length && (source.kind === 'text'
    ? source.text.startsWith(word, at - word.length)
    : source.bytes.toString('latin1', at - word.length, at) === word);
  for (let at = find(0); at !== -1; at = find(at + 4)) {
    if (before(at, 'structured')) return at - 10;
    if (before(at, 'nonXML')) return at - 6;
  }
  return -1;
}

function missing(element: string): RelaisError {
  return new RelaisError('RLS_CDA_MISSING_ELEMENT', `missing ${element}`, { element });
}

function headerFrom(root: XmlElement, body: BodyInfo): CdaHeader {
  const idEl = child(root, 'id');
  if (idEl === undefined) throw missing('ClinicalDocument/id');
  const id = instanceId(idEl);
  if (id === undefined) throw missing('ClinicalDocument/id/@root');
  const codeEl = child(root, 'code');
  if (codeEl === undefined) throw missing('ClinicalDocument/code');
  const code = codedValue(codeEl);
  if (code === undefined) throw missing('ClinicalDocument/code/@code');
  const recordTargets = children(root, 'recordTarget');
  if (recordTargets.length === 0) throw missing('ClinicalDocument/recordTarget');
  if (body.kind === undefined) throw missing('ClinicalDocument/component/(nonXMLBody|structuredBody)');

  const serviceEvents = children(root, 'documentationOf').flatMap((d) => children(d, 'serviceEvent')).map(serviceEvent);
  const authors = children(root, 'author').map(author);
  const legalAuthenticator = readLegalAuthenticator(child(root, 'legalAuthenticator'));
  const practiceSetting = readPracticeSetting(root);

  const header: CdaHeader = {
    id,
    code,
    templateIds: compact(children(root, 'templateId').map(instanceId)),
    recordTargetCount: recordTargets.length,
    patient: patient(path(recordTargets[0], 'patientRole')),
    authors,
    relatedDocuments: children(root, 'relatedDocument').map(relatedDocument),
    serviceEvents,
    orders: children(root, 'inFulfillmentOf').flatMap((f) => children(f, 'order')).map(order),
    level: body.kind === 'nonXMLBody' ? 'N1' : 'N3',
  };
  assign(header, 'setId', instanceId(child(root, 'setId')));
  assign(header, 'versionNumber', attr(child(root, 'versionNumber'), 'value'));
  assign(header, 'title', text(child(root, 'title')));
  assign(header, 'effectiveTime', attr(child(root, 'effectiveTime'), 'value'));
  assign(header, 'confidentialityCode', codedValue(child(root, 'confidentialityCode')));
  assign(header, 'languageCode', attr(child(root, 'languageCode'), 'code'));
  assign(header, 'custodian', organization(path(root, 'custodian', 'assignedCustodian', 'representedCustodianOrganization')));
  assign(header, 'legalAuthenticator', legalAuthenticator);
  assign(header, 'serviceEvent', serviceEvents[0]);
  assign(header, 'practiceSetting', practiceSetting);
  assign(header, 'encompassingEncounter', encounter(path(root, 'componentOf', 'encompassingEncounter'), practiceSetting));
  if (body.kind === 'nonXMLBody') {
    // CDA R2 ED defaults: mediaType text/plain, representation TXT.
    header.nonXmlBody = { mediaType: body.textMediaType ?? 'text/plain', representation: body.textRepresentation ?? 'TXT' };
  }
  return header;
}

/** Sets an optional property only when it has a value, so absent fields stay absent (not `undefined`). */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function compact<T>(values: (T | undefined)[]): T[] {
  return values.filter((v): v is T => v !== undefined);
}

function instanceId(el: XmlElement | undefined): InstanceId | undefined {
  const root = attr(el, 'root');
  if (root === undefined) return undefined;
  const extension = attr(el, 'extension');
  return extension === undefined ? { root } : { root, extension };
}

function ids(el: XmlElement | undefined, local = 'id'): InstanceId[] {
  return compact(children(el, local).map(instanceId));
}

function codedValue(el: XmlElement | undefined): CodedValue | undefined {
  const code = attr(el, 'code');
  if (code === undefined) return undefined;
  const cv: CodedValue = { code };
  assign(cv, 'codeSystem', attr(el, 'codeSystem'));
  assign(cv, 'codeSystemName', attr(el, 'codeSystemName'));
  assign(cv, 'displayName', attr(el, 'displayName'));
  const translations = compact(children(el, 'translation').map(codedValue));
  if (translations.length > 0) cv.translations = translations;
  return cv;
}

function qualifiers(el: XmlElement): string[] {
  return (attr(el, 'qualifier') ?? '').split(/\s+/).filter((q) => q !== '');
}

function patient(patientRole: XmlElement | undefined): CdaPatient {
  const result: CdaPatient = { ids: ids(patientRole), given: [] };
  const p = child(patientRole, 'patient');
  if (p === undefined) return result;
  const names = children(p, 'name');
  const families = names.flatMap((n) => children(n, 'family'));
  const givens = names.flatMap((n) => children(n, 'given'));
  const withQualifier = (els: XmlElement[], q: string) => els.find((e) => qualifiers(e).includes(q));
  const unqualified = (els: XmlElement[]) => els.filter((e) => qualifiers(e).length === 0);

  assign(result, 'birthFamily', text(withQualifier(families, 'BR') ?? unqualified(families)[0] ?? families[0]));
  assign(result, 'usedFamily', text(withQualifier(families, 'CL') ?? withQualifier(families, 'SP')));
  // Current ANS models: the unqualified given is the whole list of birth given names and given@BR its first
  // name. Older examples put the first name in given@BR and only the other names in the unqualified given.
  const list = unqualified(givens).flatMap((g) => (text(g) ?? '').split(' ')).filter((g) => g !== '');
  const first = text(withQualifier(givens, 'BR'));
  result.given = first === undefined || list[0] === first ? list : [first, ...list];
  assign(result, 'firstGiven', first ?? result.given[0]);
  assign(result, 'usedGiven', text(withQualifier(givens, 'CL')));
  assign(result, 'gender', attr(child(p, 'administrativeGenderCode'), 'code'));
  assign(result, 'birthTime', attr(child(p, 'birthTime'), 'value'));
  const birthAddr = path(p, 'birthplace', 'place', 'addr');
  assign(result, 'birthPlaceCode', text(child(birthAddr, 'county')) ?? text(child(birthAddr, 'censusTract')));
  return result;
}

/** A professional: ids of the role element, name of its person element (assignedPerson, associatedPerson…). */
function person(role: XmlElement | undefined, personLocal = 'assignedPerson'): CdaPerson | undefined {
  if (role === undefined) return undefined;
  const result: CdaPerson = { ids: ids(role) };
  const name = path(role, personLocal, 'name');
  if (name !== undefined) {
    assign(result, 'family', text(child(name, 'family')));
    const given = compact(children(name, 'given').map(text));
    if (given.length > 0) result.given = given;
    assign(result, 'prefix', text(child(name, 'prefix')));
  }
  return result;
}

function organization(el: XmlElement | undefined): CdaOrganization | undefined {
  if (el === undefined) return undefined;
  const result: CdaOrganization = { ids: ids(el) };
  assign(result, 'name', text(child(el, 'name')));
  return result;
}

function author(el: XmlElement): CdaAuthor {
  const result: CdaAuthor = {};
  const assigned = child(el, 'assignedAuthor');
  assign(result, 'time', attr(child(el, 'time'), 'value'));
  assign(result, 'person', person(assigned));
  assign(result, 'functionCode', codedValue(child(el, 'functionCode')));
  assign(result, 'specialty', codedValue(child(assigned, 'code')));
  assign(result, 'organization', organization(child(assigned, 'representedOrganization')));
  const device = child(assigned, 'assignedAuthoringDevice');
  if (device !== undefined) {
    const d: NonNullable<CdaAuthor['device']> = {};
    assign(d, 'softwareName', text(child(device, 'softwareName')));
    assign(d, 'manufacturerModelName', text(child(device, 'manufacturerModelName')));
    result.device = d;
  }
  return result;
}

function readLegalAuthenticator(el: XmlElement | undefined): CdaHeader['legalAuthenticator'] {
  if (el === undefined) return undefined;
  const entity = child(el, 'assignedEntity');
  const result: NonNullable<CdaHeader['legalAuthenticator']> = {};
  assign(result, 'time', attr(child(el, 'time'), 'value'));
  assign(result, 'person', person(entity));
  assign(result, 'organization', organization(child(entity, 'representedOrganization')));
  return result;
}

function relatedDocument(el: XmlElement): CdaRelatedDocument {
  const parent = child(el, 'parentDocument');
  const result: CdaRelatedDocument = { typeCode: attr(el, 'typeCode') ?? '', parentIds: ids(parent) };
  assign(result, 'parentSetId', instanceId(child(parent, 'setId')));
  assign(result, 'parentVersion', attr(child(parent, 'versionNumber'), 'value'));
  return result;
}

function interval(el: XmlElement | undefined): { low?: string; high?: string } {
  const low = attr(child(el, 'low'), 'value') ?? attr(el, 'value');
  const high = attr(child(el, 'high'), 'value');
  return { ...(low !== undefined && { low }), ...(high !== undefined && { high }) };
}

function serviceEvent(el: XmlElement): CdaServiceEvent {
  const result: CdaServiceEvent = {
    ids: ids(el),
    performers: compact(children(el, 'performer').map((p) => person(child(p, 'assignedEntity')))),
  };
  assign(result, 'code', codedValue(child(el, 'code')));
  const { low, high } = interval(child(el, 'effectiveTime'));
  assign(result, 'effectiveLow', low);
  assign(result, 'effectiveHigh', high);
  return result;
}

function order(el: XmlElement): CdaOrder {
  const result: CdaOrder = { ids: ids(el) };
  assign(result, 'accessionNumber', instanceId(child(el, 'accessionNumber', DICOM_PS3_20)));
  return result;
}

function readPracticeSetting(root: XmlElement): CodedValue | undefined {
  const sic = (org: XmlElement | undefined) => codedValue(child(org, 'standardIndustryClassCode'));
  for (const d of children(root, 'documentationOf')) {
    for (const p of children(child(d, 'serviceEvent'), 'performer')) {
      const found = sic(path(p, 'assignedEntity', 'representedOrganization'));
      if (found !== undefined) return found;
    }
  }
  return sic(path(root, 'author', 'assignedAuthor', 'representedOrganization'))
    ?? sic(path(root, 'legalAuthenticator', 'assignedEntity', 'representedOrganization'));
}

function encounter(el: XmlElement | undefined, practiceSetting: CodedValue | undefined): CdaHeader['encompassingEncounter'] {
  if (el === undefined) return undefined;
  const result: NonNullable<CdaHeader['encompassingEncounter']> = {};
  assign(result, 'code', codedValue(child(el, 'code')));
  const { low, high } = interval(child(el, 'effectiveTime'));
  assign(result, 'effectiveLow', low);
  assign(result, 'effectiveHigh', high);
  const facility = path(el, 'location', 'healthCareFacility');
  assign(result, 'healthcareFacilityType', codedValue(child(facility, 'code')));
  assign(result, 'practiceSetting', practiceSetting);
  assign(result, 'locationName', text(path(facility, 'location', 'name')));
  return result;
}
