import { defineReadModel } from '@taawun/projections';
import { z } from 'zod';
import { cohortPlacements, cohortsProjection } from './cohorts.js';

/**
 * The cohort report as a read model: registered with a server or the CLI
 * (`--read-model examples/new-report/dist/read-model.js`), it is answered by
 * `taawun query cohort-placements`, `GET /read-models/cohort-placements` and
 * the report's page, like the built-in ones, through the time lenses too.
 */
const placementSchema = z.object({
  cohort: z.number().int().min(1),
  sessionId: z.string(),
  title: z.object({ ar: z.string().optional(), fr: z.string().optional(), en: z.string().optional() }),
  kind: z.string(),
  partners: z.array(z.string()),
  status: z.enum(['held', 'planned', 'cancelled']),
  date: z.string().meta({ description: 'When it was held, else planned for (EDTF, as recorded)' }),
  format: z.enum(['in-person', 'remote', 'not-stated']),
  withCohorts: z.array(z.number().int()).meta({ description: 'The other cohorts the course drew from: their judges are counted together' }),
  judgesOnCourse: z.number().int().nullable(),
  judgesNamedInCohort: z.number().int(),
});

export const cohortPlacementsReadModel = defineReadModel({
  name: 'cohort-placements',
  title: 'Cohort placements',
  description: cohortsProjection.description!,
  projection: cohortsProjection,
  params: z.object({ cohort: z.coerce.number().int().min(1).optional().meta({ description: 'Only this cohort' }) }).strict(),
  result: z.object({ placements: z.array(placementSchema) }),
  list: 'placements',
  view: async (model, params) => {
    const all = cohortPlacements(await model.state());
    return { result: { placements: all.filter((p) => params.cohort === undefined || p.cohort === params.cohort) } };
  },
  notFound: () => 'no placement',
});

export default cohortPlacementsReadModel;
