import type { Language } from '@taawun/domain';
import { PageRecordsMerger, type Answer, type PagedAnswer, type PageRecords } from '@taawun/projections';
import { recordColumns, type Table } from '@taawun/projections/presentation';
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { csvText, markdownHead, markdownRows, measureColumns, renderJson, tableHead, tableRows, tableWidths, widerMeasure, type Column, type ColumnMeasure, type Format, type TerminalOptions } from './render.js';
import { emptyLine, markdownTitle, textColumns, wrappedLines } from './report.js';

/*
 * An answer written a page at a time, as the query service reads it
 * (`answerPages`): each page is presented and written before the next is
 * read, so a whole list of any length holds one page. The output is the one
 * `printable` gives for the whole answer at once, but for the table's column
 * widths: measured on the first page (up to `--page-rows` rows), they only
 * grow; a page with a cell wider than its column starts a new block, under
 * the header again in the wider widths (so no line is cut or wrapped that the
 * whole table would keep whole, and the header says where the widths
 * changed). Markdown, JSON and CSV are exactly the whole answer's. CSV reads the pages twice:
 * once to learn its columns (the union of every record's fields), once to write.
 */

/** Where the text goes, waiting when it is full. */
export interface Sink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/** A stream (stdout), waiting for `drain` when its buffer is full. */
export const streamSink = (out: Writable): Sink => ({
  write: async (text) => {
    if (text.length > 0 && !out.write(text)) await once(out, 'drain');
  },
  close: async () => undefined,
});

/** A file, written as it goes (the text is never held whole). */
export function fileSink(path: string): Sink {
  const fd = openSync(path, 'w');
  return {
    write: async (text) => {
      if (text.length > 0) writeSync(fd, text);
    },
    close: async () => closeSync(fd),
  };
}

export interface PagedWriting {
  readonly format: Format;
  readonly lang: Language;
  /** The list the pages are of (`null`: the answer has none, it is one page). */
  readonly list: string | null;
  /** The shared presentation of one page (`presentAnswer`). */
  readonly present: (answer: Answer<unknown>) => Table<unknown>;
  /** Notes after the rows, given how many items were written (the page's range, when a page was asked). */
  readonly footer: (items: number) => readonly string[];
  /** CSV's notes (stderr: a spreadsheet import stays clean). */
  readonly warn: (line: string) => void;
  readonly bom: boolean;
  readonly terminal: TerminalOptions;
  readonly details: boolean;
  /** Items written so far (after each page). */
  readonly onPage?: (items: number) => void;
  /** After every page read, in every pass (CSV reads the pages twice): where the heap is kept to a page (`heapBound`). */
  readonly betweenPages?: () => void;
}

const itemsOf = (answer: Answer<unknown>, list: string | null): readonly unknown[] => {
  if (list === null) return [answer.result];
  const items = (answer.result as Record<string, unknown>)[list];
  return Array.isArray(items) ? items : [];
};

/** The pages of the answer; none (an empty list, a page past its end): the frame, whose list is empty, as its one page. */
async function* pagesOf(paged: PagedAnswer): AsyncGenerator<Answer<unknown>> {
  let any = false;
  for await (const page of paged.pages()) {
    any = true;
    yield page;
  }
  if (!any) yield paged.frame;
}

/** Notes of every page, each once, in the order they first appear. */
class Notes {
  private readonly seen = new Set<string>();
  add(notes: readonly string[]): void {
    for (const note of notes) this.seen.add(note);
  }
  all(): string[] {
    return [...this.seen];
  }
}

/** Write `paged` in `how.format`, a page at a time, to `sink`. */
export async function writePaged(paged: PagedAnswer, how: PagedWriting, sink: Sink): Promise<void> {
  switch (how.format) {
    case 'json':
      return writeJson(paged, how, sink);
    case 'csv':
      return writeCsv(paged, how, sink);
    case 'markdown':
    case 'table':
      return writeTable(paged, how, sink);
  }
}

