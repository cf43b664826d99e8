import { defineAggregate, streamNaming } from '../define.js';
import { correctParticipantPersonalData, eraseParticipantData, registerParticipant } from './commands.js';
import { participantDecider } from './decider.js';
import { participantDataErased, participantPersonalDataCorrected, participantRegistered } from './events.js';

/** A person who takes part in sessions or visits; their personal data is erasable. */
export const participantAggregate = defineAggregate({
  name: 'participant',
  streams: streamNaming('participant-'),
  events: [participantRegistered, participantPersonalDataCorrected, participantDataErased],
  commands: [registerParticipant, correctParticipantPersonalData, eraseParticipantData],
  decider: participantDecider,
  streamOfCommand: (command, streams) => streams.stream(command.participantId),
  streamOfEvent: (event, streams) => streams.stream(event.data.participantId),
});
