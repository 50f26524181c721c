import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { el, escapeAttr, escapeText, textEl } from './xml-writer.js';

describe('XML writer', () => {
  it('escapes & < > " \' in text and attributes', () => {
    assert.equal(escapeText('a & b < c > d " e \' f'), 'a &amp; b &lt; c &gt; d &quot; e &apos; f');
    assert.equal(escapeAttr('x"y\'z&<>'), 'x&quot;y&apos;z&amp;&lt;&gt;');
  });
  it('keeps line breaks and tabs of an attribute as character references', () => {
    assert.equal(escapeAttr('a\nb\tc\r'), 'a&#10;b&#9;c&#13;');
  });
  it('replaces characters XML 1.0 cannot carry', () => {
    assert.equal(escapeText('a\u0001b'), 'a\uFFFDb');
  });
  it('round-trips hostile values through a parser', () => {
    const hostile = 'Dr O\'Brien & "Fils" <chef> \'';
    const xml = el('root', { a: hostile, skip: undefined }, textEl('t', {}, hostile));
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    assert.equal(doc.documentElement?.getAttribute('a'), hostile);
    assert.equal(doc.documentElement?.hasAttribute('skip'), false);
    assert.equal(doc.getElementsByTagName('t')[0]?.textContent, hostile);
  });
  it('self-closes an element without children', () => {
    assert.equal(el('x', { b: '1' }), '<x b="1"/>');
  });
});
