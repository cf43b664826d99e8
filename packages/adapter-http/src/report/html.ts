import type { MultilingualText } from '@taawun/domain';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/**
 * The report's building blocks: one page layout, multilingual text with each
 * language in its own direction, and an SVG bar chart. Server-rendered with
 * hono/html (every interpolated value is escaped), no script, no front-end build.
 */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const languages = [
  { key: 'ar', dir: 'rtl' },
  { key: 'fr', dir: 'ltr' },
  { key: 'en', dir: 'ltr' },
] as const;

/**
 * Text in each language it is given in, Arabic first: every part carries its
 * own `lang` and `dir` and is isolated (`<bdi>`), so Arabic reads right to left
 * and French and English left to right within one line of an English page.
 */
export function multilingual(text: MultilingualText | null | undefined, options: { fallback?: string } = {}): Html {
  if (!text) return html`<span class="unknown">${options.fallback ?? '—'}</span>`;
  const parts = languages.filter((l) => text[l.key] !== undefined);
  return html`<span class="ml">${parts.map((l) => html`<bdi class="t-${l.key}" lang="${l.key}" dir="${l.dir}">${text[l.key]!}</bdi>`)}</span>`;
}

const styles = `
:root { --ink: #1d2733; --muted: #5d6b7a; --line: #d8dee6; --accent: #0b5f8a; --bg: #fbfcfd; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 "Noto Sans", "DejaVu Sans", system-ui, sans-serif; color: var(--ink); background: var(--bg); }
header.site { padding: 12px 24px; border-bottom: 1px solid var(--line); background: #fff; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
header.site a { color: var(--accent); text-decoration: none; }
main { padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 1.5rem; margin: 8px 0 4px; }
h2 { font-size: 1.15rem; margin: 24px 0 8px; }
.lens { color: var(--muted); font-size: .9rem; }
.ml { display: inline-flex; flex-wrap: wrap; gap: 2px 14px; }
.t-ar { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", sans-serif; font-size: 1.08em; }
.unknown { color: var(--muted); }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: start; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 18px; border-left: 3px solid var(--line); }
ol.timeline > li { position: relative; margin: 0 0 14px; padding: 8px 12px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
ol.timeline > li::before { content: ""; position: absolute; left: -27px; top: 14px; width: 12px; height: 12px; border-radius: 50%; background: var(--accent); }
.when { font-weight: 600; color: var(--accent); margin-inline-end: 10px; }
.what { font-weight: 600; }
.meta { color: var(--muted); font-size: .85rem; }
.tag { display: inline-block; padding: 0 6px; border: 1px solid var(--line); border-radius: 4px; font-size: .8rem; color: var(--muted); }
figure { margin: 8px 0 16px; }
figcaption { color: var(--muted); font-size: .85rem; }
.letterhead { display: none; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  header.site, nav, form, a[rel="next"] { display: none !important; }
  main { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  .letterhead { display: block; border-bottom: 2px solid var(--ink); padding-bottom: 6px; margin-bottom: 10px; }
  .letterhead .institute { font-size: 14pt; font-weight: 700; }
  .letterhead .meta { color: var(--ink); }
  thead { display: table-header-group; }
  tr, li.entry, figure { break-inside: avoid; }
  h2 { break-after: avoid; }
  section.sheet + section.sheet, main > section + section { break-before: page; }
}
`;

/**
 * What a printed page says it is: whose record, when it was printed, and
 * which state of the log it was computed from (the answer's position, and the
 * log's head with its hash-chain hash when the store keeps a chain), so a
 * paper copy can be checked against the log later (`taawun verify --against`).
 */
export interface Letterhead {
  readonly institute: string;
  readonly printedAt: Date;
  /** The last log position the answer reflects. */
  readonly position: string | null;
  /** The log's head when the page was made, with its hash (stores with a hash chain). */
  readonly head: { readonly position: string; readonly headHash: string } | null;
}

