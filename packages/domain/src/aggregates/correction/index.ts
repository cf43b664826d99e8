import { defineAggregate, referencesIn } from '../define.js';
import { participantAggregate } from '../participant/index.js';
import { partnerAggregate } from '../partner/index.js';
import { programmeAggregate } from '../programme/index.js';
import { correctRecord } from './commands.js';
import { correctionInitialState, decideCorrection, evolveCorrectable } from './decider.js';
import { recordCorrected } from './events.js';

/**
 * Corrections of earlier events. It has no streams of its own: a correction
 * is appended to the stream of the event it corrects, which its data does not
 * name, so `streamOfEvent` is `undefined` for it.
 */
export const correctionAggregate = defineAggregate({
  name: 'correction',
  streams: undefined,
  events: [recordCorrected],
  commands: [correctRecord],
  decider: { initialState: correctionInitialState, evolve: evolveCorrectable, decide: decideCorrection },
  streamOfCommand: (command) => command.stream,
  streamOfEvent: () => undefined,
  // The new values must name records that exist, as a command giving them would.
  references: (command) =>
    referencesIn(
      command.changes,
      {
        partners: [partnerAggregate.streams],
        programmeId: programmeAggregate.streams,
        participantIds: [participantAggregate.streams],
        participantId: participantAggregate.streams,
      },
      'changes.',
    ),
});
