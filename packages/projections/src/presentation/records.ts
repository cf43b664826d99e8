import { pickText, type Language, type MultilingualText } from '@taawun/domain';
import type { Answer } from '../read-models/answer.js';
import { partialDateText } from './i18n/dates.js';
import { message } from './i18n/messages.js';

/**
 * An answer as flat records for analysis (CSV, a spreadsheet, a data frame):
 * one record per item of the read model's main list (the result itself when it
 * has none), its fields flattened to dotted paths, every value typed:
 *
 * - a figure (`Count`) is a number, with a `… lower bound` column that is
 *   true when the record gives at least that much and no number for some;
 * - a date (`DateView`) is its EDTF as recorded (`2018`, `../2022`,
 *   `XXXX-11-15/XXXX-11-25`), with `… earliest` and `… latest`, the first and
 *   last possible days (ISO 8601, empty when unbounded);
 * - text in several languages is the one asked for (falling back to another);
 * - in French and Arabic, the words of the headers are that language's
 *   ("signedOn earliest" is "signedOn (Au plus tôt)", through the catalogues),
 *   and each date has a column of its label in that language ("16 نونبر 1998")
 *   beside its EDTF and ISO days, which stay as they are for machines;
 * - a list of plain values, texts in several languages (the one asked for) or
 *   dates (their EDTF) is joined with "; ", a list of records is counted.
 *
 * Unlike the tables (`presentAnswer`), nothing is put into words here.
 */
export type RecordValue = string | number | boolean | null;

export interface AnalysisRecords {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly RecordValue[])[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: Record<string, unknown>): v is { known: number; exact: boolean } => typeof v.known === 'number' && typeof v.exact === 'boolean';
const isDate = (v: Record<string, unknown>): v is { edtf: string; earliest: string | null; latest: string | null } =>
  typeof v.edtf === 'string' && 'earliest' in v && 'latest' in v;
const languageKeys = new Set(['ar', 'fr', 'en']);
const isMultilingual = (v: Record<string, unknown>): v is MultilingualText =>
  Object.keys(v).length > 0 && Object.entries(v).every(([k, x]) => languageKeys.has(k) && typeof x === 'string');

/** Lists are decided once every record is flattened: counted if any record's list at that path holds records, else joined. */
type Flat = Map<string, RecordValue | readonly unknown[]>;

/** The header of a derived column: English as always (`signedOn earliest`); French and Arabic through the catalogues. */
function derived(path: string, lang: Language, what: 'lowerBound' | 'earliest' | 'latest' | 'date'): string {
  if (lang === 'en') return `${path} ${({ lowerBound: 'lower bound', earliest: 'earliest', latest: 'latest', date: 'label' } as const)[what]}`;
  return `${path} (${message(lang, `column.${what}`)})`;
}

/** An item of a list as a plain value when it says one thing: a text in several languages (the one asked for), a date (its EDTF). Else as it is. */
function plainItem(item: unknown, lang: Language): unknown {
  if (!isObject(item)) return item;
  if (isMultilingual(item)) return pickText(item, lang);
  if (isDate(item)) return item.edtf;
  return item;
}

function flatten(value: unknown, path: string, lang: Language, into: Flat): void {
  if (value === null || value === undefined) into.set(path, null);
  else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') into.set(path, value);
  else if (typeof value === 'bigint') into.set(path, value.toString());
  else if (Array.isArray(value)) into.set(path, value.map((item) => plainItem(item, lang)));
  else if (isObject(value)) {
    if (isCount(value)) {
      into.set(path, value.known);
      into.set(derived(path, lang, 'lowerBound'), !value.exact);
    } else if (isDate(value)) {
      into.set(path, value.edtf);
      if (lang !== 'en') into.set(derived(path, lang, 'date'), partialDateText(value.edtf, lang));
      into.set(derived(path, lang, 'earliest'), value.earliest);
      into.set(derived(path, lang, 'latest'), value.latest);
    } else if (isMultilingual(value)) into.set(path, pickText(value, lang));
    else for (const [key, v] of Object.entries(value)) flatten(v, path ? `${path}.${key}` : key, lang, into);
  }
}

const itemsOf = (answer: Answer<unknown>, list: string | null): unknown[] => {
  const result = answer.result as Record<string, unknown>;
  return list !== null && Array.isArray(result[list]) ? (result[list] as unknown[]) : [result];
};

const flattened = (answer: Answer<unknown>, options: { list: string | null; lang: Language }): Flat[] =>
  itemsOf(answer, options.list).map((item) => {
    const into: Flat = new Map();
    flatten(item, '', options.lang, into);
    return into;
  });

/**
 * The columns of analysis records learnt from the pages of one answer (a list
 * read a page at a time holds one page), then each page's rows under them: a
 * first pass `learn`s every page, a second writes `rows` page by page. The
 * columns are those `analysisRecords` gives for the whole answer at once.
 */
export interface RecordColumns {
  learn(page: Answer<unknown>): void;
  columns(): string[];
  rows(page: Answer<unknown>): RecordValue[][];
}

export function recordColumns(options: { list: string | null; lang: Language }): RecordColumns {
  const paths = new Set<string>();
  const counted = new Set<string>();
  const cell = (v: RecordValue | readonly unknown[] | undefined, path: string): RecordValue => {
    if (v === undefined) return null;
    if (!Array.isArray(v)) return v as RecordValue;
    return counted.has(path) ? v.length : v.map(String).join('; ');
  };
  return {
    learn: (page) => {
      for (const item of flattened(page, options)) {
        for (const [path, v] of item) {
          paths.add(path);
          if (Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null)) counted.add(path);
        }
      }
    },
    columns: () => [...paths].map((p) => (counted.has(p) ? `${p} (items)` : p)),
    rows: (page) => flattened(page, options).map((m) => [...paths].map((p) => cell(m.get(p), p))),
  };
}

export function analysisRecords(answer: Answer<unknown>, options: { list: string | null; lang: Language }): AnalysisRecords {
  const shape = recordColumns(options);
  shape.learn(answer);
  return { columns: shape.columns(), rows: shape.rows(answer) };
}
