/**
 * French narrative sections for synthetic documents, one set per Ségur document type. Written for Relais;
 * every case is invented. Section codes are LOINC section codes as used by the CI-SIS content models.
 */

export interface NarrativeSection {
  code: string;
  displayName: string;
  title: string;
  paragraphs?: string[];
  items?: string[];
  table?: { head: string[]; rows: string[][] };
}

/** Gendered words, so that the text agrees with the synthetic patient. */
export interface Wording { Le: string; le: string; e: string }

export function wordingFor(gender: 'M' | 'F'): Wording {
  return gender === 'F' ? { Le: 'La patiente', le: 'la patiente', e: 'e' } : { Le: 'Le patient', le: 'le patient', e: '' };
}

type Narrative = (w: Wording) => NarrativeSection[];

const dischargeLetter: Narrative = (w) => [
  {
    code: '42349-1', displayName: 'Raison de la recommandation', title: 'Motif de l\'hospitalisation',
    paragraphs: [`${w.Le} a été hospitalisé${w.e} pour une décompensation cardiaque gauche sur poussée hypertensive, avec une dyspnée d'effort qui s'aggravait depuis une semaine.`],
  },
  {
    code: '42545-4', displayName: 'Evènements observés', title: 'Synthèse médicale du séjour',
    paragraphs: [
      'Traitement diurétique par voie intraveineuse pendant 72 heures, puis relais par voie orale.',
      'Échocardiographie : fraction d\'éjection ventriculaire gauche estimée à 45 %, sans valvulopathie significative.',
      'Évolution favorable : perte de 3 kg, disparition des signes congestifs, fonction rénale stable.',
    ],
  },
  {
    code: '10183-2', displayName: 'Traitements à la sortie', title: 'Traitements à la sortie',
    items: [
      'Furosémide 40 mg : un comprimé le matin',
      'Ramipril 2,5 mg : un comprimé le soir',
      'Bisoprolol 1,25 mg : un comprimé le matin',
    ],
  },
  {
    code: '18776-5', displayName: 'Plan de soins', title: 'Suites à donner',
    paragraphs: [
      'Consultation de cardiologie dans un mois, avec ionogramme sanguin et créatininémie une semaine avant.',
      'Pesée quotidienne ; reconsulter en cas de prise de plus de 2 kg en trois jours.',
    ],
  },
];

const operativeReport: Narrative = (w) => [
  {
    code: '59768-2', displayName: 'Indications de l\'intervention', title: 'Indication opératoire',
    paragraphs: [`Cholécystite lithiasique aiguë confirmée à l'échographie chez ${w.le}, évoluant depuis 48 heures malgré l'antibiothérapie.`],
  },
  {
    code: '29554-3', displayName: 'Description de l\'intervention', title: 'Compte rendu de l\'intervention',
    paragraphs: [
      'Cholécystectomie par cœlioscopie sous anesthésie générale. Open-cœlioscopie ombilicale et trois trocarts opérateurs.',
      'Vésicule inflammatoire. Dissection du triangle de Calot, clips puis section du canal et de l\'artère cystiques.',
      'Extraction de la pièce dans un sac, lavage, hémostase contrôlée. Pas de drainage.',
    ],
  },
  {
    code: '55109-3', displayName: 'Complications', title: 'Incidents et complications',
    paragraphs: ['Aucun incident peropératoire. Pertes sanguines minimes.'],
  },
  {
    code: '18776-5', displayName: 'Plan de soins', title: 'Suites opératoires',
    paragraphs: [
      'Lever et réalimentation le soir même, antalgiques de palier 1. Sortie envisagée le lendemain.',
      'Pièce adressée en anatomopathologie. Consultation de contrôle dans un mois.',
    ],
  },
];

const imagingReport: Narrative = () => [
  {
    code: '55752-0', displayName: 'Informations cliniques', title: 'Indication',
    paragraphs: ['Douleur thoracique atypique avec D-dimères positifs : recherche d\'embolie pulmonaire.'],
  },
  {
    code: '55111-9', displayName: 'Description de l\'acte d\'imagerie', title: 'Technique',
    paragraphs: ['Angioscanner thoracique après injection intraveineuse de 70 mL de produit de contraste iodé, acquisition au temps artériel pulmonaire, reconstructions multiplanaires.'],
  },
  {
    code: '59776-5', displayName: 'Résultats de l\'acte', title: 'Résultats',
    paragraphs: [
      'Pas de défect endoluminal des artères pulmonaires jusqu\'à l\'étage sous-segmentaire.',
      'Pas d\'épanchement pleural ni péricardique. Parenchyme pulmonaire sans condensation ni nodule suspect.',
    ],
  },
  {
    code: '19005-8', displayName: 'Conclusions', title: 'Conclusion',
    paragraphs: ['Pas d\'argument scanographique pour une embolie pulmonaire. Examen sans autre particularité.'],
  },
];

