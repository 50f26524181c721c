import type { Document, Element, Node } from '@xmldom/xmldom';
import { RelaisError } from '../domain/index.js';

const HL7_V3 = 'urn:hl7-org:v3';
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/** A block of a section's narrative (CDA R2 NarrativeBlock, section/text), reduced to what a reader needs. */
export type NarrativeBlock =
  | { kind: 'paragraph'; text: string; emphasis?: boolean }
  | { kind: 'list'; ordered: boolean; items: NarrativeBlock[][] }
  | { kind: 'table'; caption?: string; rows: NarrativeRow[] };

export interface NarrativeRow { header: boolean; cells: { text: string; colSpan: number; header: boolean }[] }

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
          pending += ' [contenu multimédia non reproduit] ';
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
    const list: NarrativeBlock = { kind: 'list', ordered: el.getAttribute('listType') === 'ordered', items };
    if (captionEl === undefined) return list;
    // A list caption reads as the list's heading: keep it as the first item-less line before the list.
    const caption = tidy(inlineText(captionEl));
    return caption === '' ? list : { ...list, items: [[{ kind: 'paragraph', text: this.count(caption), emphasis: true }], ...items] };
  }

  table(el: Element, depth: number): NarrativeBlock {
    this.checkDepth(depth);
    const rows: NarrativeRow[] = [];
    const captionEl = childNamed(el, 'caption');
    const addRows = (group: Element, header: boolean): void => {
      for (const tr of childrenNamed(group, 'tr')) {
        const cells: NarrativeRow['cells'] = [];
        for (let n: Node | null = tr.firstChild; n !== null; n = n.nextSibling) {
          if (!isElement(n) || (n.localName !== 'td' && n.localName !== 'th')) continue;
          const span = Number.parseInt(n.getAttribute('colspan') ?? '1', 10);
          cells.push({
            text: this.count(cellText(n)),
            colSpan: Number.isFinite(span) && span > 1 ? Math.min(span, 50) : 1,
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
      else if (n.localName === 'tr') addRows(el, false);
    }
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

/** A table cell may hold paragraphs and lists: their text, one per line. */
function cellText(el: Element): string {
  const lines: string[] = [];
  let pending = '';
  for (let n: Node | null = el.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n) && (n.localName === 'paragraph' || n.localName === 'list' || n.localName === 'item')) {
      lines.push(pending, n.localName === 'list' ? listText(n) : inlineText(n));
      pending = '';
    } else {
      pending += isElement(n) ? inlineText(n) : nodeText(n);
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
  for (let n: Node | null = el.firstChild; n !== null; n = n.nextSibling) {
    if (!isElement(n)) out += nodeText(n);
    else if (n.localName === 'br') out += '\n';
    else if (n.localName === 'renderMultiMedia') out += ' [contenu multimédia non reproduit] ';
    else if (n.localName === 'paragraph' || n.localName === 'item' || n.localName === 'tr') out += `\n${inlineText(n)}\n`;
    else if (n.localName === 'td' || n.localName === 'th') out += ` ${inlineText(n)} `;
    else out += inlineText(n);
  }
  return out;
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
