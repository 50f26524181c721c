// Test helpers: read an ANS example and derive a failing message from it by changing one line or field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const sharedDir = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const examplesDir = join(sharedDir, 'vectors/ans-hl7v2-exemples');
/** Volet A 2.1, wave 2 tree. */
export const wave2 = 'Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1';
/** Volet A, older trees. */
export const volets = 'Volets/TRANS_DOC_CDA_HL7V2';

/** The ANS examples most tests start from. */
export const examples = {
  mdmInit: `${wave2}/MDM/Transmission initiale MDM/message_MDM_CR_Radio_INIT_N1_Base64.er7`,
  mdmInitPlaceholder: `${wave2}/MDM/Transmission initiale MDM/message_MDM_CR_Radio_INIT_N1.er7`,
  mdmReplace: `${wave2}/MDM/Remplacement MDM/message_MDM_CR_Radio_RPLC_N1.er7`,
  mdmDelete: `${wave2}/MDM/Suppression MDM/message_MDM_CR_Radio_DEL_N1.er7`,
  oruInit: `${wave2}/ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N3_SEGUR.hl7`,
  oruReplace: `${wave2}/ORU/Remplacement ORU/message_ORU_CR_Bio_RPLC_N3_SEGUR.hl7`,
  oruDelete: `${wave2}/ORU/Suppression ORU/message_ORU_CR_Bio_DEL_N3_SEGUR.hl7`,
  oruTwoDocsPlaceholder: `${volets}/V2.1/ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N1_N3.hl7`,
} as const;

const cache = new Map<string, string>();

/** The text of an example (relative to vectors/ans-hl7v2-exemples/), with CR segment terminators. */
export function example(relative: string): string {
  let text = cache.get(relative);
  if (text === undefined) {
    text = readFileSync(join(examplesDir, relative), 'utf8').split(/\r\n|\r|\n/).filter((l) => l !== '').join('\r');
    cache.set(relative, text);
  }
  return text;
}

function lines(text: string): string[] {
  return text.split('\r');
}

function lineIndex(all: string[], segment: string, occurrence: number): number {
  let seen = 0;
  for (let i = 0; i < all.length; i++) {
    if ((all[i] as string).startsWith(`${segment}|`) && ++seen === occurrence) return i;
  }
  throw new Error(`no ${segment} #${occurrence} in the message`);
}

/** Index of field n in a segment line split on '|' (MSH-1 is the separator itself). */
const fieldIndex = (segment: string, field: number): number => (segment === 'MSH' ? field - 1 : field);

export function replaceSegment(text: string, segment: string, occurrence: number, line: string): string {
  const all = lines(text);
  all[lineIndex(all, segment, occurrence)] = line;
  return all.join('\r');
}

export function removeSegment(text: string, segment: string, occurrence = 1): string {
  const all = lines(text);
  all.splice(lineIndex(all, segment, occurrence), 1);
  return all.join('\r');
}

export function insertAfter(text: string, segment: string, occurrence: number, line: string): string {
  const all = lines(text);
  all.splice(lineIndex(all, segment, occurrence) + 1, 0, line);
  return all.join('\r');
}

export function getSegment(text: string, segment: string, occurrence = 1): string {
  const all = lines(text);
  return all[lineIndex(all, segment, occurrence)] as string;
}

/** Sets a whole field (raw ER7, delimiters included). */
export function setField(text: string, segment: string, occurrence: number, field: number, value: string): string {
  const all = lines(text);
  const i = lineIndex(all, segment, occurrence);
  const parts = (all[i] as string).split('|');
  const at = fieldIndex(segment, field);
  while (parts.length <= at) parts.push('');
  parts[at] = value;
  all[i] = parts.join('|');
  return all.join('\r');
}

export function getField(text: string, segment: string, occurrence: number, field: number): string {
  return getSegment(text, segment, occurrence).split('|')[fieldIndex(segment, field)] ?? '';
}

/** Sets one component of the first repetition of a field. */
export function setComponent(text: string, segment: string, occurrence: number, field: number, component: number, value: string): string {
  const comps = getField(text, segment, occurrence, field).split('~')[0]?.split('^') ?? [];
  while (comps.length < component) comps.push('');
  comps[component - 1] = value;
  return setField(text, segment, occurrence, field, comps.join('^'));
}

/** The OBX occurrence of a MetaDMPMSS code. */
export function metaOccurrence(text: string, code: string): number {
  const obx = lines(text).filter((l) => l.startsWith('OBX|'));
  const i = obx.findIndex((l) => l.split('|')[3]?.split('^')[0] === code);
  if (i < 0) throw new Error(`no metadata ${code}`);
  return i + 1;
}

export function setFlag(text: string, code: string, value: 'Y' | 'N' | string): string {
  return setComponent(text, 'OBX', metaOccurrence(text, code), 5, 1, value);
}

/** Replaces the CDA of a document OBX by other bytes (base64-encoded here). */
export function setDocument(text: string, obxOccurrence: number, content: Buffer | string): string {
  const b64 = Buffer.from(content).toString('base64');
  return setComponent(text, 'OBX', obxOccurrence, 5, 5, b64);
}

/** The decoded CDA of a document OBX, as text (for tests that edit the document). */
export function documentText(text: string, obxOccurrence = 1): string {
  const comps = getField(text, 'OBX', obxOccurrence, 5).split('^');
  return Buffer.from(comps[4] ?? '', 'base64').toString('utf8');
}
