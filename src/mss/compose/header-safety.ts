/**
 * What may reach a mail header. Free text (names, titles, labels) comes from the DPI and the CDA: control
 * characters are folded to one space so no CR/LF can start a header of its own. Addresses, Message-IDs and
 * tokens are refused instead, since a folded address would be another address.
 */
import { RelaisError } from '../../domain/index.js';

// C0 controls, DEL and C1 controls, plus the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Free text for a header or a file name: controls become a space, runs of spaces one space, ends trimmed. */
export function foldText(value: string): string {
  return value.replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
}

// RFC 5321 Mailbox, restricted to what MSSanté uses: a dot-atom local part and a DNS domain (no quoted local
// parts, no address literals). Non-ASCII is refused: MSSanté addresses are ASCII.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isMailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  return LOCAL.test(value.slice(0, at)) && DOMAIN.test(value.slice(at + 1));
}

/** The address itself, or a coded error naming the field (never the address: it may be a patient's INS). */
export function checkAddress(value: string, field: string): string {
  if (!isMailAddress(value)) throw new RelaisError('RLS_MSS_BAD_ADDRESS', `${field} is not a usable mail address`, { field });
  return value;
}

/** `<id-left@id-right>` (RFC 5322 msg-id, dot-atom form); a bare `left@right` gets its brackets. */
export function checkMessageId(value: string, field = 'messageId'): string {
  const bare = value.startsWith('<') && value.endsWith('>') ? value.slice(1, -1) : value;
  const atom = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
  const at = bare.indexOf('@');
  if (bare.length > 250 || at <= 0 || !atom.test(bare.slice(0, at)) || !atom.test(bare.slice(at + 1))) {
    throw new RelaisError('RLS_MSS_BAD_INPUT', `${field} is not an RFC 5322 msg-id`, { field });
  }
  return `<${bare}>`;
}

/** A printable ASCII token with no spaces (X-MSS-NIL, LOINC codes, error codes). */
export function checkToken(value: string, field: string, max = 64): string {
  if (!new RegExp(`^[\\x21-\\x7e]{1,${max}}$`).test(value)) {
    throw new RelaisError('RLS_MSS_BAD_INPUT', `${field} must be 1 to ${max} printable ASCII characters without spaces`, { field });
  }
  return value;
}

/** A file name for Content-Disposition: folded, no path separators, not empty. */
export function checkFileName(value: string, field: string): string {
  const name = foldText(value);
  if (name === '' || /[/\\]/.test(name) || name === '.' || name === '..' || name.length > 200) {
    throw new RelaisError('RLS_MSS_BAD_INPUT', `${field} is not a usable attachment file name`, { field });
  }
  return name;
}
