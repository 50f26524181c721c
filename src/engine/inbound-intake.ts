/**
 * One mail read from an application mailbox (volet B; digest §A8): a receipt about a mail Relais sent (DSN, MDN)
 * goes to the receipt handler; a mail carrying an IHE_XDM archive — attached, or inside a forwarded message —
 * becomes one MDM per CDA, queued for the DPI with the mail in one transaction; anything else is recorded and set
 * aside. A hostile mail (broken MIME, zip bomb, path traversal, wrong hash, two patients, a CDA with a DOCTYPE…)
 * is refused with a reason the sender will read; it never stops the mailbox.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { buildVoletBMessage, type VoletBInput } from '../cisis/index.js';
import { isRelaisError } from '../domain/index.js';
import { parseReport } from '../mss/index.js';
import { recordInboundMail, type InboundDocumentRef, type Store } from '../store/index.js';
import { looksLikeXdm, readXdmArchive, type XdmReadResult } from '../xdm/index.js';
import { silentLogger, type Logger } from './logger.js';
import { handleReceiptMail } from './mss-receipts.js';
import type { ZamIdentity } from './zam-queue.js';

/** Notification kinds of the volet B MDMs. */
export const mdmKinds = { publish: 'mdm_t02', replace: 'mdm_t10', delete: 'mdm_t04' } as const;

export interface InboundIntakeOptions {
  store: Store;
  /** MSH-3/4 of the MDMs, and the DPI's MSH-5/6. */
  sendingApp: string;
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  nextControlId: () => string;
  zam: ZamIdentity;
  /** Accept the INS test OIDs (…4.10, …4.11) in archives. */
  testOids: boolean;
  directory?: VoletBInput['directory'];
  careUnits?: VoletBInput['careUnits'];
  log?: Logger;
}

export interface ReadMail {
  mailbox: string;
  uidValidity: string;
  uid: number;
  raw: Buffer;
  receivedAt: Date;
}

export type InboundResult =
  | { kind: 'receipt'; recorded: boolean }
  | { kind: 'xdm'; documents: number; duplicate: boolean; error?: { code: string; label: string } }
  | { kind: 'other'; duplicate: boolean };

/** Nested message/rfc822 parts followed this deep (a forward of a forward). */
const MAX_NESTING = 3;
/** Volet B §5.2 "Autre": Relais's own refusals (no 90x fits them), with a precise label. */
const OTHER = '906';

function firstAddress(a: AddressObject | AddressObject[] | undefined): string | undefined {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((x) => x.value).find((v) => v.address)?.address;
}

function allAddresses(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((x) => x.value).map((v) => v.address).filter((x): x is string => !!x);
}

function headerText(m: ParsedMail, name: string): string | undefined {
  const v = m.headers.get(name);
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'text' in v) return String((v as { text: unknown }).text);
  return undefined;
}

/** `rfc822;addr` → addr. */
function reportedAddress(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const s = v.includes(';') ? v.slice(v.indexOf(';') + 1) : v;
  return s.trim().replace(/^<|>$/g, '') || undefined;
}

interface FoundArchive { zip: Buffer; mail: ParsedMail }

