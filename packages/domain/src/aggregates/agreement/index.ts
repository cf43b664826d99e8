import { defineAggregate, referencesIn, streamNaming } from '../define.js';
import { partnerAggregate } from '../partner/index.js';
import { amendAgreement, signAgreement, terminateAgreement } from './commands.js';
import { agreementDecider } from './decider.js';
import { agreementAmended, agreementSigned, agreementTerminated } from './events.js';

/** A cooperation agreement, convention, protocol or memorandum. */
export const agreementAggregate = defineAggregate({
  name: 'agreement',
  streams: streamNaming('agreement-'),
  events: [agreementSigned, agreementAmended, agreementTerminated],
  commands: [signAgreement, amendAgreement, terminateAgreement],
  decider: agreementDecider,
  streamOfCommand: (command, streams) => streams.stream(command.agreementId),
  streamOfEvent: (event, streams) => streams.stream(event.data.agreementId),
  references: (command) => referencesIn(command, { partners: [partnerAggregate.streams] }),
});
