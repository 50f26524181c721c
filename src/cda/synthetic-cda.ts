import { createHash } from 'node:crypto';
import { RelaisError } from '../domain/index.js';
import { formatInstanceId } from './instance-id.js';
import { findSegurDocumentType, LOINC_OID, type SegurDocumentType } from './segur-document-types.js';
import { narrativeFor, sectionLines, wordingFor, type NarrativeSection } from './synthetic-narratives.js';
import { syntheticPdf } from './synthetic-pdf.js';
import type { InstanceId } from './types.js';

/** A fictitious patient. `insOid` should be a test OID (1.2.250.1.213.1.4.10) outside tests of production code. */
export interface SyntheticPatient {
  ins: string;
  insOid: string;
  ipp: string;
  /** OID of the IPP domain. */
  ippAuthority: string;
  family: string;
  given: string[];
  gender: 'M' | 'F';
  /** YYYYMMDD */
  birthDate: string;
  /** INSEE code of the birthplace. */
  birthPlace: string;
}

export interface SyntheticDocumentOptions {
  /** A Ségur type code (segurDocumentTypes), e.g. '11490-0', '34874-8', '11502-2', '18748-4', '11488-4', '57833-6'. */
  typeCode: string;
  patient: SyntheticPatient;
  /** Root-only OIDs by default (the DMP refuses root^extension ids). */
  documentId: InstanceId;
  /** Default: the documentId. */
  setId?: InstanceId;
  /** Default 1. */
  version?: number;
  /** Adds relatedDocument typeCode="RPLC" pointing at this id. */
  replaces?: InstanceId;
  /** N1 = nonXMLBody with an embedded PDF; N3 = structuredBody with sections plus, like Ségur, an embedded PDF copy. */
  level: 'N1' | 'N3';
  /** Approximate size of the embedded PDF in bytes (the benchmark makes ~240 KB documents). Default: text only. */
  pdfBytes?: number;
  /** Default: now (the only non-deterministic input). */
  effectiveTime?: Date;
  /** rpps = the 11-digit RPPS number; specialty = a TRE_R38 code such as 'G15_10/SM26'. */
  author: { rpps: string; family: string; given: string; specialty?: string };
  /** finess = the 9-character FINESS number. */
  organization: { finess: string; name: string };
  /** Extra templateIds after the CI-SIS header ones (e.g. a content-model template). */
  templateIds?: InstanceId[];
  /** healthCareFacility/code from TRE_R02-SecteurActivite. Default SA01 "Etablissement public de santé". */
  healthcareFacilityType?: { code: string; displayName: string };
  /** Imaging report identifiers, placed as in the ANS imaging sample (inFulfillmentOf/order, serviceEvent id and code). */
  imaging?: SyntheticImaging;
}

export interface SyntheticImaging {
  orderPlacerNumber: InstanceId;
  accessionNumber: InstanceId;
  /** DICOM Study Instance UID (serviceEvent/id/@root). */
  studyInstanceUid: string;
  /** LOINC exam code, e.g. 24802-1 "RM genou". */
  exam: { code: string; displayName: string };
  /** DICOM modality from JDV_ModaliteAcquisition_CISIS, e.g. RM. */
  modality: { code: string; displayName: string };
  /** CCAM act, e.g. NZQN001. */
  ccam?: { code: string; displayName: string };
}

function imagingOrderXml(i: SyntheticImaging): string {
  return `
  <inFulfillmentOf>
    <order>
      <id ${iiAttrs(i.orderPlacerNumber)}/>
      <ps3-20:accessionNumber xmlns:ps3-20="urn:dicom-org:ps3-20" ${iiAttrs(i.accessionNumber)}/>
    </order>
  </inFulfillmentOf>`;
}