/** The archive of the mail: an attachment named IHE_XDM.zip, else any zip with the XDM layout; forwarded mails too. */
async function findArchive(mail: ParsedMail, depth = 0): Promise<FoundArchive | undefined> {
  const zips = mail.attachments.filter((a) => /^ihe_xdm\.zip$/i.test(a.filename ?? ''));
  if (zips[0]) return { zip: zips[0].content, mail };
  for (const a of mail.attachments) {
    if (/zip|octet-stream/i.test(a.contentType) && a.content.subarray(0, 2).toString('latin1') === 'PK' && await looksLikeXdm(a.content)) {
      return { zip: a.content, mail };
    }
  }
  if (depth >= MAX_NESTING) return undefined;
  for (const a of mail.attachments) {
    if (a.contentType.toLowerCase() !== 'message/rfc822') continue;
    const inner = await simpleParser(a.content).catch(() => undefined);
    const found = inner && await findArchive(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** What the sender reads when Relais refuses the archive itself (its code stays in the trace). */
function archiveRefusal(r: Extract<XdmReadResult, { ok: false }>): { code: string; label: string } {
  const why: Record<string, string> = {
    RLS_XDM_NOT_ZIP: "la pièce jointe IHE_XDM.zip n'est pas une archive zip lisible",
    RLS_XDM_LIMIT: "l'archive dépasse les limites de taille ou de nombre de fichiers",
    RLS_XDM_UNSAFE_ENTRY: "l'archive contient un nom de fichier non autorisé",
    RLS_XDM_NO_METADATA: "l'archive ne contient pas de fichier METADATA.XML",
    RLS_XDM_BAD_METADATA: "le fichier METADATA.XML de l'archive est invalide",
    RLS_XDM_DOCUMENT_MISSING: "un document annoncé par METADATA.XML est absent de l'archive",
    RLS_XDM_HASH_MISMATCH: "l'empreinte d'un document ne correspond pas à METADATA.XML",
    RLS_XDM_SIZE_MISMATCH: "la taille d'un document ne correspond pas à METADATA.XML",
    RLS_XDM_PATIENT: "l'archive ne concerne pas un seul patient identifié par son INS",
    RLS_XDM_CDA_INVALID: "un document de l'archive n'est pas un CDA valide",
    RLS_XDM_CDA_MISMATCH: "un document ne correspond pas à sa description dans METADATA.XML",
    RLS_XDM_ACTION: "l'action demandée sur un document n'est pas reconnue",
  };
  return { code: OTHER, label: `Archive IHE_XDM refusée : ${why[r.code] ?? 'archive invalide'}` };
}

export async function handleInboundMail(m: ReadMail, o: InboundIntakeOptions): Promise<InboundResult> {
  const log = (o.log ?? silentLogger).child({ component: 'inbound', mailbox: m.mailbox, uid: m.uid });
  const base = { mailbox: m.mailbox, uidValidity: m.uidValidity, uid: m.uid, raw: m.raw };

  let mail: ParsedMail | undefined;
  try {
    mail = await simpleParser(m.raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch {
    mail = undefined;
  }
  const mailMessageId = mail?.messageId ?? `<no-message-id.${createHash('sha256').update(m.raw).digest('hex').slice(0, 32)}@relais>`;
  const from = firstAddress(mail?.from) ?? '';

  if (await parseReport(m.raw)) {
    const r = await handleReceiptMail(m.raw, mailMessageId, { store: o.store, zam: o.zam, log: o.log ?? silentLogger });
    await recordInboundMail(o.store.db, { ...base, mailMessageId, kind: 'receipt', state: 'ignored', peer: from });
    return { kind: 'receipt', recorded: r.kind === 'recorded' };
  }

  const found = mail && await findArchive(mail).catch(() => undefined);
  if (!mail || !found) {
    const r = await recordInboundMail(o.store.db, { ...base, mailMessageId, kind: 'other', state: 'ignored', peer: from });
    log.info({ duplicate: r.duplicate }, 'mail without an IHE_XDM archive: set aside');
    return { kind: 'other', duplicate: r.duplicate };
  }
  const archiveSha256 = createHash('sha256').update(found.zip).digest('hex');
  const xdm = await readXdmArchive(found.zip, { testOids: o.testOids });
  const refuse = async (error: { code: string; label: string }, detail: string): Promise<InboundResult> => {
    const r = await recordInboundMail(o.store.db, { ...base, mailMessageId, archiveSha256, kind: 'xdm', state: 'answer_due', peer: from, error });
    log.warn({ detail, duplicate: r.duplicate }, 'document mail refused');
    return { kind: 'xdm', documents: 0, duplicate: r.duplicate, error };
  };
  if (!xdm.ok) return refuse(archiveRefusal(xdm), `${xdm.code}: ${xdm.detail}`);

  // The mail that carried the archive (the forwarded one, when forwarded) describes the sending.
  const carrier = found.mail;
  const originalRecipient = reportedAddress(headerText(carrier, 'original-recipient'));
  const voletBMail = {
    messageId: carrier.messageId ?? mailMessageId,
    subject: carrier.subject ?? '',
    from: firstAddress(carrier.from) ?? from,
    recipients: originalRecipient ? [originalRecipient] : allAddresses(carrier.to),
    ...(firstAddress(carrier.replyTo) ? { replyTo: firstAddress(carrier.replyTo)! } : {}),
    body: carrier.text ?? '',
  };
  const documents: InboundDocumentRef[] = [];
  const mdms: { kind: string; payload: Buffer; controlId: string }[] = [];
  const now = new Date();
  try {
    for (const d of xdm.documents) {
      const controlId = o.nextControlId();
      const payload = buildVoletBMessage({
        controlId, timestamp: now, receivedAt: m.receivedAt,
        sendingApp: o.sendingApp, sendingFacility: o.sendingFacility, receivingApp: o.receivingApp, receivingFacility: o.receivingFacility,
        document: d, mail: voletBMail,
        ...(o.directory ? { directory: o.directory } : {}), ...(o.careUnits ? { careUnits: o.careUnits } : {}),
      });
      documents.push({ uniqueId: d.uniqueId, action: d.action, controlId, typeCode: d.header.code.code });
      mdms.push({ kind: mdmKinds[d.action], payload: Buffer.from(payload, 'utf8'), controlId });
    }
  } catch (e) {
    return refuse({ code: OTHER, label: "Un document de l'archive ne peut pas être transmis au DPI" }, isRelaisError(e) ? e.code : String(e));
  }
  const r = await recordInboundMail(o.store.db, { ...base, mailMessageId, archiveSha256, kind: 'xdm', state: 'dispatching', peer: from, documents, mdms });
  log.info({ documents: documents.length, duplicate: r.duplicate }, r.duplicate ? 'document mail already received' : 'document mail received: MDMs queued for the DPI');
  return { kind: 'xdm', documents: documents.length, duplicate: r.duplicate };
}
