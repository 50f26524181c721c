/**
 * Stacked bar charts drawn on the server as SVG: no script, nothing for the CSP to allow. Every label goes
 * through `html`, so a value from the store is text.
 */
import { html, type SafeHtml } from './html.js';

export interface ChartSeries { name: string; color: string }

export interface BarChart {
  title: string;
  /** One label per bar, left to right. */
  labels: readonly string[];
  series: readonly ChartSeries[];
  /** values[bar][series]. */
  values: readonly (readonly number[])[];
}

const WIDTH = 720;
const HEIGHT = 200;
const LEFT = 40;
const BOTTOM = 24;
const TOP = 8;

function niceMax(n: number): number {
  if (n <= 4) return 4;
  const p = 10 ** Math.floor(Math.log10(n));
  // Even multiples: the middle grid line stays a whole number.
  for (const m of [1, 2, 4, 6, 8, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

export function barChart(c: BarChart): SafeHtml {
  const totals = c.values.map((v) => v.reduce((a, b) => a + b, 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = WIDTH - LEFT - 8;
  const plotH = HEIGHT - BOTTOM - TOP;
  const slot = plotW / Math.max(1, c.labels.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => TOP + plotH - (v / max) * plotH;
  const bars: SafeHtml[] = [];
  c.values.forEach((v, i) => {
    let base = 0;
    const x = LEFT + i * slot + (slot - barW) / 2;
    v.forEach((n, s) => {
      if (n <= 0) return;
      const top = y(base + n);
      const h = y(base) - top;
      bars.push(html`<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${c.series[s]!.color}"><title>${c.labels[i]} — ${c.series[s]!.name} : ${n}</title></rect>`);
      base += n;
    });
  });
  const every = Math.max(1, Math.ceil(c.labels.length / 12));
  const ticks = c.labels.map((l, i) => (i % every === 0
    ? html`<text x="${(LEFT + i * slot + slot / 2).toFixed(1)}" y="${HEIGHT - 6}" text-anchor="middle" class="axis">${l}</text>` : html``));
  const grid = [0, 0.5, 1].map((f) => html`<line x1="${LEFT}" x2="${WIDTH - 8}" y1="${y(max * f).toFixed(1)}" y2="${y(max * f).toFixed(1)}" class="grid"/><text x="${LEFT - 4}" y="${(y(max * f) + 4).toFixed(1)}" text-anchor="end" class="axis">${Math.round(max * f)}</text>`);
  const legend = c.series.map((s) => html`<span class="legend-item"><svg class="swatch" width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${s.color}"/></svg> ${s.name}</span>`);
  return html`<figure class="chart"><figcaption>${c.title}</figcaption>
<svg class="plot" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${c.title}" xmlns="http://www.w3.org/2000/svg">${grid}${bars}${ticks}</svg>
<div class="legend">${legend}</div></figure>`;
}
