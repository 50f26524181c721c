import { escapeAttr, escapeText } from '../../xds/index.js';
import { SOAP_NS } from '../../dmp/index.js';

/**
 * The answers of the DMP sandbox, in the forms the dmp layer reads (digest §C2, §C8): rs:RegistryResponse,
 * query:AdhocQueryResponse and SOAP 1.2 Faults, each in a SOAP 1.2 envelope echoing the request MessageID in
 * wsa:RelatesTo.
 */

export const RESPONSE_STATUS = Object.freeze({
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
});

const SEVERITY_ERROR = 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error';

/** One rs:RegistryError to send back. */
export interface SandboxRegistryError {
  errorCode: string;
  codeContext: string;
  location?: string;
}

/** An ExtrinsicObject of an ITI-18 LeafClass answer. */
export interface QueryEntry {
  entryUUID: string;
  uniqueId: string;
  patientId: string;
  status: string;
  typeCode: { code: string; codingScheme: string };
  hash?: string;
  size?: number;
  mimeType: string;
}

const DOCUMENT_ENTRY = 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1';
const TYPE_CODE = 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983';
const PATIENT_ID = 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427';
const UNIQUE_ID = 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab';

function envelope(action: string, relatesTo: string | undefined, body: string): string {
  return `<soap:Envelope xmlns:soap="${SOAP_NS.soap}" xmlns:wsa="${SOAP_NS.wsa}"><soap:Header>`
    + `<wsa:Action soap:mustUnderstand="true">${escapeText(action)}</wsa:Action>`
    + (relatesTo === undefined ? '' : `<wsa:RelatesTo>${escapeText(relatesTo)}</wsa:RelatesTo>`)
    + `</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

function errorList(errors: readonly SandboxRegistryError[]): string {
  if (errors.length === 0) return '';
  return `<rs:RegistryErrorList highestSeverity="${SEVERITY_ERROR}">${errors.map((e) => `<rs:RegistryError errorCode="${escapeAttr(e.errorCode)}" `
    + `codeContext="${escapeAttr(e.codeContext)}" severity="${SEVERITY_ERROR}"${e.location === undefined ? '' : ` location="${escapeAttr(e.location)}"`}/>`).join('')}`
    + '</rs:RegistryErrorList>';
}

/** rs:RegistryResponse: Success without errors, Failure with them (ITI-41, ITI-57). */
export function registryResponseXml(action: string, relatesTo: string | undefined, errors: readonly SandboxRegistryError[]): string {
  const status = errors.length === 0 ? RESPONSE_STATUS.success : RESPONSE_STATUS.failure;
  return envelope(`${action}Response`, relatesTo,
    `<rs:RegistryResponse xmlns:rs="${SOAP_NS.rs}" status="${status}">${errorList(errors)}</rs:RegistryResponse>`);
}

function extrinsicObject(e: QueryEntry): string {
  const slot = (name: string, value: string) => `<rim:Slot name="${name}"><rim:ValueList><rim:Value>${escapeText(value)}</rim:Value></rim:ValueList></rim:Slot>`;
  const id = escapeAttr(e.entryUUID);
  return `<rim:ExtrinsicObject id="${id}" status="${escapeAttr(e.status)}" mimeType="${escapeAttr(e.mimeType)}" objectType="${DOCUMENT_ENTRY}">`
    + (e.hash === undefined ? '' : slot('hash', e.hash))
    + (e.size === undefined ? '' : slot('size', String(e.size)))
    + `<rim:Classification classificationScheme="${TYPE_CODE}" classifiedObject="${id}" nodeRepresentation="${escapeAttr(e.typeCode.code)}">`
    + `${slot('codingScheme', e.typeCode.codingScheme)}</rim:Classification>`
    + `<rim:ExternalIdentifier identificationScheme="${PATIENT_ID}" registryObject="${id}" value="${escapeAttr(e.patientId)}"/>`
    + `<rim:ExternalIdentifier identificationScheme="${UNIQUE_ID}" registryObject="${id}" value="${escapeAttr(e.uniqueId)}"/>`
    + '</rim:ExtrinsicObject>';
}

/** query:AdhocQueryResponse, LeafClass (ITI-18); a Failure carries errors and no object. */
export function queryResponseXml(relatesTo: string | undefined, entries: readonly QueryEntry[], errors: readonly SandboxRegistryError[] = []): string {
  const status = errors.length === 0 ? RESPONSE_STATUS.success : RESPONSE_STATUS.failure;
  const list = errors.length === 0 ? `<rim:RegistryObjectList>${entries.map(extrinsicObject).join('')}</rim:RegistryObjectList>` : '';
  return envelope('urn:ihe:iti:2007:RegistryStoredQueryResponse', relatesTo,
    `<query:AdhocQueryResponse xmlns:query="${SOAP_NS.query}" xmlns:rs="${SOAP_NS.rs}" xmlns:rim="${SOAP_NS.rim}" status="${status}">`
    + `${errorList(errors)}${list}</query:AdhocQueryResponse>`);
}

/** A SOAP 1.2 Fault; `subcode` is a QName in the WS-Addressing or WS-Security namespace (prefix wsa or wsse). */
export function soapFaultXml(code: 'Sender' | 'Receiver', subcode: string | undefined, reason: string, relatesTo?: string): string {
  const sub = subcode === undefined ? '' : `<soap:Subcode><soap:Value xmlns:wsse="${SOAP_NS.wsse}">${escapeText(subcode)}</soap:Value></soap:Subcode>`;
  return envelope('http://www.w3.org/2005/08/addressing/soap/fault', relatesTo,
    `<soap:Fault><soap:Code><soap:Value>soap:${code}</soap:Value>${sub}</soap:Code>`
    + `<soap:Reason><soap:Text xml:lang="fr">${escapeText(reason)}</soap:Text></soap:Reason></soap:Fault>`);
}