function imagingEventXml(i: SyntheticImaging): string {
  const ccam = i.ccam === undefined ? '' : `
        <translation code="${esc(i.ccam.code)}" displayName="${esc(i.ccam.displayName)}" codeSystem="1.2.250.1.213.2.5" codeSystemName="CCAM"/>`;
  return `
      <id root="${esc(i.studyInstanceUid)}"/>
      <code code="${esc(i.exam.code)}" displayName="${esc(i.exam.displayName)}" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC">${ccam}
        <translation code="${esc(i.modality.code)}" displayName="${esc(i.modality.displayName)}" codeSystem="1.2.840.10008.2.16.4" codeSystemName="DCM">
          <qualifier>
            <name code="121139" displayName="Modalité d'imagerie" codeSystem="1.2.840.10008.2.16.4" codeSystemName="DCM"/>
          </qualifier>
        </translation>
      </code>`;
}

// CI-SIS header templates: HL7 France, CI-SIS "structuration minimale"; N1 adds IHE XDS-SD.
const HL7_FRANCE_TEMPLATE = '2.16.840.1.113883.2.8.2.1';
const CISIS_TEMPLATE = '1.2.250.1.213.1.1.1.1';
const XDS_SD_TEMPLATE = '1.3.6.1.4.1.19376.1.2.20';
const RPPS_ROOT = '1.2.250.1.71.4.2.1';
const STRUCTURE_ROOT = '1.2.250.1.71.4.2.2';
const SPECIALTY_SYSTEM = '1.2.250.1.213.1.1.4.5';
const PRACTICE_SETTING_SYSTEM = '1.2.250.1.213.1.1.4.9';
const FACILITY_TYPE_SYSTEM = '1.2.250.1.71.4.2.4';
const ACT_CODE_SYSTEM = '2.16.840.1.113883.5.4';

const specialtyLabels: Readonly<Record<string, string>> = {
  'G15_10/SM26': 'Médecin - Qualifié en Médecine Générale (SM)',
  'G15_10/SM27': 'Médecin - Médecine interne (SM)',
  'G15_10/SM44': 'Médecin - Radio-diagnostic (SM)',
};
const defaultSpecialty: Readonly<Record<string, string>> = { '18748-4': 'G15_10/SM44', '11490-0': 'G15_10/SM27' };
const hospitalStayTypes = new Set(['11490-0', '34874-8', '34112-3', '15508-5', '77436-4']);

