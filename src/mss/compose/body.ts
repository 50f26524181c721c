/**
 * The text of a document mail: the DPI's CORPSMAIL_* when it sent one, otherwise the configured default for the
 * action; a replacement always opens with the "annule et remplace" notice and a deletion with the deletion
 * notice (va1.13/va1.30), and every mail ends with the automatic-message footer naming a human contact (va1.09).
 */
import type { DocumentAction } from '../../domain/index.js';

export interface MailTemplates {
  publish: string;
  replace: string;
  delete: string;
  /** First paragraph of every replacement mail, even when the DPI wrote the body. */
  replaceNotice: string;
  /** First paragraph of every deletion mail, even when the DPI wrote the body. */
  deleteNotice: string;
  /** Last paragraph of every mail; `{contact}` is the Reply-To address (or the sender's). */
  footer: string;
}

/** Placeholders: `{titre}` (document titles), `{contact}`. */
export const defaultMailTemplates: Readonly<MailTemplates> = Object.freeze({
  publish: 'Bonjour,\n\nVeuillez trouver ci-joint le document « {titre} ».\n\nCordialement.',
  replace: 'Bonjour,\n\nVeuillez trouver ci-joint la nouvelle version du document « {titre} ».\n\nCordialement.',
  delete: 'Bonjour,\n\nLe document « {titre} » qui vous a été adressé précédemment a été supprimé par son auteur. '
    + 'Merci de ne plus en tenir compte et de le retirer de vos dossiers.\n\nCordialement.',
  replaceNotice: 'ANNULE ET REMPLACE : ce document remplace la version qui vous a été adressée précédemment.',
  deleteNotice: 'AVIS DE SUPPRESSION : le document joint a été supprimé par son auteur et ne doit plus être utilisé.',
  footer: 'Ce message a été généré automatiquement, merci de ne pas y répondre. Pour toute question, écrivez à {contact}.',
});

export interface BodyInput {
  action: DocumentAction;
  /** CORPSMAIL_PS or CORPSMAIL_PATIENT, already decoded; undefined → the template of the action. */
  dpiBody: string | undefined;
  titles: readonly string[];
  contact: string;
  templates: MailTemplates;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(titre|contact)\}/g, (_, key: string) => values[key] ?? '');
}

export function mailBody(input: BodyInput): string {
  const values = { titre: [...new Set(input.titles)].join(', '), contact: input.contact };
  const template = (text: string): string => fill(text, values);
  // The DPI's text is used verbatim: placeholders are ours, not the DPI's.
  const dpiBody = input.dpiBody?.replace(/\r\n?/g, '\n').trim();
  const paragraphs = [
    input.action === 'replace' ? template(input.templates.replaceNotice) : '',
    input.action === 'delete' ? template(input.templates.deleteNotice) : '',
    dpiBody !== undefined && dpiBody !== '' ? dpiBody : template(input.templates[input.action]),
    '-- ',
    template(input.templates.footer),
  ];
  return paragraphs.filter((p) => p !== '').join('\n\n') + '\n';
}
