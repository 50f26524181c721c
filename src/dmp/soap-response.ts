import type { Element } from '@xmldom/xmldom';
import { RelaisError } from '../domain/index.js';
import { XDS_UUID } from '../xds/index.js';
import { attr, childElements, descendants, elementChildren, firstChild, parseXml, text } from './parse-xml.js';
import { SOAP_NS } from './soap-envelope.js';

/** One rs:RegistryError (digest §C2, §C8). `codeContext` is the DMP's free text: it may name the patient. */
export interface RegistryErrorItem {
  errorCode: string;
  codeContext: string;
  /** `Error` or `Warning` (the last segment of the severity URN). */
  severity: string;
  location?: string;
}

/** An ExtrinsicObject of an ITI-18 LeafClass answer: what TD3.1b needs before a replacement or a deletion. */
export interface FoundDocumentEntry {
  entryUUID: string;
  uniqueId?: string;
  /** The full availabilityStatus URN (Approved, Deprecated, `urn:asip:ci-sis:2010:StatusType:Deleted`…). */
  status: string;
  patientId?: string;
  hash?: string;
  size?: number;
}

/** The ebRS answers: rs:RegistryResponse (ITI-41, ITI-57) or query:AdhocQueryResponse (ITI-18). */
export interface RegistryAnswer {
  kind: 'registry';
  /** `Success`, `Failure` or `PartialSuccess` (the last segment of the status URN). */
  status: string;
  statusUri: string;
  errors: RegistryErrorItem[];
  /** ITI-18 only; empty otherwise. */
  entries: FoundDocumentEntry[];
  /** wsa:RelatesTo, when the DMP echoes our MessageID. */
  relatesTo?: string;
}

/** A SOAP 1.2 Fault: Code/Value, the Subcode chain, the first Reason text. */
export interface SoapFault {
  kind: 'fault';
  /** `Sender`, `Receiver`, `MustUnderstand`, `VersionMismatch` or `DataEncodingUnknown`. */
  code: string;
  /** Subcode values as written (`prefix:local`), outermost first. */
  subcodes: string[];
  reason: string;
  relatesTo?: string;
}

export type SoapAnswer = RegistryAnswer | SoapFault;

function missing(what: string): RelaisError {
  return new RelaisError('RLS_DMP_MALFORMED', undefined, { reason: `no ${what} in the SOAP answer` });
}

function lastSegment(uri: string): string {
  const at = uri.lastIndexOf(':');
  return at === -1 ? uri : uri.slice(at + 1);
}

function registryErrors(response: Element): RegistryErrorItem[] {
  return descendants(response, SOAP_NS.rs, 'RegistryError').map((e) => {
    const location = attr(e, 'location');
    return {
      errorCode: attr(e, 'errorCode') ?? '',
      codeContext: attr(e, 'codeContext') ?? text(e) ?? '',
      severity: lastSegment(attr(e, 'severity') ?? 'Error'),
      ...(location === undefined ? {} : { location }),
    };
  });
}

function slotValue(eo: Element, name: string): string | undefined {
  const slot = childElements(eo, SOAP_NS.rim, 'Slot').find((s) => attr(s, 'name') === name);
  return slot === undefined ? undefined : text(descendants(slot, SOAP_NS.rim, 'Value')[0]);
}

function externalId(eo: Element, scheme: string): string | undefined {
  const id = childElements(eo, SOAP_NS.rim, 'ExternalIdentifier').find((x) => attr(x, 'identificationScheme') === scheme);
  return id === undefined ? undefined : attr(id, 'value');
}

function foundEntry(eo: Element): FoundDocumentEntry {
  const uniqueId = externalId(eo, XDS_UUID.documentEntryUniqueId);
  const patientId = externalId(eo, XDS_UUID.documentEntryPatientId);
  const hash = slotValue(eo, 'hash');
  const size = slotValue(eo, 'size');
  return {
    entryUUID: attr(eo, 'id') ?? '',
    status: attr(eo, 'status') ?? '',
    ...(uniqueId === undefined ? {} : { uniqueId }),
    ...(patientId === undefined ? {} : { patientId }),
    ...(hash === undefined ? {} : { hash }),
    ...(size === undefined || !/^\d+$/.test(size) ? {} : { size: Number(size) }),
  };
}

