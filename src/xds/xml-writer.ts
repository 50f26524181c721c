/**
 * A small XML writer for the ebRIM messages: escaping and element strings. Every text and attribute value goes
 * through these functions, so titles and names holding `& < > " '` cannot break the markup.
 */

// XML 1.0 §2.2: C0 controls other than TAB, LF and CR (and U+FFFE/U+FFFF) cannot appear in a document at all,
// even escaped; they are replaced by U+FFFD rather than producing a document no peer can parse.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&apos;',
};
// Attribute values are normalised by parsers (XML 1.0 §3.3.3): TAB, LF and CR survive only as references.
const ATTR_ESCAPES: Readonly<Record<string, string>> = { ...TEXT_ESCAPES, '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Escapes character data. */
export function escapeText(value: string): string {
  return value.replace(FORBIDDEN, '\uFFFD').replace(/[&<>"']/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/** Escapes an attribute value (written between double quotes). */
export function escapeAttr(value: string): string {
  return value.replace(FORBIDDEN, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ATTR_ESCAPES[c] ?? c);
}

export type XmlAttrs = Readonly<Record<string, string | undefined>>;

function attrs(a: XmlAttrs): string {
  return Object.entries(a)
    .filter((kv): kv is [string, string] => kv[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
}

/** An element with already-serialized children (empty children → self-closing). */
export function el(name: string, attributes: XmlAttrs, ...children: readonly string[]): string {
  const body = children.join('');
  return body === '' ? `<${name}${attrs(attributes)}/>` : `<${name}${attrs(attributes)}>${body}</${name}>`;
}

/** An element holding escaped text. */
export function textEl(name: string, attributes: XmlAttrs, text: string): string {
  return `<${name}${attrs(attributes)}>${escapeText(text)}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