export function letterhead(head: Letterhead): Html {
  const printed = head.printedAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const chain = head.head ? html` · log head ${head.head.position}, hash <code>${head.head.headHash}</code>` : '';
  return html`<header class="letterhead" role="banner">
<div class="institute">${head.institute}</div>
<div class="meta">Printed <time datetime="${head.printedAt.toISOString()}">${printed}</time> · computed from log position ${head.position ?? '(empty log)'}${chain}</div>
</header>`;
}

export interface PageOptions {
  readonly title: string;
  /** Under the title: the time lens the page reads the record through. */
  readonly subtitle?: Html | string;
  readonly body: Html;
  /** Shown when printed (and in the PDF), hidden on screen. */
  readonly letterhead?: Letterhead;
}

/** A whole page: English chrome, left to right; the record's own text carries its languages. */
export function page({ title, subtitle, body, letterhead: head }: PageOptions): Html {
  return html`<!doctype html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · taawun</title>
<style>${raw(styles)}</style>
</head>
<body>
<header class="site">
  <strong><bdi lang="ar" dir="rtl">تعاون</bdi> taawun</strong>
  <nav><a href="/report">Partners</a> · <a href="/report/activity">Yearly activity</a> · <a href="/report/agreements">Agreements</a></nav>
</header>
<main>
${head ? letterhead(head) : ''}
<h1>${title}</h1>
${subtitle ? html`<p class="lens">${subtitle}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

export interface ChartSeries {
  readonly key: string;
  readonly label: string;
  readonly color: string;
}

export interface ChartGroup {
  readonly label: string;
  readonly values: Readonly<Record<string, number>>;
}

/**
 * Grouped bars, one group per label (a year), one bar per series, with a
 * value axis, a legend and a `<title>` on every bar. Plain SVG in the page.
 */
export function barChart(options: { title: string; series: readonly ChartSeries[]; groups: readonly ChartGroup[] }): Html {
  const { series, groups } = options;
  const max = Math.max(1, ...groups.flatMap((g) => series.map((s) => g.values[s.key] ?? 0)));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const bar = 12;
  const gap = 14;
  const groupWidth = series.length * bar + gap;
  const left = 40;
  const plotHeight = 180;
  const width = left + Math.max(1, groups.length) * groupWidth + 10;
  const height = plotHeight + 60 + Math.ceil(series.length / 3) * 18;
  const y = (v: number) => 10 + plotHeight - (v / top) * plotHeight;
  const ticks = Array.from({ length: top / step + 1 }, (_, i) => i * step);
  return html`<figure>
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${options.title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="chart">
<title>${options.title}</title>
${ticks.map(
  (t) => html`<line x1="${left}" x2="${width - 5}" y1="${y(t)}" y2="${y(t)}" stroke="#e3e8ee"/><text x="${left - 6}" y="${y(t) + 4}" font-size="10" text-anchor="end" fill="#5d6b7a">${t}</text>`,
)}
${groups.map((g, gi) => {
  const x0 = left + gi * groupWidth + gap / 2;
  return html`<g class="year" data-label="${g.label}">
${series.map((s, si) => {
  const v = g.values[s.key] ?? 0;
  return html`<rect x="${x0 + si * bar}" y="${y(v)}" width="${bar - 2}" height="${y(0) - y(v)}" fill="${s.color}" data-series="${s.key}" data-value="${v}"><title>${g.label}: ${s.label} ${v}</title></rect>`;
})}
<text x="${x0 + (series.length * bar) / 2}" y="${plotHeight + 26}" font-size="10" text-anchor="middle" fill="#1d2733">${g.label}</text>
</g>`;
})}
${series.map(
  (s, i) =>
    html`<g class="legend"><rect x="${left + (i % 3) * 170}" y="${plotHeight + 40 + Math.floor(i / 3) * 18}" width="10" height="10" fill="${s.color}"/><text x="${left + (i % 3) * 170 + 14}" y="${plotHeight + 49 + Math.floor(i / 3) * 18}" font-size="11" fill="#1d2733">${s.label}</text></g>`,
)}
</svg>
<figcaption>${options.title}</figcaption>
</figure>`;
}

function niceStep(max: number): number {
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= rough) return m * magnitude;
  return 10 * magnitude;
}
