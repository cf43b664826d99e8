import { defineAggregate, streamNaming } from '../define.js';
import { correctPartnerDetails, registerPartner, renamePartner } from './commands.js';
import { partnerDecider } from './decider.js';
import { partnerDetailsCorrected, partnerRegistered, partnerRenamed } from './events.js';

/** A partner school, agency, embassy, ministry or research centre. */
export const partnerAggregate = defineAggregate({
  name: 'partner',
  streams: streamNaming('partner-'),
  events: [partnerRegistered, partnerRenamed, partnerDetailsCorrected],
  commands: [registerPartner, renamePartner, correctPartnerDetails],
  decider: partnerDecider,
  streamOfCommand: (command, streams) => streams.stream(command.partnerId),
  streamOfEvent: (event, streams) => streams.stream(event.data.partnerId),
});
