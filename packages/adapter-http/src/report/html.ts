import { pickText, type Language, type MultilingualText } from '@taawun/domain';
import { dayText, directionOf, message } from '@taawun/projections/presentation';
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
ol.timeline { list-style: none; margin: 0; padding: 0; padding-inline-start: 18px; border-inline-start: 3px solid var(--line); }
ol.timeline > li { position: relative; margin: 0 0 14px; padding: 8px 12px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
ol.timeline > li::before { content: ""; position: absolute; inset-inline-start: -27px; top: 14px; width: 12px; height: 12px; border-radius: 50%; background: var(--accent); }
.when { font-weight: 600; color: var(--accent); margin-inline-end: 10px; }
.what { font-weight: 600; }
.meta { color: var(--muted); font-size: .85rem; }
.tag { display: inline-block; padding: 0 6px; border: 1px solid var(--line); border-radius: 4px; font-size: .8rem; color: var(--muted); }
figure { margin: 8px 0 16px; }
.multiples { display: flex; flex-wrap: wrap; gap: 8px 28px; }
.multiples figure { margin: 0; max-width: 100%; }
svg.chart { max-width: 100%; height: auto; }
.more { color: var(--muted); font-size: .9rem; }
details.period summary { cursor: pointer; }
details.period summary h3 { display: inline; font-size: 1rem; margin: 0; }
details.period { margin: 6px 0; }
details.fold { display: inline; }
details.fold[open] { display: block; }
details.fold summary { display: inline; cursor: pointer; color: var(--accent); }
.problem { border-inline-start: 4px solid #b3261e; padding: 4px 14px; background: #fff; margin: 12px 0; }
dl.help dt { font-weight: 600; margin-top: 6px; }
dl.help dd { margin-inline-start: 16px; }
figcaption { color: var(--muted); font-size: .85rem; }
div.languages { margin-inline-start: auto; font-size: .9rem; }
div.languages a[aria-current="page"] { font-weight: 700; color: var(--ink); }
html[dir="rtl"] body { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", system-ui, sans-serif; }
td.num, th.num { text-align: end; }
.letterhead { display: none; }
@page { size: A4; margin: 16mm 14mm; }
@page wide { size: A4 landscape; margin: 12mm 12mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  /* Every column on the paper: a table with many columns gets a landscape page of its own, and a word breaks rather than run off the edge. */
  table.wide { page: wide; }
  th, td { padding: 3px 6px; overflow-wrap: anywhere; }
  th { font-size: 8pt; }
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
  /** The institute's name, in the page's language when the configuration gives it in several. */
  readonly institute: string | MultilingualText;
  readonly printedAt: Date;
  /** The last log position the answer reflects. */
  readonly position: string | null;
  /** The log's head when the page was made, with its hash (stores with a hash chain). */
  readonly head: { readonly position: string; readonly headHash: string } | null;
}

export function letterhead(head: Letterhead, lang: Language = 'en'): Html {
  const iso = head.printedAt.toISOString();
  const time = iso.slice(11, 16) + ' UTC';
  const institute = typeof head.institute === 'string' ? head.institute : pickText(head.institute, lang);
  if (lang === 'en') {
    const printed = iso.replace('T', ' ').slice(0, 16) + ' UTC';
    const chain = head.head ? html` · log head ${head.head.position}, hash <code>${head.head.headHash}</code>` : '';
    return html`<header class="letterhead" role="banner">
<div class="institute">${institute}</div>
<div class="meta">Printed <time datetime="${iso}">${printed}</time> · computed from log position ${head.position ?? '(empty log)'}${chain}</div>
</header>`;
  }
  // The day in the institute's locale ("3 دجنبر 2026"), the hour in UTC.
  const printed = message(lang, 'report.printed', { date: `${dayText(head.printedAt, lang)} ${time}` });
  const position = head.position ? message(lang, 'lens.position', { position: head.position }) : message(lang, 'lens.emptyLog');
  const chain = head.head ? html` · ${message(lang, 'report.logHead', { position: head.head.position })} <code>${head.head.headHash}</code>` : '';
  return html`<header class="letterhead" role="banner">
<div class="institute">${institute}</div>
<div class="meta"><time datetime="${iso}">${printed}</time> · ${position}${chain}</div>
</header>`;
}

export interface PageOptions {
  readonly title: string;
  /** Under the title: the time lens the page reads the record through. */
  readonly subtitle?: Html | string;
  readonly body: Html;
  /** Shown when printed (and in the PDF), hidden on screen. */
  readonly letterhead?: Letterhead;
  /** The language of the page's chrome (English when not given). */
  readonly lang?: Language;
  /** The page's own address (path and query): the language switch links to it in each language. */
  readonly here?: string;
}

const languageNames: Readonly<Record<Language, string>> = { ar: 'العربية', fr: 'Français', en: 'English' };

/** This page in another language: the same address and query, `lang` set. */
export function inLanguage(here: string, lang: Language): string {
  const url = new URL(here, 'http://report.invalid');
  url.searchParams.set('lang', lang);
  return `${url.pathname}?${url.searchParams.toString()}`;
}

/** The address of a report page, keeping the language when the address chose it. */
export const withLang = (href: string, lang: Language | undefined): string => (lang ? inLanguage(href, lang) : href);

function languageSwitch(here: string, lang: Language): Html {
  return html`<div class="languages" role="navigation" aria-label="${message(lang, 'report.language')}">${(['ar', 'fr', 'en'] as const).map(
    (l, i) => html`${i > 0 ? ' · ' : ''}<a href="${inLanguage(here, l)}" lang="${l}" hreflang="${l}"${l === lang ? html` aria-current="page"` : ''}>${languageNames[l]}</a>`,
  )}</div>`;
}

/** A whole page: its chrome in its language and direction (Arabic right to left); the record's own text carries its languages. */
export function page({ title, subtitle, body, letterhead: head, lang = 'en', here }: PageOptions): Html {
  const keep = here && new URL(here, 'http://report.invalid').searchParams.has('lang') ? lang : undefined;
  return html`<!doctype html>
<html lang="${lang}" dir="${directionOf(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · taawun</title>
<style>${raw(styles)}</style>
</head>
<body>
<header class="site">
  <strong><bdi lang="ar" dir="rtl">تعاون</bdi> taawun</strong>
  <nav><a href="${withLang('/report', keep)}">${message(lang, 'report.nav.partners')}</a> · <a href="${withLang('/report/activity', keep)}">${message(lang, 'report.nav.activity')}</a> · <a href="${withLang('/report/agreements', keep)}">${message(lang, 'report.nav.agreements')}</a></nav>
  ${languageSwitch(here ?? '/report', lang)}
</header>
<main>
${head ? letterhead(head, lang) : ''}
<h1>${title}</h1>
${subtitle ? html`<p class="lens">${subtitle}</p>` : ''}
${body}
</main>
</body>
</html>`;
}
