/**
 * The console's only way to build HTML: a tagged template that escapes every interpolated value, so a
 * patient name, a mail subject or a peer's answer shown in a page is text, never markup (the core XSS
 * defence). Markup built by another `html` template passes through unchanged; nothing else does.
 */

const SAFE = Symbol('safe-html');

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly text: string;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => entities[c]!);
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && (value as Partial<SafeHtml>)[SAFE] === true;
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[];

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isSafe(value)) return value.text;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let text = strings[0]!;
  values.forEach((v, i) => { text += render(v) + strings[i + 1]!; });
  return { [SAFE]: true, text };
}

/** Markup written by us as a constant (e.g. an SVG path computed from numbers only). */
export function trusted(text: string): SafeHtml {
  return { [SAFE]: true, text };
}

/** A query string from parameters, each name and value URL-encoded (then escaped by `html` as an attribute). */
export function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}
