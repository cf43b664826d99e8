import { defineAggregate, streamNaming } from '../define.js';
import { registerInstitute, renameInstitute } from './commands.js';
import { instituteDecider } from './decider.js';
import { instituteRegistered, instituteRenamed } from './events.js';

/** The institute whose cooperation the log records, and its names over time. */
export const instituteAggregate = defineAggregate({
  name: 'institute',
  streams: streamNaming('institute-'),
  events: [instituteRegistered, instituteRenamed],
  commands: [registerInstitute, renameInstitute],
  decider: instituteDecider,
  streamOfCommand: (command, streams) => streams.stream(command.instituteId),
  streamOfEvent: (event, streams) => streams.stream(event.data.instituteId),
});
