import type { Result } from '@taawun/domain';
import { ProjectionError } from '../engine/errors.js';
import type { TimeLens } from '../engine/temporal.js';
import type { Page } from '../model/ordered.js';
import type { Answer, AnswerPage, AnswerSource } from './answer.js';
import type { QueryError, QueryService, ReplayGate } from './query-service.js';

/**
 * A long answer read a page at a time: the same answer the service gives in
 * one piece (`query`), so that whoever prints or sends it holds one page, not
 * the whole list. Presentations walk `pages()` and write each page before the
 * next is read.
 */
export interface PagedAnswer {
  /**
   * The answer's frame: read model, lens, source, the first page's `page`, and
   * the fields beside the list, with the list itself empty (its items come
   * from `pages()`): what a title or a JSON frame is made of.
   */
  readonly frame: Answer<unknown>;
  /**
   * The page the whole request is, as `query` would have given it (`null`
   * when the whole list was asked for): offset, limit, total and next offset.
   */
  readonly range: AnswerPage | null;
  /**
   * Every page in order; each is read when the one before has been taken, and
   * none is kept (the first, read to answer at all, is given up once walked).
   * May be walked again: a second pass reads the pages again. Throws
   * `model-changed` when the stored model moved between two pages (a runner
   * committed): the pages would not be one answer.
   */
  pages(): AsyncIterable<Answer<unknown>>;
}

export interface AnswerPagesOptions {
  readonly lens?: TimeLens;
  /** The part of the list asked for (`--limit`, `--offset`); without it, the whole list. */
  readonly page?: Page;
  /** How many items a page read holds. */
  readonly pageRows: number;
  readonly replays?: ReplayGate;
  /**
   * Where the pages after the first are read: a service that does not catch
   * up (`catchUp` unset) reads the generation the first page was read from as
   * it is, so events appended meanwhile do not move it under the walk (only a
   * follower committing does). Default: `service`.
   */
  readonly rest?: QueryService;
}

/** Two pages are of one answer: read from the same generation at the same position, or (a lens, a replay) at the same head. */
const sameSource = (a: AnswerSource, b: AnswerSource): boolean =>
  a.kind === b.kind && a.position === b.position && (a.kind !== 'stored' || (b.kind === 'stored' && a.generation === b.generation));

const listOf = (answer: Answer<unknown>, list: string): readonly unknown[] => {
  const items = (answer.result as Record<string, unknown>)[list];
  return Array.isArray(items) ? items : [];
};

/** The answer with its list empty: the frame its pages share. */
const frameOf = (answer: Answer<unknown>, list: string | null): Answer<unknown> =>
  list === null ? answer : { ...answer, result: { ...(answer.result as Record<string, unknown>), [list]: [] } };

/** One answer read at once: its one page is itself. */
const whole = (answer: Answer<unknown>, list: string | null): PagedAnswer => ({
  frame: frameOf(answer, list),
  range: answer.page,
  pages: async function* () {
    yield answer;
  },
});

/**
 * The answer to `name` a page of `pageRows` at a time, when it comes from a
 * stored model and has a list. An answer that needs a replay of the log (a
 * time lens, no stored model) is read at once: the replay holds the whole
 * model anyway, and a page at a time would replay once a page.
 */
export async function answerPages(service: QueryService, name: string, params: unknown, options: AnswerPagesOptions): Promise<Result<PagedAnswer, QueryError>> {
  const { lens = {}, page, pageRows } = options;
  const gate = options.replays ? { replays: options.replays } : {};
  const model = service.get(name);
  const atOnce = async (): Promise<Result<PagedAnswer, QueryError>> => {
    const answer = await service.query(name, params, { lens, ...(page ? { page } : {}), ...gate });
    return answer.ok ? { ok: true, value: whole(answer.value, model?.list ?? null) } : answer;
  };
  if (!model || model.list === null || model.kind === 'log' || (await service.willReplay(name, lens))) return atOnce();
  const list = model.list;
  const offset = Math.max(0, Math.trunc(page?.offset ?? 0));
  const wanted = page?.limit === undefined ? Infinity : Math.max(0, Math.trunc(page.limit));
  const readPage = (at: number, rows: number, from = service) => from.query(name, params, { lens, page: { offset: at, limit: Math.max(1, rows) }, ...gate });
  const first = await readPage(offset, Math.min(pageRows, wanted));
  if (!first.ok) return first;
  if (first.value.page === null) return atOnce();
  const total = first.value.page.total;
  const limit = wanted === Infinity ? Math.max(0, total - offset) : wanted;
  const range: AnswerPage | null = page ? { list, offset, limit, total, nextOffset: offset + limit < total ? offset + limit : null } : null;
  const end = Math.min(total, offset + limit);
  // Not from a stored model (a lens read from the streams, or a replay after all: another runner was writing the
  // model), the next pages would not come from one generation: the answer is read at once, unless the first page
  // already holds all of it (a lens on the yearly report, 45 periods at 1M, was computed twice).
  if (first.value.source.kind !== 'stored' && offset + listOf(first.value, list).length < end) return atOnce();
  const frame = frameOf(first.value, list);
  let unwalked: Answer<unknown> | undefined = first.value;
  return {
    ok: true,
    value: {
      frame,
      range,
      pages: async function* () {
        let at = offset;
        while (at < end) {
          let next: Answer<unknown>;
          if (unwalked && at === offset) {
            next = unwalked;
            unwalked = undefined;
          } else {
            const read = await readPage(at, Math.min(pageRows, end - at), options.rest);
            if (!read.ok) throw new ProjectionError('model-changed', `${name}: the page at ${at} could not be read: ${read.error.message}`);
            if (!sameSource(frame.source, read.value.source)) {
              throw new ProjectionError('model-changed', `${name} changed while it was being read a page at a time (the record moved on after row ${at}): ask again`);
            }
            next = read.value;
          }
          const shown = listOf(next, list).length;
          if (shown === 0) return;
          yield next;
          at += shown;
        }
      },
    },
  };
}
