import { z } from 'zod';
import { lensReportSchema } from '../engine/temporal.js';

/*
 * The frame of every answer the query service gives: which read model, through
 * which time lens, from where, which page, and the result. Schemas, so that
 * the HTTP adapter's OpenAPI document and a client generated from it know
 * every field, and the TypeScript types come from them.
 */

/** Where an answer came from: a stored generation, a replay of the log (and why), the log itself, or the streams a lens needs (the records', or those it changes in a stored model). */
export const answerSourceSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('stored'), generation: z.number().int(), position: z.string().nullable() }),
    z.object({ kind: z.literal('replayed'), reason: z.string(), position: z.string().nullable() }),
    z.object({ kind: z.literal('log'), position: z.string().nullable() }),
    z
      .object({
        kind: z.literal('streams'),
        position: z.string().nullable(),
        streamsRead: z.number().int().min(0),
        eventsRead: z.number().int().min(0),
      })
      .meta({ description: "A time lens answered without a replay: the records' streams, found in the stored catalogue of streams, folded through the lens; for an answer about the whole log, the stored model with the streams the lens changes folded through it" }),
  ])
  .meta({ id: 'AnswerSource', description: '`position`: the last log position the answer reflects' });
export type AnswerSource = z.infer<typeof answerSourceSchema>;

/** Which page of the answer's main list (`list`) was given, out of how many items. */
export const answerPageSchema = z
  .object({
    list: z.string().meta({ description: 'The list of `result` this page is of' }),
    offset: z.number().int().min(0),
    limit: z.number().int().min(0),
    total: z.number().int().min(0),
    nextOffset: z.number().int().min(0).nullable().meta({ description: 'Offset of the next page; null on the last' }),
  })
  .meta({ id: 'AnswerPage' });
export type AnswerPage = z.infer<typeof answerPageSchema>;

const frame = {
  readModel: z.string(),
  version: z.number().int().nullable().meta({ description: 'The projection version that built the model; null for an answer read from the log' }),
  asOf: z.string().nullable(),
  asKnownOn: z.string().nullable(),
  lens: lensReportSchema.nullable().meta({ description: 'With a time lens: how many events counted, and those it left out and why' }),
  source: answerSourceSchema,
  page: answerPageSchema.nullable().meta({ description: 'When a page was asked for: which part of the main list `result` holds' }),
};

/** The answer of a read model whose result has this schema. */
export const answerSchemaOf = <R extends z.ZodType>(result: R) => z.object({ ...frame, result });

/** Every answer: the read model, the time lens and what it left out, where it came from, the page, and the result. */
export type Answer<R> = Omit<z.infer<ReturnType<typeof answerSchemaOf<z.ZodUnknown>>>, 'result'> & { readonly result: R };

/**
 * The state of the stored model an answer was read from, as a stamp that
 * changes with every commit to it (a new checkpoint, a new generation, another
 * projection version): two answers of the same question with the same stamp
 * are the same answer. Undefined for an answer not read from a stored model (a
 * replay, the log, the streams through a lens), which has no such state.
 */
export function storedStampOf(answer: Pick<Answer<unknown>, 'version' | 'source'>): string | undefined {
  return answer.source.kind === 'stored' ? storedStamp(answer.version, answer.source.generation, answer.source.position) : undefined;
}

export const storedStamp = (version: number | null, generation: number, position: string | null): string => `v${version ?? '-'}/g${generation}@${position ?? '-'}`;
