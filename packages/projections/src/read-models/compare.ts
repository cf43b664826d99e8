import { z } from 'zod';

/*
 * One answer as known on two dates: what was added, corrected or withdrawn in
 * between. The two answers come from the query service (the same read model and
 * parameters, `asKnownOn` D1 and D2); the comparison matches the items of the
 * read model's list by their identity and names every field that changed.
 */

export const answerChangeSchema = z
  .object({
    key: z.string().meta({ description: 'The identity of the item (a record id, a period key, an event id)' }),
    fields: z
      .array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() }))
      .meta({ description: 'Each changed value, by its path in the item (`counts.peopleTrained.known`)' }),
  })
  .meta({ id: 'AnswerChange' });

export const answerComparisonSchema = z
  .object({
    readModel: z.string(),
    list: z.string().nullable(),
    knownOn: z.tuple([z.string(), z.string()]).meta({ description: 'The two recording instants compared (UTC), earlier first' }),
    added: z.array(z.object({ key: z.string(), item: z.unknown() })).meta({ description: 'Items known on the second date only' }),
    withdrawn: z.array(z.object({ key: z.string(), item: z.unknown() })).meta({ description: 'Items known on the first date only' }),
    changed: z.array(answerChangeSchema).meta({ description: 'Items known on both dates whose values differ' }),
    /** Outside the list (totals, a profile): the values that differ. */
    otherChanges: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
    recorded: z
      .array(
        z.object({
          eventId: z.string(),
          type: z.string(),
          stream: z.string(),
          recordedAt: z.string(),
          recordedBy: z.string(),
          sourceRef: z.string().nullable(),
          reason: z.string().nullable(),
          corrects: z.string().nullable().meta({ description: 'For a correction: the event it corrects' }),
        }),
      )
      .meta({ description: 'The events recorded between the two dates that the read model reads: corrections with their reasons, and new facts' }),
  })
  .meta({ id: 'AnswerComparison' });
export type AnswerComparison = z.infer<typeof answerComparisonSchema>;

const idFields = ['key', 'eventId', 'agreementId', 'partnerId', 'participantId', 'sessionId', 'visitId', 'publicationId', 'programmeId'] as const;

/**
 * The identity of an item of a read model's list: a `record` reference (with
 * the entry's `kind`, as a history has several entries per record), a period's
 * key, or the first id field it has (`eventId`, `agreementId`, `partnerId`...);
 * else its position. A read model may give its own (`itemKey`).
 */
export function identityOf(item: unknown, position: number): string {
  if (typeof item !== 'object' || item === null) return `#${position}`;
  const fields = item as Record<string, unknown>;
  const record = fields.record as { type?: unknown; id?: unknown } | undefined;
  if (record && typeof record.id === 'string') return [record.type, record.id, fields.kind].filter((p) => typeof p === 'string').join(':');
  const period = fields.period as { key?: unknown } | undefined;
  if (period && typeof period.key === 'string') return `period:${period.key}`;
  for (const field of idFields) if (typeof fields[field] === 'string' || typeof fields[field] === 'number') return `${field}:${String(fields[field])}`;
  return `#${position}`;
}

/** Every leaf value that differs between two JSON values, by path. */
export function differences(before: unknown, after: unknown, path = ''): { path: string; before: unknown; after: unknown }[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const bothObjects = typeof before === 'object' && before !== null && typeof after === 'object' && after !== null;
  if (!bothObjects || Array.isArray(before) !== Array.isArray(after)) return [{ path: path || '(value)', before: before ?? null, after: after ?? null }];
  if (Array.isArray(before) && Array.isArray(after) && before.length !== after.length) return [{ path: path || '(value)', before, after }];
  const keys = [...new Set([...Object.keys(before as object), ...Object.keys(after as object)])];
  return keys.flatMap((key) =>
    differences((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], Array.isArray(before) ? `${path}[${key}]` : path ? `${path}.${key}` : key),
  );
}

/**
 * Compare two results of one read model: items of `list` matched by identity, the rest field by field.
 * `null` is an answer that did not exist (the record was not known on that date): every item and field of the other was added or withdrawn.
 */
export function compareResults(
  before: unknown,
  after: unknown,
  list: string | null,
  itemKey: (item: unknown, position: number) => string = identityOf,
): Pick<AnswerComparison, 'added' | 'withdrawn' | 'changed' | 'otherChanges'> {
  const itemsOf = (result: unknown) => {
    const items = list !== null && result !== null ? (result as Record<string, unknown>)[list] : undefined;
    return new Map((Array.isArray(items) ? items : []).map((item, i) => [itemKey(item, i), item]));
  };
  const rest = (result: unknown) => {
    if (result === null) return {};
    return list === null ? result : Object.fromEntries(Object.entries(result as object).filter(([k]) => k !== list));
  };
  const [was, is] = [itemsOf(before), itemsOf(after)];
  return {
    added: [...is].filter(([key]) => !was.has(key)).map(([key, item]) => ({ key, item })),
    withdrawn: [...was].filter(([key]) => !is.has(key)).map(([key, item]) => ({ key, item })),
    changed: [...is].flatMap(([key, item]) => {
      if (!was.has(key)) return [];
      const fields = differences(was.get(key), item);
      return fields.length > 0 ? [{ key, fields }] : [];
    }),
    otherChanges: differences(rest(before), rest(after)),
  };
}
