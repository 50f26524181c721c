import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, query, trusted } from './html.js';
import { barChart } from './charts.js';
import { mailHeader } from './pages.js';

describe('html', () => {
  it('escapes every interpolated value, attribute quotes included', () => {
    const name = `<script>alert('x')</script>"&\``;
    assert.equal(html`<td title="${name}">${name}</td>`.text,
      '<td title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;&#96;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;&#96;</td>');
  });

  it('passes nested templates and arrays through once, and drops null, undefined and false', () => {
    const rows = ['<a>', 'b'].map((v) => html`<li>${v}</li>`);
    assert.equal(html`<ul>${rows}${null}${undefined}${false}</ul>`.text, '<ul><li>&lt;a&gt;</li><li>b</li></ul>');
    assert.equal(html`${0} ${true}`.text, '0 true');
  });

  it('never takes an object that only looks like markup', () => {
    const forged = { text: '<b>x</b>' } as unknown as string;
    assert.equal(html`${forged}`.text, '[object Object]');
    assert.equal(html`${trusted('<b>x</b>')}`.text, '<b>x</b>');
    assert.equal(escapeHtml('a&b'), 'a&amp;b');
  });

  it('builds query strings with encoded names and values', () => {
    assert.equal(query({ ipp: 'A&B=C', empty: '', none: undefined, n: 3 }), '?ipp=A%26B%3DC&n=3');
    assert.equal(query({}), '');
  });

  it('draws a chart whose labels are text', () => {
    const svg = barChart({ title: '<t>', labels: ['<x>'], series: [{ name: '<s>', color: '#000' }], values: [[3]] }).text;
    assert.doesNotMatch(svg, /<t>|<x>|<s>/);
    assert.match(svg, /&lt;x&gt; — &lt;s&gt; : 3/);
  });
});

describe('mailHeader', () => {
  it('reads a folded header and decodes RFC 2047 words', () => {
    const head = Buffer.from('From: labo@x.fr\r\nSubject: =?UTF-8?B?UsOpc3VsdGF0cw==?=\r\n =?UTF-8?Q?_bio?=\r\n\r\nSubject: body');
    assert.equal(mailHeader(head, 'subject'), 'Résultats  bio');
    assert.equal(mailHeader(head, 'From'), 'labo@x.fr');
    assert.equal(mailHeader(head, 'To'), '');
  });
});