/** Resolves a QName value (`env:Receiver`) against the in-scope namespaces of `e`. */
function faultCode(e: Element): { ns: string | null; local: string; raw: string } {
  const raw = text(e) ?? '';
  const colon = raw.indexOf(':');
  const prefix = colon === -1 ? null : raw.slice(0, colon);
  return { ns: e.lookupNamespaceURI(prefix), local: colon === -1 ? raw : raw.slice(colon + 1), raw };
}

function parseFault(fault: Element, relatesTo: string | undefined): SoapFault {
  const codeEl = firstChild(fault, SOAP_NS.soap, 'Code');
  const value = codeEl === undefined ? undefined : firstChild(codeEl, SOAP_NS.soap, 'Value');
  if (codeEl === undefined || value === undefined) throw missing('Fault/Code/Value');
  const code = faultCode(value);
  const subcodes: string[] = [];
  for (let sub = firstChild(codeEl, SOAP_NS.soap, 'Subcode'); sub !== undefined; sub = firstChild(sub, SOAP_NS.soap, 'Subcode')) {
    const v = firstChild(sub, SOAP_NS.soap, 'Value');
    if (v !== undefined) subcodes.push(faultCode(v).raw);
  }
  const reasonEl = firstChild(fault, SOAP_NS.soap, 'Reason');
  const reason = reasonEl === undefined ? '' : text(childElements(reasonEl, SOAP_NS.soap, 'Text')[0]) ?? '';
  return {
    kind: 'fault', code: code.ns === SOAP_NS.soap ? code.local : code.raw, subcodes, reason,
    ...(relatesTo === undefined ? {} : { relatesTo }),
  };
}

/**
 * Reads a DMP answer (the root SOAP part): a Fault, an rs:RegistryResponse or a query:AdhocQueryResponse. Anything
 * else (not XML, a DTD, another envelope version, an empty body) is RLS_DMP_MALFORMED.
 */
export function parseSoapAnswer(xml: Buffer | string): SoapAnswer {
  const doc = parseXml(xml);
  const envelope = doc.documentElement;
  if (envelope === null || envelope.namespaceURI !== SOAP_NS.soap || envelope.localName !== 'Envelope') {
    throw missing('SOAP 1.2 Envelope');
  }
  const header = firstChild(envelope, SOAP_NS.soap, 'Header');
  const relatesTo = header === undefined ? undefined : text(firstChild(header, SOAP_NS.wsa, 'RelatesTo'));
  const body = firstChild(envelope, SOAP_NS.soap, 'Body');
  const content = body === undefined ? undefined : elementChildren(body)[0];
  if (content === undefined) throw missing('Body content');
  if (content.namespaceURI === SOAP_NS.soap && content.localName === 'Fault') return parseFault(content, relatesTo);
  const isQuery = content.namespaceURI === SOAP_NS.query && content.localName === 'AdhocQueryResponse';
  if (!isQuery && !(content.namespaceURI === SOAP_NS.rs && content.localName === 'RegistryResponse')) {
    throw missing('RegistryResponse or AdhocQueryResponse');
  }
  const statusUri = attr(content, 'status');
  if (statusUri === undefined) throw missing('RegistryResponse status');
  const list = isQuery ? firstChild(content, SOAP_NS.rim, 'RegistryObjectList') : undefined;
  return {
    kind: 'registry',
    status: lastSegment(statusUri),
    statusUri,
    errors: registryErrors(content),
    entries: list === undefined ? [] : childElements(list, SOAP_NS.rim, 'ExtrinsicObject').map(foundEntry),
    ...(relatesTo === undefined ? {} : { relatesTo }),
  };
}
