import type { CdaAuthor, CdaHeader, CdaPerson, CodedValue, InstanceId } from '../cda/index.js';

/** One labelled line of the header block shown above the narrative. */
export interface HeaderLine { label: string; value: string }

// INS OIDs (ANS référentiel INS): NIR, NIA and their test/demonstration forms.
const insOids: Readonly<Record<string, string>> = {
  '1.2.250.1.213.1.4.8': 'NIR',
  '1.2.250.1.213.1.4.9': 'NIA',
  '1.2.250.1.213.1.4.10': 'NIR de test',
  '1.2.250.1.213.1.4.11': 'NIR de démonstration',
  '1.2.250.1.213.1.4.12': 'NIA de test',
};

const genders: Readonly<Record<string, string>> = { M: 'Masculin', F: 'Féminin', U: 'Inconnu' };

/** The document title: ClinicalDocument/title, else the type's display name, else its code. */
export function documentTitle(header: CdaHeader): string {
  return header.title?.trim() || header.code.displayName?.trim() || header.code.code;
}

/** The header data SC.CDA/DD.12 asks for (title, type, creation date and time, authors, custodian) and the patient. */
export function headerLines(header: CdaHeader): { document: HeaderLine[]; patient: HeaderLine[] } {
  const document: HeaderLine[] = [{ label: 'Type de document', value: coded(header.code) }];
  if (header.effectiveTime) document.push({ label: 'Date et heure de création', value: formatTs(header.effectiveTime) });
  header.authors.forEach((a, i) => {
    document.push({ label: header.authors.length > 1 ? `Auteur ${i + 1}` : 'Auteur', value: authorText(a) });
  });
  const legal = header.legalAuthenticator;
  if (legal?.person) {
    const parts = [personName(legal.person), legal.organization?.name].filter(nonEmpty);
    if (legal.time) parts.push(`le ${formatTs(legal.time)}`);
    document.push({ label: 'Responsable', value: parts.join(', ') });
  }
  if (header.custodian) {
    document.push({ label: 'Organisation conservant le document', value: organizationText(header.custodian.name, header.custodian.ids) });
  }
  if (header.serviceEvent?.effectiveLow) {
    document.push({ label: "Date de l'acte", value: formatTs(header.serviceEvent.effectiveLow) });
  }

  const p = header.patient;
  const patient: HeaderLine[] = [];
  const birthFamily = p.birthFamily?.toUpperCase();
  const names = [birthFamily, p.usedFamily && p.usedFamily.toUpperCase() !== birthFamily ? `(nom utilisé : ${p.usedFamily.toUpperCase()})` : undefined];
  patient.push({ label: 'Nom de naissance', value: names.filter(nonEmpty).join(' ') || '—' });
  if (p.given.length > 0) patient.push({ label: 'Prénoms de naissance', value: p.given.join(' ') });
  if (p.usedGiven) patient.push({ label: 'Prénom utilisé', value: p.usedGiven });
  if (p.birthTime) patient.push({ label: 'Date de naissance', value: formatTs(p.birthTime, false) });
  if (p.gender) patient.push({ label: 'Sexe', value: genders[p.gender] ?? p.gender });
  for (const id of p.ids) {
    const kind = insOids[id.root];
    if (kind !== undefined && id.extension) patient.push({ label: `INS (${kind})`, value: id.extension });
  }
  return { document, patient };
}

/** Authors as "Prénom NOM", for the PDF Info dictionary and the XMP dc:creator. */
export function authorNames(header: CdaHeader): string {
  return header.authors.map((a) => (a.person ? personName(a.person) : a.device?.softwareName)).filter(nonEmpty).join(', ');
}

function authorText(a: CdaAuthor): string {
  const who = a.person ? personName(a.person) : a.device?.softwareName ?? a.device?.manufacturerModelName;
  const parts = [who, a.specialty?.displayName, a.organization?.name].filter(nonEmpty);
  if (a.time) parts.push(`le ${formatTs(a.time)}`);
  return parts.join(', ') || '—';
}

function personName(p: CdaPerson): string {
  return [p.prefix, ...(p.given ?? []), p.family?.toUpperCase()].filter(nonEmpty).join(' ');
}

function organizationText(name: string | undefined, ids: InstanceId[]): string {
  const id = ids.find((i) => i.extension)?.extension;
  return [name, id ? `(${id})` : undefined].filter(nonEmpty).join(' ') || '—';
}

function coded(c: CodedValue): string {
  return c.displayName ? `${c.displayName} (${c.code})` : c.code;
}

const tsPattern = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$/;

/** An HL7 TS as written in France: "JJ/MM/AAAA à HH:MM (UTC+01:00)", in the document's own time, never converted. */
export function formatTs(ts: string, withTime = true): string {
  const m = tsPattern.exec(ts.trim());
  if (m === null) return ts;
  const [, y, mo, d, h, mi, , zone] = m;
  let out = [d, mo, y].filter(nonEmpty).join('/');
  if (withTime && h !== undefined) {
    out += ` à ${h}:${mi ?? '00'}`;
    if (zone !== undefined) out += ` (UTC${zone.slice(0, 3)}:${zone.slice(3)})`;
  }
  return out;
}

function nonEmpty(s: string | undefined | null): s is string {
  return s !== undefined && s !== null && s.trim() !== '';
}
