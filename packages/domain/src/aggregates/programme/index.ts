import { agreementAggregate } from '../agreement/index.js';
import { defineAggregate, referencesIn, streamNaming } from '../define.js';
import { partnerAggregate } from '../partner/index.js';
import { closeProgramme, launchProgramme } from './commands.js';
import { programmeDecider } from './decider.js';
import { programmeClosed, programmeLaunched } from './events.js';

/** A cooperation programme, possibly under an agreement. */
export const programmeAggregate = defineAggregate({
  name: 'programme',
  streams: streamNaming('programme-'),
  events: [programmeLaunched, programmeClosed],
  commands: [launchProgramme, closeProgramme],
  decider: programmeDecider,
  streamOfCommand: (command, streams) => streams.stream(command.programmeId),
  streamOfEvent: (event, streams) => streams.stream(event.data.programmeId),
  references: (command) => referencesIn(command, { partners: [partnerAggregate.streams], agreementId: agreementAggregate.streams }),
});
