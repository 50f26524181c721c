import type { Document, Element, Node } from '@xmldom/xmldom';
import { RelaisError } from '../domain/index.js';

const HL7_V3 = 'urn:hl7-org:v3';
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
// renderMultiMedia points at an image or a file the PDF cannot reproduce: say so rather than drop it silently.
const MULTIMEDIA = ' [contenu multimédia non reproduit] ';

/** A block of a section's narrative (CDA R2 NarrativeBlock, section/text), reduced to what a reader needs. */
export type NarrativeBlock =
  | { kind: 'paragraph'; text: string; emphasis?: boolean }
  | { kind: 'list'; ordered: boolean; items: NarrativeBlock[][]; caption?: string }
  | { kind: 'table'; caption?: string; rows: NarrativeRow[] };

export interface NarrativeCell { text: string; colSpan: number; rowSpan: number; header: boolean }

export interface NarrativeRow { header: boolean; cells: NarrativeCell[] }

export interface NarrativeSection {
  title?: string;
  blocks: NarrativeBlock[];
  sections: NarrativeSection[];
}

export interface NarrativeLimits {
  /** Characters of narrative text over the whole document. */
  maxChars: number;
  /** Nesting depth of sections, lists and tables. */
  maxDepth: number;
}

/**
 * The sections of structuredBody, in document order, with their titles and narrative (section/text). Inline
 * markup (content, sub, sup, linkHtml, footnote…) becomes plain text; br becomes a line break; any element the
 * NarrativeBlock schema does not know is rendered as its text so nothing the author wrote is lost.
 */
export function readNarrative(doc: Document, limits: NarrativeLimits): NarrativeSection[] {
  const reader = new NarrativeReader(limits);
  const root = doc.documentElement;
  const body = root === null ? undefined : childNamed(childNamed(root, 'component'), 'structuredBody');
  return body === undefined ? [] : reader.sectionsOf(body, 0);
}

class NarrativeReader {
  #chars = 0;

  constructor(private readonly limits: NarrativeLimits) {}

  sectionsOf(parent: Element, depth: number): NarrativeSection[] {
    const out: NarrativeSection[] = [];
    for (const component of childrenNamed(parent, 'component')) {
      const section = childNamed(component, 'section');
      if (section !== undefined) out.push(this.section(section, depth));
    }
    return out;
  }

  section(el: Element, depth: number): NarrativeSection {
    this.checkDepth(depth);
    const titleEl = childNamed(el, 'title');
    const title = titleEl === undefined ? undefined : this.count(collapse(nodeText(titleEl)));
    const textEl = childNamed(el, 'text');
    return {
      ...(title ? { title } : {}),
      blocks: textEl === undefined ? [] : this.blocks(textEl, depth + 1),
      sections: this.sectionsOf(el, depth + 1),
    };
  }

  /** Mixed content: runs of inline text become paragraphs, block elements their own blocks. */
  blocks(el: Element, depth: number): NarrativeBlock[] {
    this.checkDepth(depth);
    const out: NarrativeBlock[] = [];
    let pending = '';
    const flush = (): void => {
      const text = tidy(pending);
      pending = '';
      if (text !== '') out.push({ kind: 'paragraph', text: this.count(text) });
    };
    for (let n: Node | null = el.firstChild; n !== null; n = n.nextSibling) {
      if (!isElement(n)) {
        pending += nodeText(n);
        continue;
      }
      switch (n.localName) {
        case 'paragraph':
          flush();
          out.push(...this.blocks(n, depth + 1));
          break;
        case 'caption': {
          flush();
          const text = tidy(inlineText(n));
          if (text !== '') out.push({ kind: 'paragraph', text: this.count(text), emphasis: true });
          break;
        }
        case 'list':
          flush();
          out.push(this.list(n, depth + 1));
          break;
        case 'table':
          flush();
          out.push(this.table(n, depth + 1));
          break;
        case 'br':
          pending += '\n';
          break;
        case 'renderMultiMedia':
          pending += MULTIMEDIA;
          break;
        default:
          pending += inlineText(n);
      }
    }
    flush();
    return out;
  }

  list(el: Element, depth: number): NarrativeBlock {
    this.checkDepth(depth);
    const items: NarrativeBlock[][] = [];
    for (const item of childrenNamed(el, 'item')) items.push(this.blocks(item, depth + 1));
    const captionEl = childNamed(el, 'caption');
    const caption = captionEl === undefined ? '' : tidy(inlineText(captionEl));
    return { kind: 'list', ordered: el.getAttribute('listType') === 'ordered', items, ...(caption ? { caption: this.count(caption) } : {}) };
  }

