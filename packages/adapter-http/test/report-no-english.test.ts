import { eventTypes, newEventId, partnerKindSchema, participantKindSchema } from '@taawun/domain';
import { institute, loadInstituteRecord } from '@taawun/example-institute-record';
import { catalogues, message, type MessageId } from '@taawun/projections/presentation';
import { IntlMessageFormat } from 'intl-messageformat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * Every report page of the institute's record, read in French and in Arabic
 * from the real server (no browser): none of the English catalogue's labels,
 * no event type's code name, no partner kind's English code is left in the
 * page's own words. The record's own words (its texts in each language, ids,
 * the data as written on the audit page) are the record's, and are set aside.
 */
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ report: { institute: institute.currentName } });
  const loaded = await loadInstituteRecord(t.store, { actor: 'seed', now: () => new Date(), newId: newEventId });
  expect(loaded.failures).toEqual([]);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

type Node = { type: number; value?: string; options?: Record<string, { value: Node[] }> };

/** The literal words of a message (its select and plural options included), without its arguments. */
function literals(text: string): string[] {
  const found: string[] = [];
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      if (node.type === 0 && node.value) found.push(node.value);
      for (const option of Object.values(node.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(text, 'en').getAst() as unknown as Node[]);
  return found;
}

/**
 * The English a French or Arabic page must not show: each English label of the
 * catalogue (and its upper-case form, as column headers print it) that the
 * language writes differently, the event types' code names and the partner and
 * participant kinds' English codes.
 */
function englishLabels(lang: 'fr' | 'ar'): string[] {
  const labels = new Set<string>();
  for (const id of Object.keys(catalogues.en) as MessageId[]) {
    const theirs = literals(catalogues[lang][id]).join(' ');
    for (const literal of literals(catalogues.en[id])) {
      // Whole phrases of a few letters or more, not punctuation left between arguments.
      for (const phrase of literal.split(/[(),:;.{}"“”…]|\s[–—-]\s/).map((p) => p.trim())) {
        if (!/^[A-Za-z][A-Za-z' ]{3,}[A-Za-z]$/.test(phrase) || theirs.includes(phrase)) continue;
        labels.add(phrase);
        if (id.startsWith('column.')) labels.add(phrase.toUpperCase());
      }
    }
  }
  for (const type of eventTypes) labels.add(type);
  for (const kind of [...partnerKindSchema.options, ...participantKindSchema.options]) if (kind !== 'other') labels.add(kind);
  return [...labels];
}

/** The facts under a row whose value is the record's own text (a description, a purpose, a note...), in the record's languages. */
const freeTextFacts = ['audience', 'place', 'destination', 'purpose', 'description', 'note', 'summary', 'areas', 'reason', 'signatories', 'instituteSignedAs'] as const;

/**
 * What a page says in its own words: the record's texts (`<bdi lang>`, the
 * facts that quote it), code, data as written and style set aside; titles and
 * labels kept.
 */
function pageWords(page: string, lang: 'fr' | 'ar'): string {
  const attributes = [...page.matchAll(/\s(?:title|aria-label|placeholder)="([^"]*)"/g)].map((m) => m[1]);
  const quoting = [...freeTextFacts.map((f) => message(lang, `fact.${f}`)), message(lang, 'fact.amended', { date: '\u0000' }).split('\u0000')[0]!.trim()];
  const text = page
    .replace(/<li>([^<]*)<\/li>/g, (line, words: string) => (quoting.some((label) => words.startsWith(label)) ? ' ' : line))
    .replace(/<(style|pre|code|bdi)\b[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<a\b[^>]*\slang="en"[^>]*>[\s\S]*?<\/a>/g, ' ') // the language switch names English
    .replace(/<[^>]+>/g, ' ');
  return [text, ...attributes].join(' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** The pages that answered other than HTML (a page for people answers in HTML, in its language). */
const notHtml: string[] = [];

/** Every report page one reaches from the index, the partner list and the yearly page by following links (no PDF), plus the pages of errors. */
async function reportPages(lang: 'fr' | 'ar'): Promise<Map<string, string>> {
  const pages = new Map<string, string>();
  const queue = [
    `/report?lang=${lang}`,
    `/report/activity?lang=${lang}`,
    `/report/agreements?lang=${lang}`,
    // Errors meant for people: not found, a date typed wrongly, a report or record that does not exist, a usage error.
    `/report/partners/no-such-partner?lang=${lang}`,
    `/report/activity?lang=${lang}&asOf=15/11/2018`,
    `/report/read-models/no-such-report?lang=${lang}`,
    `/report/read-models/yearly-activity-report?lang=${lang}&period=1800`,
    `/report/read-models/participant-record?lang=${lang}`,
    `/report/audit?lang=${lang}&record=no-such-record`,
    `/report/audit?lang=${lang}`,
    `/report/compare/no-such-report?lang=${lang}`,
    `/report/compare/yearly-activity-report?lang=${lang}&from=yesterday&to=2024-01-01`,
  ];
  // One audit page per kind of record is enough to see every word of its chrome; every other page is read.
  const seenAuditKinds = new Set<string>();
  notHtml.length = 0;
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (pages.has(path)) continue;
    const response = await t.request(path, { as: 'admin' });
    const body = await response.text();
    if (!response.headers.get('content-type')?.startsWith('text/html')) notHtml.push(`${path}: ${response.status} ${response.headers.get('content-type')}`);
    pages.set(path, body);
    for (const [, href] of body.matchAll(/href="([^"#]+)"/g)) {
      const link = href!.replace(/&amp;/g, '&');
      if (!link.startsWith('/report') || link.includes('format=pdf') || !link.includes(`lang=${lang}`) || pages.has(link)) continue;
      const url = new URL(link, 'http://report.invalid');
      if (url.pathname === '/report/audit') {
        const kind = url.searchParams.get('recordType') ?? 'record';
        if (seenAuditKinds.has(kind)) continue;
        seenAuditKinds.add(kind);
      }
      queue.push(link);
    }
  }
  return pages;
}

describe('the report in French and Arabic has no English left', () => {
  for (const lang of ['fr', 'ar'] as const) {
    it(`every page of the record, its errors included, in ${lang}`, async () => {
      const labels = englishLabels(lang);
      expect(labels).toEqual(expect.arrayContaining(['Partner', 'PARTNER', 'Yearly activity', 'SessionHeld', 'school']));
      const pages = await reportPages(lang);
      expect(pages.size).toBeGreaterThan(30);
      const left: string[] = [];
      for (const [path, body] of pages) {
        if (!notHtml.some((p) => p.startsWith(`${path}:`))) expect(body, path).toContain(`<html lang="${lang}"`);
        const words = pageWords(body, lang);
        for (const label of labels) {
          const at = words.search(new RegExp(`(?<![\\w-])${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`));
          if (at >= 0) left.push(`${path}: "${label}" in "…${words.slice(Math.max(0, at - 40), at + label.length + 40).replace(/\s+/g, ' ')}…"`);
        }
      }
      expect(left).toEqual([]);
      expect(notHtml).toEqual([]);
    }, 60_000);
  }
});
