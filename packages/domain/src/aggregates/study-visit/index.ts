import { defineAggregate, referencesIn, streamNaming } from '../define.js';
import { participantAggregate } from '../participant/index.js';
import { partnerAggregate } from '../partner/index.js';
import { programmeAggregate } from '../programme/index.js';
import { cancelStudyVisit, completeStudyVisit, planStudyVisit } from './commands.js';
import { studyVisitDecider } from './decider.js';
import { studyVisitCancelled, studyVisitCompleted, studyVisitPlanned } from './events.js';

/** A study visit, outgoing (the institute's people travel) or hosted. */
export const studyVisitAggregate = defineAggregate({
  name: 'study-visit',
  streams: streamNaming('visit-'),
  events: [studyVisitPlanned, studyVisitCompleted, studyVisitCancelled],
  commands: [planStudyVisit, completeStudyVisit, cancelStudyVisit],
  decider: studyVisitDecider,
  streamOfCommand: (command, streams) => streams.stream(command.visitId),
  streamOfEvent: (event, streams) => streams.stream(event.data.visitId),
  references: (command) =>
    referencesIn(command, {
      partners: [partnerAggregate.streams],
      programmeId: programmeAggregate.streams,
      participantIds: [participantAggregate.streams],
    }),
});
