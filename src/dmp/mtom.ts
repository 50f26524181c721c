import { randomBytes } from 'node:crypto';
import { RelaisError } from '../domain/index.js';

/**
 * MTOM/XOP framing of SOAP 1.2 messages (digest §C2; W3C XOP, RFC 2387 multipart/related, RFC 2046 §5.1.1
 * boundaries). Pure functions over Buffers: the binary parts are copied once into the body, never scanned byte by
 * byte in JavaScript (boundaries are found with Buffer.indexOf).
 */

export interface MtomPart {
  /** Content-ID without angle brackets, as the xop:Include href names it (`cid:<contentId>`). */
  contentId: string;
  content: Buffer;
  /** Default `application/octet-stream`. */
  contentType?: string;
}

export interface MtomInput {
  /** The SOAP envelope whose xop:Include elements point to the parts. */
  rootXml: string;
  parts: readonly MtomPart[];
  /** The SOAP action, repeated as the `action` parameter of the Content-Type. */
  action: string;
  /** Default `root.message@relais`. */
  rootContentId?: string;
  /** Default a random `MIMEBoundary_<hex>`; a boundary found inside a part is refused. */
  boundary?: string;
}

export interface MtomMessage {
  /** The HTTP Content-Type header. */
  contentType: string;
  body: Buffer;
  boundary: string;
}

const CRLF = '\r\n';
const MAX_HEADER_BYTES = 16 * 1024;

function malformed(reason: string): RelaisError {
  return new RelaisError('RLS_DMP_MALFORMED', undefined, { reason });
}

