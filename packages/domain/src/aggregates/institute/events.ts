import { z } from 'zod';
import { defineEvent } from '../../schema/define.js';
import { slugSchema } from '../../values/ids.js';
import { multilingualTextSchema } from '../../values/multilingual-text.js';
import { partialDateSchema } from '../../values/partial-date.js';

export const instituteRegistered = defineEvent(
  'InstituteRegistered',
  1,
  z.object({ instituteId: slugSchema, name: multilingualTextSchema }),
  { description: 'The institute whose cooperation the log records, under its first known name' },
);

export const instituteRenamed = defineEvent(
  'InstituteRenamed',
  1,
  z.object({ instituteId: slugSchema, name: multilingualTextSchema, effectiveOn: partialDateSchema }),
  { occurredOn: (d) => d.effectiveOn, description: 'The institute took a new name (the old one stays on earlier records)' },
);