  table(el: Element, depth: number): NarrativeBlock {
    this.checkDepth(depth);
    const rows: NarrativeRow[] = [];
    const captionEl = childNamed(el, 'caption');
    const addRows = (group: Element, header: boolean): void => {
      for (const tr of childrenNamed(group, 'tr')) {
        const cells: NarrativeCell[] = [];
        for (let n: Node | null = tr.firstChild; n !== null; n = n.nextSibling) {
          if (!isElement(n) || (n.localName !== 'td' && n.localName !== 'th')) continue;
          cells.push({
            text: this.count(cellText(n)),
            colSpan: span(n.getAttribute('colspan')),
            rowSpan: span(n.getAttribute('rowspan')),
            header: n.localName === 'th',
          });
        }
        if (cells.length > 0) rows.push({ header: header || cells.every((c) => c.header), cells });
      }
    };
    for (let n: Node | null = el.firstChild; n !== null; n = n.nextSibling) {
      if (!isElement(n)) continue;
      if (n.localName === 'thead') addRows(n, true);
      else if (n.localName === 'tbody' || n.localName === 'tfoot') addRows(n, false);
    }
    // The schema wants tbody; rows written straight under table are read all the same.
    addRows(el, false);
    const caption = captionEl === undefined ? '' : tidy(inlineText(captionEl));
    return { kind: 'table', rows, ...(caption ? { caption: this.count(caption) } : {}) };
  }

  checkDepth(depth: number): void {
    if (depth > this.limits.maxDepth) {
      throw new RelaisError('RLS_PDFA_TOO_LARGE', 'the narrative is nested too deeply to render', { maxDepth: this.limits.maxDepth });
    }
  }

  count(text: string): string {
    this.#chars += text.length;
    if (this.#chars > this.limits.maxChars) {
      throw new RelaisError('RLS_PDFA_TOO_LARGE', 'the narrative text is too long to render', { maxChars: this.limits.maxChars });
    }
    return text;
  }
}

/** colspan / rowspan: 1 unless a number above 1, at most 50 (a span is only layout; a huge one is an error). */
function span(value: string | null): number {
  const n = Number.parseInt(value ?? '1', 10);
  return Number.isFinite(n) && n > 1 ? Math.min(n, 50) : 1;
}

/** A table cell may hold paragraphs and lists: their text, one per line. */
function cellText(el: Element): string {
  const lines: string[] = [];
  let pending = '';
  for (let n: Node | null = el.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n) && (n.localName === 'paragraph' || n.localName === 'list' || n.localName === 'item')) {
      lines.push(pending, n.localName === 'list' ? listText(n) : inlineText(n));
      pending = '';
    } else {
      pending += inlineNode(n);
    }
  }
  lines.push(pending);
  return lines.map(tidy).filter((l) => l !== '').join('\n');
}

function listText(el: Element): string {
  return childrenNamed(el, 'item').map((item) => `• ${tidy(inlineText(item))}`).join('\n');
}

/** The text of inline markup: whitespace collapsed as in HTML, br kept as a line break. */
function inlineText(el: Element): string {
  let out = '';
  for (let n: Node | null = el.firstChild; n !== null; n = n.nextSibling) out += inlineNode(n);
  return out;
}

function inlineNode(n: Node): string {
  if (!isElement(n)) return nodeText(n);
  switch (n.localName) {
    case 'br': return '\n';
    case 'renderMultiMedia': return MULTIMEDIA;
    case 'paragraph': case 'item': case 'tr': return `\n${inlineText(n)}\n`;
    case 'td': case 'th': return ` ${inlineText(n)} `;
    default: return inlineText(n);
  }
}

/** Text and CDATA, with XML white space (line ends included) collapsed; an element of another namespace gives its text. */
function nodeText(n: Node): string {
  if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) return (n.nodeValue ?? '').replace(/\s+/g, ' ');
  if (n.nodeType === ELEMENT_NODE) return (n.textContent ?? '').replace(/\s+/g, ' ');
  return '';
}

/** Collapses white space inside each line and trims empty lines at both ends; line breaks from br are kept. */
function tidy(text: string): string {
  return text.split('\n').map(collapse).join('\n').replace(/^\n+|\n+$/g, '').replace(/\n{3,}/g, '\n\n');
}

function collapse(text: string): string {
  return text.replace(/[ \t\r\f\v\u00a0]+/g, ' ').trim();
}

function isElement(n: Node): n is Element {
  return n.nodeType === ELEMENT_NODE && (n as Element).namespaceURI === HL7_V3;
}

function childNamed(el: Element | undefined, name: string): Element | undefined {
  if (el === undefined) return undefined;
  for (let n: Node | null = el.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n) && n.localName === name) return n;
  }
  return undefined;
}

function childrenNamed(el: Element, name: string): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n) && n.localName === name) out.push(n);
  }
  return out;
}
