import type { CdaHeader, CodedValue } from '../cda/index.js';
import { RelaisError } from '../domain/index.js';
import { classCodesDmp } from './value-sets/class-codes-dmp.js';
import { confidentialityCodesDmp } from './value-sets/confidentiality-codes-dmp.js';
import { facilityTypeCodesDmp } from './value-sets/facility-type-codes-dmp.js';
import {
  FORMAT_CODE_OUTSIDE_MODELS, formatCodeByMediaType, formatCodeByTemplate,
} from './value-sets/format-by-template.js';
import { formatCodesDmp } from './value-sets/format-codes-dmp.js';
import { practiceSettingCodesDmp } from './value-sets/practice-setting-codes-dmp.js';
import { typeCodesDmp } from './value-sets/type-codes-dmp.js';
import type { ValueSet, ValueSetConcept } from './value-sets/value-set.js';
import { CODE_SYSTEM } from './xds-constants.js';
import type { XdsCode } from './xds-model.js';

function fromConcept(c: ValueSetConcept): XdsCode {
  return { code: c.code, codingScheme: c.codeSystem, display: c.display };
}

/** typeCode: the CDA `code`, which must be in JDV_J66 (volet A §2.4.5); display and scheme as the value set writes them. */
export function typeCode(header: CdaHeader): XdsCode {
  const c = typeCodesDmp.find(header.code.code, header.code.codeSystem);
  if (c === undefined) {
    throw new RelaisError('RLS_XDS_CODE', 'the document type code is not in JDV_J66 TypeCode-DMP',
      { typeCode: header.code.code, codeSystem: header.code.codeSystem });
  }
  return fromConcept(c);
}

/** classCode: derived from the typeCode by the JDV_J66 type→class association (digest §C5). */
export function classCode(type: XdsCode): XdsCode {
  const classId = typeCodesDmp.find(type.code, type.codingScheme)?.classCode;
  const c = classId === undefined ? undefined : classCodesDmp.find(classId);
  if (c === undefined) {
    throw new RelaisError('RLS_XDS_CODE', 'JDV_J66 gives no DMP classCode for this document type', { typeCode: type.code });
  }
  return fromConcept(c);
}

/**
 * formatCode (digest §C5): N1 from the nonXMLBody media type (XDS-SD), N3 from the content-model templateId
 * (ASS_A11); a structured document of no known model is "Document non référencé IHE ou CI-SIS".
 */
export function formatCode(header: CdaHeader): XdsCode {
  let code: string | undefined;
  if (header.level === 'N1') {
    const mediaType = header.nonXmlBody?.mediaType.toLowerCase() ?? '';
    code = formatCodeByMediaType[mediaType];
    if (code === undefined) {
      throw new RelaisError('RLS_XDS_CODE', 'no XDS formatCode for this nonXMLBody media type', { mediaType });
    }
  } else {
    code = header.templateIds.map((t) => formatCodeByTemplate[t.root]).find((f) => f !== undefined) ?? FORMAT_CODE_OUTSIDE_MODELS;
  }
  const c = formatCodesDmp.find(code);
  if (c === undefined) throw new RelaisError('RLS_BUG', 'a formatCode table entry is not in JDV_J60', { formatCode: code });
  return fromConcept(c);
}

/** A CDA code carried as is, its display completed from the value set when the CDA gives none. */
function carried(field: string, value: CodedValue | undefined, valueSet: ValueSet): XdsCode {
  if (value === undefined || value.code === '' || value.codeSystem === undefined) {
    throw new RelaisError('RLS_XDS_MISSING_METADATA', `the CDA gives no ${field}`, { field });
  }
  const display = value.displayName ?? valueSet.find(value.code, value.codeSystem)?.display ?? value.code;
  return { code: value.code, codingScheme: value.codeSystem, display };
}

/** healthcareFacilityTypeCode: `encompassingEncounter/location/healthCareFacility/code` (digest §B2). */
export function healthcareFacilityTypeCode(header: CdaHeader): XdsCode {
  return carried('healthcareFacilityTypeCode', header.encompassingEncounter?.healthcareFacilityType, facilityTypeCodesDmp);
}

/** practiceSettingCode: the performer's (else author's) organisation `standardIndustryClassCode` (digest §B2). */
export function practiceSettingCode(header: CdaHeader): XdsCode {
  return carried('practiceSettingCode', header.practiceSetting, practiceSettingCodesDmp);
}

/** MetaDMPMSS visibility flags (volet A §2.4.9), named as the volet names them. */
export interface VisibilityFlags {
  MASQUE_PS: boolean;
  INVISIBLE_PATIENT: boolean;
  INVISIBLE_REP_LEGAUX: boolean;
}

/**
 * confidentialityCode (volet A §2.5, digest §C6): the first comes from the CDA, the others from the MetaDMPMSS
 * flags, with the DMP spellings of TRE_A07 (INVISIBLE_REP_LEGAUX is INVISIBLE_REPRESENTANTS_LEGAUX there).
 */
export function confidentialityCodes(header: CdaHeader, flags: VisibilityFlags): XdsCode[] {
  const first = header.confidentialityCode;
  const fromCda = first === undefined ? undefined
    : confidentialityCodesDmp.find(first.code, first.codeSystem ?? CODE_SYSTEM.hl7Confidentiality);
  if (fromCda === undefined) {
    throw new RelaisError('RLS_XDS_MISSING_METADATA', 'the CDA confidentialityCode is missing or not in JDV_J58',
      { field: 'confidentialityCode', code: first?.code });
  }
  const extras = [
    flags.MASQUE_PS ? 'MASQUE_PS' : undefined,
    flags.INVISIBLE_PATIENT ? 'INVISIBLE_PATIENT' : undefined,
    flags.INVISIBLE_REP_LEGAUX ? 'INVISIBLE_REPRESENTANTS_LEGAUX' : undefined,
  ].flatMap((code) => {
    const c = code === undefined ? undefined : confidentialityCodesDmp.find(code, CODE_SYSTEM.dmpVisibility);
    return c === undefined ? [] : [fromConcept(c)];
  });
  return [fromConcept(fromCda), ...extras];
}

// eventCodeList carries acts and pathologies, and for imaging the modality and the anatomical region (digest §C5,
// §C11). The CCAM OID seen in the ANS imaging example (1.2.250.1.215.300.1) is accepted beside the NOS one.
const EVENT_CODE_SYSTEMS: ReadonlySet<string> = new Set([
  CODE_SYSTEM.ccam, '1.2.250.1.215.300.1', CODE_SYSTEM.cim10, CODE_SYSTEM.dicomModality, CODE_SYSTEM.snomedCt,
]);

/**
 * eventCodeList from every `documentationOf/serviceEvent/code` and its translations whose code system is an act,
 * pathology, modality or region system; each code once, in document order, with the CDA's code system as scheme.
 */
export function eventCodes(header: CdaHeader): XdsCode[] {
  const out: XdsCode[] = [];
  const seen = new Set<string>();
  const add = (c: CodedValue): void => {
    if (c.codeSystem === undefined || !EVENT_CODE_SYSTEMS.has(c.codeSystem)) return;
    const key = `${c.codeSystem}|${c.code}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ code: c.code, codingScheme: c.codeSystem, display: c.displayName ?? c.code });
  };
  for (const event of header.serviceEvents) {
    if (event.code === undefined) continue;
    add(event.code);
    for (const t of event.code.translations ?? []) add(t);
  }
  return out;
}
