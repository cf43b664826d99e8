import { z } from 'zod';
import { defineEvent } from '../../schema/define.js';
import { recordIdSchema } from '../../values/ids.js';
import { multilingualTextSchema } from '../../values/multilingual-text.js';
import { partialDateSchema } from '../../values/partial-date.js';
import { optionalProgrammeSchema, partnerListSchema, publicationKindSchema, themeListSchema } from '../vocabulary.js';

export const publicationPrepared = defineEvent(
  'PublicationPrepared',
  1,
  z.object({
    publicationId: recordIdSchema,
    kind: publicationKindSchema,
    title: multilingualTextSchema,
    partners: partnerListSchema,
    programmeId: optionalProgrammeSchema,
    themes: themeListSchema.optional(),
    preparedOn: partialDateSchema,
  }),
  { occurredOn: (d) => d.preparedOn, description: 'A guide, curriculum or module was prepared' },
);

export const publicationPlanned = defineEvent(
  'PublicationPlanned',
  1,
  z.object({ publicationId: recordIdSchema, plannedFor: partialDateSchema, note: multilingualTextSchema.optional() }),
  { occurredOn: (d) => d.plannedFor, isPlan: true, description: 'Printing and publication of a prepared text was planned' },
);

export const publicationPublished = defineEvent(
  'PublicationPublished',
  1,
  z.object({ publicationId: recordIdSchema, publishedOn: partialDateSchema }),
  { occurredOn: (d) => d.publishedOn, description: 'A prepared text was published' },
);
