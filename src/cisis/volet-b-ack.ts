/**
 * The DPI's answer to a volet B MDM (digest §3.4, §4): integrated, integration refused by a business rule of the DPI
 * (ERR-3 207 + ERR-5 90x: the sender gets an error MDN), a technical error, or something to send again later.
 */
import { Hl7Message, parseEr7 } from '../hl7/index.js';

/** applicationErrorCode (user table 0533, volet B §5.2), French labels as the DPI's users and the mail sender read them. */
export const voletBApplicationErrors = {
  '900': "La version du document n'est pas la plus récente",
  '901': "Demandeur non autorisé à remplacer ou supprimer le document",
  '902': 'Identifiant de patient inconnu',
  '903': 'INS absent du document',
  '904': "L'INS ou les traits d'identité ne correspondent pas à ceux du patient",
  '905': "INS incomplet : tous les traits d'identité ne sont pas présents",
  '906': 'Autre',
} as const;
export type VoletBApplicationErrorCode = keyof typeof voletBApplicationErrors;

export function isVoletBApplicationErrorCode(code: string): code is VoletBApplicationErrorCode {
  return Object.hasOwn(voletBApplicationErrors, code);
}

export type VoletBAckOutcome =
  | { outcome: 'integrated' }
  | { outcome: 'refused'; code: VoletBApplicationErrorCode; label: string }
  | { outcome: 'technical'; code?: string; text: string }
  | { outcome: 'retry'; why: string };

/**
 * Reads the DPI's ACK to the MDM whose MSH-10 was `controlId`. AA → integrated; AE with ERR-3 207 and ERR-5 90x →
 * refused; any other AE → technical; AR, an ACK for another message or an unreadable answer → retry (the MDM is
 * sent again; the delivery worker bounds how long). Commit-mode codes are read as their application twins.
 */
export function readVoletBAck(ack: string | Buffer | Hl7Message, controlId: string): VoletBAckOutcome {
  let m: Hl7Message;
  try {
    m = ack instanceof Hl7Message ? ack : parseEr7(ack);
  } catch (e) {
    return { outcome: 'retry', why: `unreadable acknowledgement: ${(e as Error).message}` };
  }
  const msa = m.segment('MSA');
  if (msa === undefined) return { outcome: 'retry', why: 'acknowledgement without MSA' };
  const answeredId = msa.get(2);
  if (answeredId !== controlId) {
    return { outcome: 'retry', why: `acknowledgement for control id '${answeredId}', expected '${controlId}'` };
  }
  const code = msa.get(1).toUpperCase();
  if (code === 'AA' || code === 'CA') return { outcome: 'integrated' };
  if (code === 'AR' || code === 'CR') {
    return { outcome: 'retry', why: `rejected for now (${code})${errorText(m) ? `: ${errorText(m)}` : ''}` };
  }
  if (code !== 'AE' && code !== 'CE') return { outcome: 'retry', why: `unknown acknowledgement code '${msa.get(1)}'` };

  for (const err of m.all('ERR')) {
    const appCode = err.get(5, 1);
    if (err.get(3, 1) === '207' && isVoletBApplicationErrorCode(appCode)) {
      return { outcome: 'refused', code: appCode, label: err.get(5, 2) || voletBApplicationErrors[appCode] };
    }
  }
  const first = m.all('ERR')[0];
  const technicalCode = first?.get(3, 1) ?? '';
  return {
    outcome: 'technical',
    ...(technicalCode === '' ? {} : { code: technicalCode }),
    text: errorText(m) || msa.get(3) || 'error acknowledgement without detail',
  };
}

/** ERR-3.2 (or ERR-5.2, ERR-8) of the first ERR, else MSA-3. */
function errorText(m: Hl7Message): string {
  const err = m.all('ERR')[0];
  if (err === undefined) return m.segment('MSA')?.get(3) ?? '';
  return err.get(5, 2) || err.get(3, 2) || err.get(8) || '';
}
