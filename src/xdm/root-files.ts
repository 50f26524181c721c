import { escapeText } from '../xds/index.js';
import type { XdmSender } from './types.js';
import { INDEX_FILE, README_FILE } from './xdm-names.js';

/** One document as the human-readable root files list it. No patient data: the mail subject already names the patient. */
export interface ListedDocument {
  path: string;
  title: string;
  typeDisplay: string;
}

/** INDEX.HTM: XHTML (parsable as XML, every value escaped) linking README.TXT and each document (digest §B1). */
export function indexHtm(sender: XdmSender, documents: readonly ListedDocument[]): string {
  const e = escapeText;
  const contact = sender.contact.map((c) => `<li>${e(c)}</li>`).join('');
  const docs = documents.map((d) => `<li><a href="${e(d.path)}">${e(d.title)}</a> (${e(d.typeDisplay)})</li>`).join('');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr" lang="fr">',
    `<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/><title>${e(`Documents transmis par ${sender.organisation}`)}</title></head>`,
    '<body>',
    `<h1>${e(sender.organisation)}</h1>`,
    contact === '' ? '' : `<ul>${contact}</ul>`,
    `<p>Support IHE XDM. Lire d'abord <a href="${README_FILE}">${README_FILE}</a>.</p>`,
    `<h2>Documents</h2><ul>${docs}</ul>`,
    '</body>',
    '</html>',
  ].filter((l) => l !== '').join('\r\n') + '\r\n';
}

/** README.TXT: who made the media, with which software, what to do with it, and the folder tree (digest §B1). */
export function readmeTxt(sender: XdmSender, documents: readonly ListedDocument[], metadataPath: string): string {
  const s = sender.software;
  const lines = [
    'Archive IHE XDM (IHE_XDM.zip)',
    '',
    `Expediteur : ${sender.organisation}`,
    ...sender.contact.map((c) => `Contact : ${c}`),
    `Logiciel : ${s.name} ${s.version}${s.vendor === undefined ? '' : ` (${s.vendor})`}`,
    '',
    'Ouvrir ces documents dans votre logiciel professionnel (import IHE XDM).',
    `${INDEX_FILE} donne la liste des documents ; ${metadataPath} porte leurs metadonnees XDS.`,
    '',
    'Contenu :',
    `  ${INDEX_FILE}`,
    `  ${README_FILE}`,
    `  ${metadataPath}`,
    ...documents.map((d) => `  ${d.path}  ${d.title}`),
    '',
  ];
  // One line per line: a value holding a line break must not forge extra lines.
  return lines.map((l) => l.replace(/[\r\n]+/g, ' ')).join('\r\n');
}
