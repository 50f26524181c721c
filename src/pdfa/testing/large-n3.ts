/**
 * A long but ordinary N3 document: a hospital stay report (lettre de liaison) whose narrative has day-by-day
 * progress notes, laboratory tables, treatment lists and nested sections, the way a long stay is written. About
 * 0.85 page of PDF per day; used by the renderer tests and the PDF part of the benchmark.
 */
import { syntheticCda, type SyntheticDocumentOptions } from '../../cda/index.js';

export interface LargeN3Options {
  /** Days of progress notes (one section each). Default 60 (about 50 pages). */
  days?: number;
  /** Root of the document id (distinct documents for a benchmark). */
  idRoot?: string;
}

const base: Omit<SyntheticDocumentOptions, 'documentId'> = {
  typeCode: '11490-0',
  level: 'N3',
  patient: {
    ins: '248000000000001', insOid: '1.2.250.1.213.1.4.10', ipp: 'IPP-42', ippAuthority: '1.2.250.1.999.1',
    family: 'ÉLÉONORE-FICTIF', given: ['Chloé', 'Anaïs'], gender: 'F', birthDate: '19800214', birthPlace: '63113',
  },
  effectiveTime: new Date('2025-01-15T09:30:00Z'),
  author: { rpps: '10001234567', family: 'MARTIN', given: 'Jérôme' },
  organization: { finess: '630000001', name: 'Centre hospitalier de démonstration' },
};

const notes = [
  'Patiente vue au lit, apyrétique, hémodynamique stable (PA 128/76 mmHg, FC 82/min, SpO2 97 % en air ambiant).',
  "Douleurs abdominales en nette diminution depuis la veille, EVA à 2/10 au repos et 4/10 à la mobilisation ; transit repris, alimentation orale bien tolérée.",
  "Examen clinique : abdomen souple, sensibilité résiduelle de la fosse iliaque droite, pas de défense ; cicatrices propres et sèches, pas d'écoulement.",
  'Auscultation cardio-pulmonaire sans particularité ; mollets souples et indolores ; pas d’œdème des membres inférieurs.',
  'Bilan biologique du matin en amélioration (voir tableau) ; poursuite de l’antibiothérapie selon l’antibiogramme, réévaluation à 72 heures.',
  'Kinésithérapie respiratoire et lever au fauteuil deux fois par jour ; marche dans le couloir avec aide, bonne tolérance.',
  'Information de la patiente et de sa fille sur l’évolution et le projet de sortie ; questions sur la reprise du travail.',
];

const labRows = [
  ['Hémoglobine', 'g/dL', '12,0 – 16,0'], ['Leucocytes', 'G/L', '4,0 – 10,0'], ['Plaquettes', 'G/L', '150 – 400'],
  ['CRP', 'mg/L', '< 5'], ['Créatinine', 'µmol/L', '45 – 90'], ['Potassium', 'mmol/L', '3,5 – 5,0'],
  ['Sodium', 'mmol/L', '135 – 145'], ['ALAT', 'UI/L', '< 35'],
];

const treatments = [
  'Amoxicilline-acide clavulanique 1 g / 125 mg, 3 fois par jour per os',
  'Paracétamol 1 g toutes les 6 heures si douleur, maximum 4 g par jour',
  'Énoxaparine 4 000 UI anti-Xa par jour en sous-cutané',
  'Oméprazole 20 mg le matin',
  'Macrogol 10 g, 1 à 2 sachets par jour selon le transit',
];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function day(d: number): string {
  const value = (i: number): string => (((d * 7 + i * 13) % 50) / 10 + 3 + i).toFixed(1).replace('.', ',');
  const paragraphs = notes.map((n, i) => `<paragraph>J${d} — ${esc(n)}${i % 2 === 0 ? ` Contrôle ${i + 1} prévu à J${d + 1}.` : ''}</paragraph>`).join('');
  const table = '<table><caption>Biologie du jour</caption><thead><tr><th>Analyse</th><th>Résultat</th><th>Unité</th>'
    + '<th>Valeurs de référence</th><th>Précédent</th><th>Commentaire</th></tr></thead><tbody>'
    + labRows.map(([name, unit, ref], i) => `<tr><td>${esc(name ?? '')}</td><td>${value(i)}</td><td>${esc(unit ?? '')}</td>`
      + `<td>${esc(ref ?? '')}</td><td>${value(i + 1)}</td><td>${i === 3 ? 'En baisse' : ''}</td></tr>`).join('')
    + '</tbody></table>';
  const list = `<list><caption>Traitements en cours</caption>${treatments.map((t) => `<item>${esc(t)}</item>`).join('')}</list>`;
  return `<component><section><title>Évolution — jour ${d}</title><text>${paragraphs}${table}${list}</text>`
    + `<component><section><title>Soins infirmiers — jour ${d}</title><text><paragraph>Pansement refait, surveillance `
    + `des constantes toutes les 6 heures, diurèse conservée, pas d'événement la nuit.</paragraph></text></section></component>`
    + '</section></component>';
}

/** The CDA bytes of a long N3 lettre de liaison (deterministic for the same options). */
export function largeN3Cda(o: LargeN3Options = {}): Buffer {
  const days = o.days ?? 60;
  const xml = syntheticCda({ ...base, documentId: { root: o.idRoot ?? '1.2.250.1.999.2.9001' } });
  const body = Array.from({ length: days }, (_, i) => day(i + 1)).join('');
  return Buffer.from(xml.replace('</structuredBody>', `${body}</structuredBody>`));
}