function esc(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function iiAttrs(id: InstanceId): string {
  return `root="${esc(id.root)}"${id.extension === undefined ? '' : ` extension="${esc(id.extension)}"`}`;
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

interface LocalTime { y: string; mo: string; d: string; h: string; mi: string; s: string; offset: string }

const parisFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** Wall-clock time in France with its UTC offset (the CI-SIS asks for a TS with timezone). */
function parisTime(date: Date): LocalTime {
  const p: Record<string, string> = {};
  for (const part of parisFormat.formatToParts(date)) p[part.type] = part.value;
  const [y, mo, d, h, mi, s] = [p.year, p.month, p.day, p.hour, p.minute, p.second].map((v) => v ?? '00') as
    [string, string, string, string, string, string];
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const minutes = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60000);
  const abs = Math.abs(minutes);
  const offset = `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return { y, mo, d, h, mi, s, offset };
}

function ts(date: Date): string {
  const t = parisTime(date);
  return `${t.y}${t.mo}${t.d}${t.h}${t.mi}${t.s}${t.offset}`;
}

function frenchDateTime(date: Date): string {
  const t = parisTime(date);
  return `${t.d}/${t.mo}/${t.y} à ${t.h}h${t.mi}`;
}

function frenchDate(yyyymmdd: string): string {
  return `${yyyymmdd.slice(6, 8)}/${yyyymmdd.slice(4, 6)}/${yyyymmdd.slice(0, 4)}`;
}

function sectionXml(s: NarrativeSection): string {
  const parts: string[] = [];
  for (const p of s.paragraphs ?? []) parts.push(`<paragraph>${esc(p)}</paragraph>`);
  if (s.items !== undefined) parts.push(`<list>${s.items.map((i) => `<item>${esc(i)}</item>`).join('')}</list>`);
  if (s.table !== undefined) {
    const head = s.table.head.map((h) => `<th>${esc(h)}</th>`).join('');
    const rows = s.table.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
    parts.push(`<table border="1"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`);
  }
  return `    <component>
      <section>
        <code code="${s.code}" displayName="${esc(s.displayName)}" codeSystem="${LOINC_OID}" codeSystemName="LOINC"/>
        <title>${esc(s.title)}</title>
        <text>${parts.join('\n')}</text>
      </section>
    </component>`;
}

/** The Ségur "FR-Document-PDF-copie" section (template 1.2.250.1.213.1.1.2.243) holding the PDF rendering. */
function pdfCopySectionXml(pdfBase64: string, seed: string): string {
  return `    <component>
      <section>
        <templateId root="1.2.250.1.213.1.1.2.243"/>
        <id root="${uuidFrom(`${seed}:copy-section`)}"/>
        <code code="55108-5" displayName="Copie du document" codeSystem="${LOINC_OID}" codeSystemName="LOINC"/>
        <title>Copie du document</title>
        <text><table border="0"><tbody><tr><td><renderMultiMedia referencedObject="doc-1"/></td></tr></tbody></table></text>
        <entry>
          <organizer classCode="CLUSTER" moodCode="EVN">
            <templateId root="1.2.250.1.213.1.1.3.18"/>
            <id root="${uuidFrom(`${seed}:copy-organizer`)}"/>
            <code code="55107-7" displayName="Document attaché" codeSystem="${LOINC_OID}" codeSystemName="LOINC"/>
            <statusCode code="completed"/>
            <component>
              <observation classCode="OBS" moodCode="EVN">
                <templateId root="1.3.6.1.4.1.19376.1.5.3.1.4.13"/>
                <templateId root="1.2.250.1.213.1.1.3.48"/>
                <templateId root="1.2.250.1.213.1.1.3.48.18"/>
                <id root="${uuidFrom(`${seed}:copy-type`)}"/>
                <code code="69764-9" displayName="Type de document" codeSystem="${LOINC_OID}" codeSystemName="LOINC"/>
                <statusCode code="completed"/>
                <effectiveTime nullFlavor="NA"/>
                <value xsi:type="CD" code="55108-5" displayName="Copie du document" codeSystem="${LOINC_OID}" codeSystemName="LOINC"/>
              </observation>
            </component>
            <component>
              <observationMedia classCode="OBS" moodCode="EVN" ID="doc-1">
                <value mediaType="application/pdf" representation="B64">${pdfBase64}</value>
              </observationMedia>
            </component>
          </organizer>
        </entry>
      </section>
    </component>`;
}

function personXml(indent: string, a: SyntheticDocumentOptions['author']): string {
  return `${indent}<assignedPerson>
${indent}  <name><prefix>DR</prefix><given>${esc(a.given)}</given><family>${esc(a.family)}</family></name>
${indent}</assignedPerson>`;
}

function organizationXml(indent: string, tag: string, o: SyntheticDocumentOptions['organization'], withSetting: boolean): string {
  const setting = withSetting
    ? `\n${indent}  <standardIndustryClassCode code="ETABLISSEMENT" displayName="Etablissement de santé" codeSystem="${PRACTICE_SETTING_SYSTEM}"/>`
    : '';
  return `${indent}<${tag}>
${indent}  <id root="${STRUCTURE_ROOT}" extension="1${esc(o.finess)}"/>
${indent}  <name>${esc(o.name)}</name>${setting}
${indent}</${tag}>`;
}

function pdfText(o: SyntheticDocumentOptions, type: SegurDocumentType, sections: NarrativeSection[], when: Date): string {
  const p = o.patient;
  const lines = [
    type.label,
    `Type de document : ${type.label} (${type.code})`,
    `Date et heure de création : ${frenchDateTime(when)}`,
    `Auteur : Dr ${o.author.given} ${o.author.family}`,
    `Organisation : ${o.organization.name}`,
    `Patient${p.gender === 'F' ? 'e' : ''} : ${p.family} ${p.given.join(' ')}, né${p.gender === 'F' ? 'e' : ''} le ${frenchDate(p.birthDate)}`,
    '',
  ];
  for (const s of sections) lines.push(...sectionLines(s), '');
  lines.push('Document fictif produit par Relais pour la démonstration et les tests : il ne concerne aucune personne réelle.');
  return lines.join('\n');
}

/**
 * Writes a CDA R2 document shaped like the French "structuration minimale" documents (CI-SIS header,
 * INS + IPP, RPPS author, FINESS organisation), N1 (PDF in nonXMLBody) or N3 (narrative sections plus the
 * Ségur PDF copy section). Same options (with effectiveTime given), same text. UTF-8 XML text.
 */
export function syntheticCda(options: SyntheticDocumentOptions): string {
  const type = findSegurDocumentType(options.typeCode);
  if (type === undefined) {
    throw new RelaisError('RLS_CONFIG_INVALID', 'unknown Ségur document type code', { typeCode: options.typeCode });
  }
  const o = options;
  const p = o.patient;
  const when = o.effectiveTime ?? new Date();
  const version = o.version ?? 1;
  const setId = o.setId ?? o.documentId;
  const stay = hospitalStayTypes.has(type.code);
  const start = new Date(when.getTime() - (stay ? 4 * 86_400_000 : 2 * 3_600_000));
  const seed = formatInstanceId(o.documentId);
  const sections = narrativeFor(type.code, wordingFor(p.gender));
  const pdf = syntheticPdf(pdfText(o, type, sections, when), o.pdfBytes ?? 0).toString('base64');
  const specialty = o.author.specialty ?? defaultSpecialty[type.code] ?? 'G15_10/SM26';
  const specialtyLabel = specialtyLabels[specialty];
  const specialtyXml = `<code code="${esc(specialty)}"${specialtyLabel === undefined ? '' : ` displayName="${esc(specialtyLabel)}"`} codeSystem="${SPECIALTY_SYSTEM}"/>`;
  const rpps = `<id root="${RPPS_ROOT}" extension="8${esc(o.author.rpps)}"/>`;
  const facility = o.healthcareFacilityType ?? { code: 'SA01', displayName: 'Etablissement public de santé' };
  const encounterCode = stay
    ? `<code code="IMP" displayName="Hospitalisation (établissement, y compris HAD)" codeSystem="${ACT_CODE_SYSTEM}"/>`
    : `<code code="AMB" displayName="Ambulatoire (hors établissement)" codeSystem="${ACT_CODE_SYSTEM}"/>`;
  const templates = [HL7_FRANCE_TEMPLATE, CISIS_TEMPLATE, ...(o.level === 'N1' ? [XDS_SD_TEMPLATE] : [])]
    .map((root) => `  <templateId root="${root}"/>`)
    .concat((o.templateIds ?? []).map((t) => `  <templateId ${iiAttrs(t)}/>`));
  const gender = p.gender === 'F' ? 'Féminin' : 'Masculin';
  const firstGiven = p.given[0] ?? '';
  const related = o.replaces === undefined ? '' : `
  <relatedDocument typeCode="RPLC">
    <parentDocument>
      <id ${iiAttrs(o.replaces)}/>${version > 1 ? `
      <setId ${iiAttrs(setId)}/>
      <versionNumber value="${version - 1}"/>` : ''}
    </parentDocument>
  </relatedDocument>`;
  const body = o.level === 'N1'
    ? `  <component>
    <nonXMLBody>
      <text mediaType="application/pdf" representation="B64">${pdf}</text>
    </nonXMLBody>
  </component>`
    : `  <component>
    <structuredBody>
${sections.map(sectionXml).join('\n')}
${pdfCopySectionXml(pdf, seed)}
    </structuredBody>
  </component>`;

  return `<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
${templates.join('\n')}
  <id ${iiAttrs(o.documentId)}/>
  <code code="${esc(type.code)}" displayName="${esc(type.label)}" codeSystem="${type.codeSystem}" codeSystemName="${type.system === 'LN' ? 'LOINC' : 'TRE_A05-TypeDocComplementaire'}"/>
  <title>${esc(type.label)}</title>
  <effectiveTime value="${ts(when)}"/>
  <confidentialityCode code="N" displayName="Normal" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <setId ${iiAttrs(setId)}/>
  <versionNumber value="${version}"/>
  <recordTarget>
    <patientRole>
      <id root="${esc(p.insOid)}" extension="${esc(p.ins)}"/>
      <id root="${esc(p.ippAuthority)}" extension="${esc(p.ipp)}"/>
      <patient classCode="PSN">
        <name>
          <family qualifier="BR">${esc(p.family)}</family>
          <given>${esc(p.given.join(' '))}</given>
          <given qualifier="BR">${esc(firstGiven)}</given>
          <family qualifier="CL">${esc(p.family)}</family>
          <given qualifier="CL">${esc(firstGiven)}</given>
        </name>
        <administrativeGenderCode code="${p.gender}" displayName="${gender}" codeSystem="2.16.840.1.113883.5.1"/>
        <birthTime value="${esc(p.birthDate)}"/>
        <birthplace>
          <place>
            <addr><county>${esc(p.birthPlace)}</county></addr>
          </place>
        </birthplace>
      </patient>
    </patientRole>
  </recordTarget>
  <author>
    <time value="${ts(when)}"/>
    <assignedAuthor>
      ${rpps}
      ${specialtyXml}
${personXml('      ', o.author)}
${organizationXml('      ', 'representedOrganization', o.organization, true)}
    </assignedAuthor>
  </author>
  <custodian>
    <assignedCustodian>
${organizationXml('      ', 'representedCustodianOrganization', o.organization, false)}
    </assignedCustodian>
  </custodian>
  <legalAuthenticator>
    <time value="${ts(when)}"/>
    <signatureCode code="S"/>
    <assignedEntity>
      ${rpps}
      ${specialtyXml}
${personXml('      ', o.author)}
${organizationXml('      ', 'representedOrganization', o.organization, true)}
    </assignedEntity>
  </legalAuthenticator>${o.imaging === undefined ? '' : imagingOrderXml(o.imaging)}
  <documentationOf>
    <serviceEvent classCode="ACT" moodCode="EVN">${o.imaging === undefined ? '' : imagingEventXml(o.imaging)}
      <effectiveTime>
        <low value="${ts(start)}"/>
        <high value="${ts(when)}"/>
      </effectiveTime>
      <performer typeCode="PRF">
        <assignedEntity>
          ${rpps}
${personXml('          ', o.author)}
${organizationXml('          ', 'representedOrganization', o.organization, true)}
        </assignedEntity>
      </performer>
    </serviceEvent>
  </documentationOf>${related}
  <componentOf>
    <encompassingEncounter>
      ${encounterCode}
      <effectiveTime>
        <low value="${ts(start)}"/>
        <high value="${ts(when)}"/>
      </effectiveTime>
      <location>
        <healthCareFacility>
          <code code="${esc(facility.code)}" displayName="${esc(facility.displayName)}" codeSystem="${FACILITY_TYPE_SYSTEM}"/>
          <location>
            <name>${esc(o.organization.name)}</name>
          </location>
        </healthCareFacility>
      </location>
    </encompassingEncounter>
  </componentOf>
${body}
</ClinicalDocument>
`;
}
