import { presentAnswer } from '@taawun/projections/presentation';
import type { CountingStorage } from '@taawun/projections/testing';
import type { PagedWriting, Sink } from '../src/output/paged.js';
import type { formats } from '../src/output/render.js';

/**
 * A sink that keeps the text and, at each write and at the end of each page
 * (CSV's first pass writes nothing: it learns the columns), how many documents
 * were read since the last such point.
 */
export class WatchingSink implements Sink {
  text = '';
  readonly readsBetween: number[] = [];
  private readBefore = 0;
  constructor(private readonly counting: CountingStorage) {}
  async write(text: string): Promise<void> {
    this.mark();
    this.text += text;
  }
  mark(): void {
    this.readsBetween.push(this.counting.documentsRead - this.readBefore);
    this.readBefore = this.counting.documentsRead;
  }
  async close(): Promise<void> {}
}

/** How the CLI writes `list` in `format`, in English, marking the sink at the end of each page. */
export const pagedWriting = (format: (typeof formats)[number], list: string, warnings: string[], sink: WatchingSink): PagedWriting => ({
  format,
  lang: 'en',
  list,
  present: (answer) => presentAnswer(answer, {}, { lang: 'en', list }),
  footer: () => [],
  warn: (line) => warnings.push(line),
  bom: false,
  terminal: {},
  details: false,
  betweenPages: () => sink.mark(),
});