/** The table and markdown forms: title (the first page's), header, rows page by page, notes. */
async function writeTable(paged: PagedAnswer, how: PagedWriting, sink: Sink): Promise<void> {
  const notes = new Notes();
  const table = how.format === 'table';
  let items = 0;
  let first: { readonly columns: Column<unknown>[]; readonly details: Table<unknown>['details']; readonly empty: string | undefined } | undefined;
  let measure: ColumnMeasure | undefined;
  let widths: number[] = [];
  for await (const page of pagesOf(paged)) {
    const shown = how.present(page);
    notes.add(shown.notes);
    if (!first) {
      first = { columns: textColumns(shown, how.format, how.lang, how.details), details: table && how.details ? shown.details : undefined, empty: shown.empty };
      await sink.write(table ? (shown.title.length > 0 ? `${wrappedLines(shown.title, how.terminal)}\n\n` : '') : `${markdownTitle(shown.title)}${markdownHead(first.columns)}`);
    }
    const { columns, details } = first;
    if (!table) await sink.write(markdownRows(shown.rows, columns));
    else if (shown.rows.length > 0) {
      // Columns only grow: a page with a wider cell starts a new block under a header in the new widths.
      measure = measure ? widerMeasure(measure, measureColumns(shown.rows, columns)) : measureColumns(shown.rows, columns);
      const wider = tableWidths(measure, columns, how.terminal);
      // The last column is not padded: on a pipe (no width to fit) its width moves nothing.
      const aligned = how.terminal.width === undefined ? columns.length - 1 : columns.length;
      if (widths.length === 0 || wider.some((w, i) => i < aligned && w !== widths[i])) {
        await sink.write(`${widths.length === 0 ? '' : '\n'}${tableHead(columns, wider, how.terminal)}`);
        widths = wider;
      }
      await sink.write(tableRows(shown.rows, columns, widths, how.terminal, details));
    }
    items += itemsOf(page, how.list).length;
    how.onPage?.(items);
    how.betweenPages?.();
  }
  // No row at all (a list that is empty, or a page past its end).
  if (table && widths.length === 0) await sink.write(emptyLine(first));
  notes.add(how.footer(items));
  const all = notes.all();
  if (all.length > 0) await sink.write(table ? `\n${wrappedLines(all, how.terminal)}\n` : `\n${all.map((n) => `- ${n}`).join('\n')}\n`);
}

/** CSV of the answer's records for analysis: a first pass learns the columns, the second writes the rows. */
async function writeCsv(paged: PagedAnswer, how: PagedWriting, sink: Sink): Promise<void> {
  const shape = recordColumns({ list: how.list, lang: how.lang });
  let pages = 0;
  let held: Answer<unknown> | undefined;
  for await (const page of pagesOf(paged)) {
    shape.learn(page);
    // One page (most lists): kept, not read again.
    held = ++pages === 1 ? page : undefined;
    how.betweenPages?.();
  }
  const columns = shape.columns();
  const notes = new Notes();
  let items = 0;
  let headed = false;
  for await (const page of held ? [held] : pagesOf(paged)) {
    notes.add(how.present(page).notes);
    await sink.write(csvText(columns, shape.rows(page), { bom: how.bom && !headed, header: !headed }));
    headed = true;
    items += itemsOf(page, how.list).length;
    how.onPage?.(items);
    how.betweenPages?.();
  }
  notes.add(how.footer(items));
  for (const note of notes.all()) how.warn(note);
}

/** Stands for the list's items in the answer's JSON while its frame is written. */
const ITEMS = 'taawun:list-items-written-a-page-at-a-time';

/**
 * The answer as JSON, exactly as `renderJson` writes it whole (the HTTP API's
 * answer): its frame from the first page with the page asked (`range`), the
 * list's items written as their pages are read.
 */
async function writeJson(paged: PagedAnswer, how: PagedWriting, sink: Sink): Promise<void> {
  const { frame, range } = paged;
  const list = how.list;
  if (list === null) {
    for await (const page of pagesOf(paged)) await sink.write(renderJson({ ...page, page: range }));
    return;
  }
  // Entries that name shared records (`records` after the list: partners and the institute, named once per page):
  // each page's references are rewritten into the records of every page, written after the list.
  const shared = 'records' in (frame.result as Record<string, unknown>) ? new PageRecordsMerger() : undefined;
  const text = renderJson({ ...frame, result: { ...(frame.result as Record<string, unknown>), [list]: [ITEMS], ...(shared ? { records: RECORDS } : {}) }, page: range });
  const at = text.indexOf(JSON.stringify(ITEMS));
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const indent = text.slice(lineStart, at);
  let items = 0;
  for await (const page of pagesOf(paged)) {
    const result = page.result as { records?: PageRecords; partner?: { partnerId?: string } };
    const pageItems = shared && result.records ? shared.add(result.records, itemsOf(page, list), result.partner?.partnerId) : itemsOf(page, list);
    // Split and joined, not replaced by a pattern: a replace keeps each line as a string of its own until written.
    const written = pageItems.map((item, i) => `${items + i === 0 ? text.slice(0, lineStart) : ',\n'}${indent}${renderJson(item).slice(0, -1).split('\n').join(`\n${indent}`)}`);
    await sink.write(written.join(''));
    items += written.length;
    how.onPage?.(items);
    how.betweenPages?.();
  }
  // No item: the list as JSON writes it empty.
  if (items === 0) return sink.write(renderJson({ ...frame, page: range }));
  const tail = text.slice(at + JSON.stringify(ITEMS).length);
  if (!shared) return sink.write(tail);
  const mark = tail.indexOf(JSON.stringify(RECORDS));
  const recordsIndent = tail.slice(tail.lastIndexOf('\n', mark) + 1, mark).replace(/"records": $/, '');
  await sink.write(`${tail.slice(0, mark)}${renderJson(shared.records()).slice(0, -1).split('\n').join(`\n${recordsIndent}`)}${tail.slice(mark + JSON.stringify(RECORDS).length)}`);
}

/** Stands for the records the list's entries name, written after the list once every page has been read. */
const RECORDS = 'taawun:records-named-by-the-list';
