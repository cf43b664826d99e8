import type { Language } from '@taawun/domain';
import { message } from '@taawun/projections/presentation';
import { html } from 'hono/html';
import type { Html } from './html.js';

/**
 * An honest bar chart for figures of different sizes: small multiples, one
 * panel per series, each on its own axis from zero, so no figure is divided to
 * fit beside another (120 people trained and 2 study visits are each drawn to
 * their own scale, and the panel says so). Every bar carries its value as text;
 * a figure the record does not fully give (a lower bound, "≥ 8") is drawn
 * hatched and open at the top, labelled "≥ 8", and the legend says what that
 * means. A bar for a value above zero is never thinner than a hairline. Plain
 * SVG, scaled to the page's width by the browser (`viewBox`), no script.
 */
export interface ChartValue {
  readonly value: number;
  /** The record gives at least this much: the true figure may be higher. */
  readonly lowerBound: boolean;
  /** The figure in words, as the table beside the chart writes it ("not stated", "0–2"): else "≥ n" or n. */
  readonly label?: string;
}

export interface ChartPanel {
  readonly key: string;
  readonly label: string;
  readonly color: string;
  /** One value per label, in the labels' order. */
  readonly values: readonly ChartValue[];
}

const BAR = 22;
const GAP = 10;
const LEFT = 44;
const PLOT = 120;
const TOP = 18;
const LABELS = 58;
const HAIRLINE = 1.5;

const valueText = (v: ChartValue): string => v.label ?? (v.lowerBound ? `≥ ${v.value}` : String(v.value));

/** A panel's figures in one line, for screen readers (English as it always read). */
function perPeriod(p: ChartPanel, labels: readonly string[], lang: Language): string {
  const values = labels.map((l, i) => `${l} ${valueText(p.values[i]!)}`).join(lang === 'ar' ? '، ' : ', ');
  return lang === 'en' ? `${p.label} per period: ${values}` : message(lang, 'report.chart.perPeriod', { series: p.label, values });
}

function panel(p: ChartPanel, labels: readonly string[], id: string, lang: Language): Html {
  const max = Math.max(1, ...p.values.map((v) => v.value));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const width = LEFT + Math.max(1, labels.length) * (BAR + GAP) + 8;
  const height = TOP + PLOT + LABELS;
  const y = (v: number) => TOP + PLOT - (v / top) * PLOT;
  const ticks = Array.from({ length: top / step + 1 }, (_, i) => i * step);
  return html`<figure class="panel" data-series="${p.key}">
<figcaption><strong>${p.label}</strong> <span class="meta">${message(lang, 'report.chart.scale', { top: String(top) })}</span></figcaption>
<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-series="${p.key}" role="img" aria-label="${perPeriod(p, labels, lang)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<defs><pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="${p.color}" fill-opacity="0.25"/><line x1="0" y1="0" x2="0" y2="6" stroke="${p.color}" stroke-width="2.5"/></pattern></defs>
${ticks.map((t) => html`<line x1="${LEFT}" x2="${width - 4}" y1="${y(t)}" y2="${y(t)}" stroke="#e3e8ee"/><text x="${LEFT - 6}" y="${y(t) + 4}" font-size="10" text-anchor="end" fill="#5d6b7a">${t}</text>`)}
${labels.map((label, i) => {
  const v = p.values[i]!;
  const x = LEFT + i * (BAR + GAP) + GAP / 2;
  const h = v.value > 0 ? Math.max(HAIRLINE, y(0) - y(v.value)) : 0;
  const cx = x + BAR / 2;
  return html`<g class="year" data-label="${label}">
<rect x="${x}" y="${y(0) - h}" width="${BAR}" height="${h}" fill="${v.lowerBound ? `url(#${id})` : p.color}" data-series="${p.key}" data-value="${v.value}" data-lower-bound="${String(v.lowerBound)}"${v.lowerBound ? html` stroke="${p.color}" stroke-dasharray="3 2"` : ''}><title>${label}: ${p.label} ${valueText(v)}${v.lowerBound ? (lang === 'en' ? ' (at least: the record does not give them all)' : message(lang, 'report.chart.atLeast')) : ''}</title></rect>
<text class="value" x="${cx}" y="${y(0) - h - 4}" font-size="9.5" text-anchor="middle" fill="#1d2733">${valueText(v)}</text>
<text class="label" x="${cx}" y="${TOP + PLOT + 12}" font-size="10" text-anchor="end" fill="#1d2733" transform="rotate(-40 ${cx} ${TOP + PLOT + 12})">${label}</text>
</g>`;
})}
<line x1="${LEFT}" x2="${width - 4}" y1="${y(0)}" y2="${y(0)}" stroke="#5d6b7a"/>
</svg>
</figure>`;
}

export function smallMultiples(options: { title: string; labels: readonly string[]; panels: readonly ChartPanel[]; table?: string; lang?: Language }): Html {
  const anyLowerBound = options.panels.some((p) => p.values.some((v) => v.lowerBound));
  const lang = options.lang ?? 'en';
  if (lang !== 'en') {
    return html`<section class="chart sheet" aria-label="${options.title}">
<h2>${options.title}</h2>
<div class="multiples" dir="ltr">
${options.panels.map((p, i) => panel(p, options.labels, `lower-bound-${i}`, lang))}
</div>
<p class="legend meta">${message(lang, 'report.chart.legend')}${anyLowerBound ? html` <span class="lower-bound-key">${message(lang, 'report.chart.lowerBound')}</span>` : ''}${
      options.table ? html` <a href="#${options.table}">${message(lang, 'report.chart.table')}</a>` : ''
    }</p>
</section>`;
  }
  return html`<section class="chart sheet" aria-label="${options.title}">
<h2>${options.title}</h2>
<div class="multiples">
${options.panels.map((p, i) => panel(p, options.labels, `lower-bound-${i}`, lang))}
</div>
<p class="legend meta">Each panel has its own scale from zero; every bar is labelled with its figure.${
    anyLowerBound ? html` <span class="lower-bound-key">A hatched bar open at the top, labelled “≥ n”, is a <strong>lower bound</strong>: the record gives at least n, and no number for some of what it counts.</span>` : ''
  }${options.table ? html` The same figures are in the <a href="#${options.table}">table below</a>.` : ''}</p>
</section>`;
}

function niceStep(max: number): number {
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= rough) return m * magnitude;
  return 10 * magnitude;
}
