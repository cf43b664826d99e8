import { defineAggregate, referencesIn, streamNaming } from '../define.js';
import { partnerAggregate } from '../partner/index.js';
import { programmeAggregate } from '../programme/index.js';
import { planPublication, recordPublicationPrepared, recordPublicationPublished } from './commands.js';
import { publicationDecider } from './decider.js';
import { publicationPlanned, publicationPrepared, publicationPublished } from './events.js';

/** A guide, curriculum or module: prepared, planned for print, published. */
export const publicationAggregate = defineAggregate({
  name: 'publication',
  streams: streamNaming('publication-'),
  events: [publicationPrepared, publicationPlanned, publicationPublished],
  commands: [recordPublicationPrepared, planPublication, recordPublicationPublished],
  decider: publicationDecider,
  streamOfCommand: (command, streams) => streams.stream(command.publicationId),
  streamOfEvent: (event, streams) => streams.stream(event.data.publicationId),
  references: (command) => referencesIn(command, { partners: [partnerAggregate.streams], programmeId: programmeAggregate.streams }),
});
