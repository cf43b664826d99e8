import { multilingualTextSchema, parsePartialDate, publicationKindSchema, slugSchema, type PartialDate } from '@taawun/domain';
import { z } from 'zod';
import type { ModelReader } from '../engine/model-reader.js';
import { dateView, dateViewSchema } from '../model/dates.js';
import { recordIds, recordKey, RecordSet, type RecordDocument } from '../model/record-book.js';
import { summarisePublication } from '../model/summaries.js';
import { activityRegisterProjection } from './activity-register.js';
import { defineReadModel } from './define.js';
import { checkPartner } from './keys.js';

/*
 * Each publication's status on a date: prepared, published, or not yet
 * prepared, as the record's dates allow. A plan (F8) is shown with the date it
 * names and never makes a publication "published". When a partial date may
 * fall either side of the day asked ("by 2018" asked on 2018-06-30), the
 * status is uncertain and its candidates are given.
 */

export const publicationStatusSchema = z.enum(['not-yet-prepared', 'prepared', 'published']);
export type PublicationStatus = z.infer<typeof publicationStatusSchema>;

export const publicationOnDateSchema = z
  .object({
    publicationId: z.string(),
    kind: publicationKindSchema,
    title: multilingualTextSchema,
    partners: z.array(z.string()),
    themes: z.array(z.string()),
    status: publicationStatusSchema.meta({ description: 'The status on the date: the furthest step certainly done by then (when `certain`)' }),
    certain: z.boolean().meta({ description: 'False when a partial date may fall either side of the date: see `candidates`' }),
    candidates: z.array(publicationStatusSchema).meta({ description: 'Every status the record allows on the date ([status] when certain)' }),
    preparedOn: dateViewSchema,
    plannedFor: z.array(dateViewSchema).meta({ description: 'Publication plans: what was planned, not done' }),
    publishedOn: dateViewSchema.nullable(),
    sourceRefs: z.array(z.string()),
  })
  .meta({ id: 'PublicationOnDate' });
export type PublicationOnDate = z.infer<typeof publicationOnDateSchema>;

export const publicationStatusListSchema = z
  .object({
    on: z.string().nullable().meta({ description: 'The day asked (YYYY-MM-DD); null: everything recorded' }),
    publications: z.array(publicationOnDateSchema),
  })
  .meta({ id: 'PublicationStatusList' });

type Step = 'yes' | 'no' | 'may-be';

/** Whether a step dated `date` was done by the end of `on`: certainly, certainly not, or may be. */
function doneBy(date: PartialDate, on: string | undefined): Step {
  if (on === undefined) return 'yes';
  const { earliest, latest } = dateView(date);
  if (latest !== null && latest <= on) return 'yes';
  if (earliest !== null && earliest > on) return 'no';
  return 'may-be';
}

/** The statuses the steps allow, furthest first. */
function statusesOf(prepared: Step, published: Step | null): PublicationStatus[] {
  const candidates: PublicationStatus[] = [];
  if (published === 'yes') return ['published'];
  if (published === 'may-be') candidates.push('published');
  if (prepared === 'yes') return [...candidates, 'prepared'];
  if (prepared === 'may-be') candidates.push('prepared');
  return [...candidates, 'not-yet-prepared'];
}

// A day of the calendar: 2022-13-01 and 2022-02-30 have the form and are refused, as the lenses refuse them.
const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'give a day: YYYY-MM-DD')
  .refine((text) => parsePartialDate(text).ok, 'is not a day of the calendar (YYYY-MM-DD)')
  .meta({ description: 'The day (YYYY-MM-DD) whose status is asked, e.g. 2022-12-31' });

export const publicationStatusReadModel = defineReadModel({
  name: 'publication-status',
  title: 'Publications: status on a date',
  description: 'Each guide, curriculum and module with its status on a date (prepared, published, not yet prepared; uncertain when a partial date may fall either side), plans shown apart',
  projection: activityRegisterProjection,
  documentsByStream: true,
  params: z
    .object({
      on: daySchema.optional(),
      partnerId: slugSchema.optional().meta({ description: 'Only those of this partner' }),
      kind: publicationKindSchema.optional().meta({ description: 'Only guides, curricula or modules' }),
      status: publicationStatusSchema.optional().meta({ description: 'Only those that have, or may have, this status on the date' }),
    })
    .strict(),
  result: publicationStatusListSchema,
  list: 'publications',
  view: async (model, p) => {
    const records = new RecordSet(model as ModelReader<RecordDocument>);
    await checkPartner(model, records, p.partnerId);
    const ids = await recordIds(model, 'publications');
    await records.load(ids.map((id) => recordKey('publications', id)));
    const publications: PublicationOnDate[] = [];
    for (const id of ids) {
      const record = records.get('publications', id);
      const s = record && summarisePublication(id, record);
      if (!s) continue;
      if (p.partnerId !== undefined && !s.prepared.partners.includes(p.partnerId)) continue;
      if (p.kind !== undefined && s.prepared.kind !== p.kind) continue;
      const prepared = doneBy(s.prepared.preparedOn, p.on);
      const candidates = statusesOf(prepared, s.published ? doneBy(s.published.publishedOn, p.on) : null);
      if (p.status !== undefined && !candidates.includes(p.status)) continue;
      publications.push({
        publicationId: id,
        kind: s.prepared.kind,
        title: s.prepared.title,
        partners: s.prepared.partners,
        themes: s.prepared.themes ?? [],
        status: candidates.at(-1)!,
        certain: candidates.length === 1,
        candidates,
        preparedOn: dateView(s.prepared.preparedOn),
        plannedFor: s.plans.map((plan) => dateView(plan.plannedFor)),
        publishedOn: s.published ? dateView(s.published.publishedOn) : null,
        sourceRefs: s.sourceRefs,
      });
    }
    return { result: { on: p.on ?? null, publications } };
  },
  notFound: () => 'no publication',
});
