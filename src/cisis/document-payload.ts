import { createHash } from 'node:crypto';
import { readCdaHeader } from '../cda/index.js';
import type { CdaHeader } from '../cda/index.js';
import { isRelaisError } from '../domain/index.js';
import { decodeBase64, decodedLength } from './base64.js';
import type { Findings } from './findings.js';
import { at } from './segment-refs.js';
import type { VoletAConfig } from './types.js';
import type { ObxGroup } from './volet-a-structure.js';

export interface DecodedDocument {
  group: ObxGroup;
  bytes: Buffer;
  sha256: string;
  header: CdaHeader;
}

/**
 * The document OBX-5 (volet A §2.4.7): ED `^TEXT^XML^Base64^<CDA>` (ORU, v2.5 table 0191) or `^text^XML^Base64^<CDA>`
 * (MDM, v2.6 MIME type); the case of the type is not held against the sender. The base64 is decoded once and the
 * CDA header read once (refusing DTDs and entities, never expanding them). Every failure is 102 at OBX-5, with the cause.
 */
export function readDocumentPayload(group: ObxGroup, config: VoletAConfig, f: Findings): DecodedDocument | undefined {
  const obx = group.obx;
  const seg = obx.segment;
  const valueType = seg.get(2, 1);
  if (valueType !== 'ED') {
    f.input(valueType === '' ? '101' : '102', at(obx, 2), `OBX-2 of the document OBX is '${valueType}'; expected ED (encapsulated CDA)`);
    return undefined;
  }
  const ed = seg.repetitions(5)[0];
  if (ed === undefined || ed.get(5) === '') {
    f.input('101', at(obx, 5), 'OBX-5 of the document OBX is empty; expected ^TEXT^XML^Base64^<CDA in base64>');
    return undefined;
  }
  const parts: [number, string, string][] = [[2, 'text', 'TEXT (ORU) or text (MDM)'], [3, 'xml', 'XML'], [4, 'base64', 'Base64']];
  for (const [component, expected, shown] of parts) {
    const value = ed.get(component);
    if (value.toLowerCase() !== expected) {
      f.input('102', at(obx, 5, 1, component), `OBX-5.${component} is '${value}'; expected ${shown}`);
      return undefined;
    }
  }
  const data = ed.get(5);
  if (decodedLength(data) > config.maxDocumentBytes) {
    f.input('102', at(obx, 5), `the document exceeds the maximum size accepted (${config.maxDocumentBytes} bytes)`);
    return undefined;
  }
  const decoded = decodeBase64(data);
  if (!decoded.ok) {
    f.input('102', at(obx, 5), `OBX-5.5 is not valid base64: ${decoded.reason}`);
    return undefined;
  }
  let header: CdaHeader;
  try {
    header = readCdaHeader(decoded.bytes, { maxBytes: config.maxDocumentBytes, scope: config.cdaCheck });
  } catch (e) {
    if (!isRelaisError(e)) throw e;
    f.input('102', at(obx, 5), cdaFailure(e.code, e.details, config.maxDocumentBytes));
    return undefined;
  }
  const sha256 = createHash('sha256').update(decoded.bytes).digest('hex');
  return { group, bytes: decoded.bytes, sha256, header };
}

function cdaFailure(code: string, details: Readonly<Record<string, unknown>>, maxBytes: number): string {
  switch (code) {
    case 'RLS_CDA_FORBIDDEN_DTD':
      return 'the CDA declares a DTD or entities (DOCTYPE/ENTITY), which Relais refuses and never expands';
    case 'RLS_CDA_NOT_XML':
      return 'OBX-5 does not carry a CDA: the decoded content is not well-formed XML';
    case 'RLS_CDA_NOT_CDA':
      return 'the XML in OBX-5 is not an HL7 CDA R2 ClinicalDocument (urn:hl7-org:v3)';
    case 'RLS_CDA_BAD_ENCODING':
      return 'the CDA bytes do not match the encoding its XML declaration names (UTF-8 when none), or that encoding is not UTF-8, ISO-8859-1 or ISO-8859-15';
    case 'RLS_CDA_TOO_LARGE':
      return `the CDA exceeds the maximum size accepted (${maxBytes} bytes)`;
    case 'RLS_CDA_MISSING_ELEMENT': {
      const element = typeof details['element'] === 'string' ? details['element'] : 'a required element';
      return `the CDA header lacks ${element}`;
    }
    default:
      return `the CDA cannot be read (${code})`;
  }
}