function checkToken(what: string, value: string): void {
  // Content-IDs and boundaries end up in headers: no quote, CR, LF or angle bracket may break out of them.
  if (!/^[\x21-\x7e]+$/.test(value) || /["<>\\]/.test(value)) throw malformed(`invalid ${what}`);
}

/**
 * Builds a `multipart/related; type="application/xop+xml"` body: the root part (`application/xop+xml; charset=UTF-8;
 * type="application/soap+xml"`), then each binary part with its Content-ID and `Content-Transfer-Encoding: binary`.
 */
export function buildMtom(input: MtomInput): MtomMessage {
  const rootId = input.rootContentId ?? 'root.message@relais';
  checkToken('Content-ID', rootId);
  for (const p of input.parts) checkToken('Content-ID', p.contentId);
  const boundary = input.boundary ?? `MIMEBoundary_${randomBytes(24).toString('hex')}`;
  if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/.test(boundary)) throw malformed('invalid boundary');
  const delimiter = Buffer.from(`${CRLF}--${boundary}`, 'latin1');
  const root = Buffer.from(input.rootXml, 'utf8');
  // A part holding the delimiter would end early on the reader's side (RFC 2046 §5.1.1).
  for (const content of [root, ...input.parts.map((p) => p.content)]) {
    if (content.indexOf(delimiter) !== -1 || content.subarray(0, delimiter.length - 2).equals(delimiter.subarray(2))) {
      throw malformed('the boundary occurs inside a part');
    }
  }
  const chunks: Buffer[] = [
    Buffer.from(`--${boundary}${CRLF}`
      + `Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"${CRLF}`
      + `Content-Transfer-Encoding: binary${CRLF}`
      + `Content-ID: <${rootId}>${CRLF}${CRLF}`, 'latin1'),
    root,
  ];
  for (const p of input.parts) {
    chunks.push(Buffer.from(`${CRLF}--${boundary}${CRLF}`
      + `Content-Type: ${p.contentType ?? 'application/octet-stream'}${CRLF}`
      + `Content-Transfer-Encoding: binary${CRLF}`
      + `Content-ID: <${p.contentId}>${CRLF}${CRLF}`, 'latin1'), p.content);
  }
  chunks.push(Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1'));
  const contentType = `multipart/related; boundary="${boundary}"; type="application/xop+xml"; start="<${rootId}>"; `
    + `start-info="application/soap+xml"; action="${input.action}"`;
  return { contentType, body: Buffer.concat(chunks), boundary };
}

/** A media type and its parameters (names lower-cased, quoted strings unquoted). */
export function parseContentType(header: string): { type: string; params: Record<string, string> } {
  const semi = header.indexOf(';');
  const type = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  const params: Record<string, string> = {};
  const re = /;\s*([^=\s;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
  const rest = semi === -1 ? '' : header.slice(semi);
  for (let m = re.exec(rest); m !== null; m = re.exec(rest)) {
    const name = (m[1] ?? '').toLowerCase();
    params[name] = m[2] === undefined ? (m[3] ?? '') : m[2].replace(/\\(.)/g, '$1');
  }
  return { type, params };
}

export interface MimePart {
  headers: Record<string, string>;
  contentId?: string;
  content: Buffer;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  // RFC 5322 §2.2.3: a line starting with white space continues the previous header.
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split(CRLF)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function stripAngles(id: string): string {
  const t = id.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1) : t;
}

function decodePart(headers: Record<string, string>, raw: Buffer): Buffer {
  const encoding = (headers['content-transfer-encoding'] ?? 'binary').toLowerCase();
  if (encoding === 'binary' || encoding === '8bit' || encoding === '7bit') return raw;
  if (encoding === 'base64') return Buffer.from(raw.toString('latin1'), 'base64');
  throw malformed(`unsupported Content-Transfer-Encoding ${encoding.slice(0, 20)}`);
}

/** Splits a multipart body on its boundary (RFC 2046 §5.1.1: preamble and epilogue ignored, padding allowed). */
export function splitMultipart(body: Buffer, boundary: string): MimePart[] {
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.from(`${CRLF}--${boundary}`, 'latin1');
  let at: number;
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) at = dashBoundary.length;
  else {
    const first = body.indexOf(delimiter);
    if (first === -1) throw malformed('no multipart boundary found');
    at = first + delimiter.length;
  }
  const parts: MimePart[] = [];
  for (;;) {
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts;
    const lineEnd = body.indexOf(CRLF, at, 'latin1');
    if (lineEnd === -1) throw malformed('truncated multipart body');
    // The header block ends with an empty line; a part with no header starts right after the boundary line.
    const headerEnd = body.indexOf(`${CRLF}${CRLF}`, lineEnd, 'latin1');
    if (headerEnd === -1 || headerEnd - lineEnd > MAX_HEADER_BYTES) throw malformed('multipart part headers not terminated');
    const headers = headerEnd === lineEnd ? {} : parseHeaders(body.toString('latin1', lineEnd + 2, headerEnd));
    const contentStart = headerEnd + 4;
    const next = body.indexOf(delimiter, contentStart);
    if (next === -1) throw malformed('the closing multipart boundary is missing');
    const content = decodePart(headers, body.subarray(contentStart, next));
    const cid = headers['content-id'];
    parts.push({ headers, content, ...(cid === undefined ? {} : { contentId: stripAngles(cid) }) });
    at = next + delimiter.length;
  }
}

export interface SoapMessage {
  /** The SOAP envelope bytes, with any xop:Include replaced by the base64 text of its part. */
  rootXml: Buffer;
  /** The attachments, by Content-ID (without angle brackets). */
  parts: Map<string, Buffer>;
}

const XOP_INCLUDE = /<([A-Za-z_][\w.-]*:)?Include\b[^>]*?\bhref\s*=\s*(["'])cid:([^"']+)\2[^>]*?(?:\/>|>\s*<\/\1?Include\s*>)/g;

/** Inlines every xop:Include of `xml` as the base64 of its part (XOP §3: the reconstituted infoset). */
export function resolveXopIncludes(xml: Buffer, parts: ReadonlyMap<string, Buffer>): Buffer {
  const text = xml.toString('utf8');
  if (!text.includes('Include')) return xml;
  const out = text.replace(XOP_INCLUDE, (_m, _prefix, _q, cid: string) => {
    // RFC 2392: the cid URL is %-encoded.
    let id: string;
    try {
      id = decodeURIComponent(cid);
    } catch {
      throw malformed('invalid cid: URL in xop:Include');
    }
    const part = parts.get(id);
    if (part === undefined) throw malformed('xop:Include names a part that is not in the message');
    return part.toString('base64');
  });
  return Buffer.from(out, 'utf8');
}

/**
 * Reads a SOAP answer as it comes over HTTP: `application/soap+xml` (plain) or `multipart/related` (MTOM). The root
 * part is the one named by the `start` parameter, else the first one.
 */
export function parseSoapMessage(contentType: string | undefined, body: Buffer): SoapMessage {
  const ct = parseContentType(contentType ?? '');
  if (ct.type !== 'multipart/related') {
    if (ct.type !== '' && !/^(application\/soap\+xml|text\/xml|application\/xml|application\/xop\+xml)$/.test(ct.type)) {
      throw malformed(`unexpected Content-Type ${ct.type.slice(0, 60)}`);
    }
    return { rootXml: body, parts: new Map() };
  }
  const boundary = ct.params['boundary'];
  if (boundary === undefined || boundary === '') throw malformed('multipart/related without a boundary');
  const all = splitMultipart(body, boundary);
  const start = ct.params['start'] === undefined ? undefined : stripAngles(ct.params['start']);
  const root = (start === undefined ? undefined : all.find((p) => p.contentId === start)) ?? all[0];
  if (root === undefined) throw malformed('multipart/related without parts');
  const parts = new Map<string, Buffer>();
  for (const p of all) if (p !== root && p.contentId !== undefined) parts.set(p.contentId, p.content);
  return { rootXml: resolveXopIncludes(root.content, parts), parts };
}
