/** What a DPI asks Relais to do with a document (volet A §2.2: NW/F, RO/C, CA/D). */
export const documentActions = ['publish', 'replace', 'delete'] as const;
export type DocumentAction = (typeof documentActions)[number];

/** Where a document goes. One delivery row per destination (DMP; each MSSanté recipient; the DPI in volet B). */
export const destinationKinds = ['dmp', 'mss_ps', 'mss_patient', 'dpi'] as const;
export type DestinationKind = (typeof destinationKinds)[number];