const labReport: Narrative = () => [
  {
    code: '18719-5', displayName: 'Biochimie', title: 'Biochimie',
    table: {
      head: ['Analyse', 'Résultat', 'Valeurs de référence'],
      rows: [
        ['Sodium', '139 mmol/L', '136 – 145'],
        ['Potassium', '4,2 mmol/L', '3,5 – 5,1'],
        ['Créatinine', '78 µmol/L', '45 – 84'],
        ['Glucose à jeun', '5,4 mmol/L', '4,1 – 5,9'],
      ],
    },
  },
  {
    code: '18723-7', displayName: 'Hématologie', title: 'Hématologie',
    table: {
      head: ['Analyse', 'Résultat', 'Valeurs de référence'],
      rows: [
        ['Hémoglobine', '13,1 g/dL', '12,0 – 16,0'],
        ['Leucocytes', '6,8 G/L', '4,0 – 10,0'],
        ['Plaquettes', '245 G/L', '150 – 400'],
      ],
    },
  },
  {
    code: '48767-8', displayName: 'Commentaire', title: 'Commentaire du biologiste',
    paragraphs: ['Bilan sans anomalie significative. Résultats validés par le biologiste responsable.'],
  },
];

const consultationReport: Narrative = (w) => [
  {
    code: '29299-5', displayName: 'Motif de consultation', title: 'Motif de la consultation',
    paragraphs: [`Suivi semestriel d'un diabète de type 2 traité par metformine ; ${w.le} ne signale pas d'hypoglycémie.`],
  },
  {
    code: '29545-1', displayName: 'Examen physique', title: 'Examen clinique',
    paragraphs: ['Poids 82 kg, pression artérielle 132/78 mmHg, fréquence cardiaque 72/min. Examen des pieds sans plaie ; sensibilité au monofilament conservée.'],
  },
  {
    code: '51848-0', displayName: 'Évaluation', title: 'Conclusion',
    paragraphs: ['Équilibre glycémique satisfaisant (HbA1c à 6,8 %). Pas de complication dégénérative décelée.'],
  },
  {
    code: '18776-5', displayName: 'Plan de soins', title: 'Conduite à tenir',
    paragraphs: ['Poursuite du traitement à l\'identique. Fond d\'œil à programmer. Prochaine consultation dans six mois avec bilan biologique.'],
  },
];

const prescription: Narrative = () => [
  {
    code: '57828-6', displayName: 'Prescriptions', title: 'Prescription de médicaments',
    items: [
      'Amoxicilline 1 g : un comprimé matin et soir pendant 7 jours',
      'Paracétamol 1 g : un comprimé jusqu\'à trois fois par jour si douleur, sans dépasser 3 g par jour',
    ],
  },
  {
    code: '46264-8', displayName: 'Dispositifs médicaux', title: 'Prescription de dispositifs médicaux',
    items: ['Bas de contention de classe 2 : une paire'],
  },
];

const generic: Narrative = (w) => [
  {
    code: '55752-0', displayName: 'Informations cliniques', title: 'Contexte',
    paragraphs: [`${w.Le} est suivi${w.e} dans l'établissement ; le présent document résume la prise en charge.`],
  },
  {
    code: '18776-5', displayName: 'Plan de soins', title: 'Suites à donner',
    paragraphs: ['Suivi habituel par le médecin traitant. Reconsulter en cas d\'aggravation.'],
  },
];

const byType: Readonly<Record<string, Narrative>> = {
  '11490-0': dischargeLetter,
  '34874-8': operativeReport,
  '18748-4': imagingReport,
  '11502-2': labReport,
  '11488-4': consultationReport,
  '57833-6': prescription,
};

export function narrativeFor(typeCode: string, w: Wording): NarrativeSection[] {
  return (byType[typeCode] ?? generic)(w);
}

/** The section as plain lines (for the PDF rendering of the document). */
export function sectionLines(s: NarrativeSection): string[] {
  const lines = [s.title.toUpperCase()];
  for (const p of s.paragraphs ?? []) lines.push(p);
  for (const i of s.items ?? []) lines.push(`- ${i}`);
  if (s.table !== undefined) for (const row of [s.table.head, ...s.table.rows]) lines.push(row.join(' | '));
  return lines;
}
