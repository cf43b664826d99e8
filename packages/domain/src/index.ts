export * from './result.js';
export * from './errors.js';
export * from './values/partial-date.js';
export * from './values/multilingual-text.js';
export * from './values/text.js';
export * from './values/ids.js';
export * from './store/envelope.js';
export * from './store/port.js';
export * from './store/append-rules.js';
export * from './store/follow.js';
export * from './store/hash-chain.js';
export * from './store/in-memory.js';
export * from './schema/define.js';
export * from './schema/upcasting.js';
export * from './schema/decoding.js';
export * from './aggregates/vocabulary.js';
export * from './aggregates/decider.js';
export * from './aggregates/define.js';
export * from './aggregates/index.js';
export * from './aggregates/institute/events.js';
export * from './aggregates/institute/decider.js';
export * from './aggregates/partner/events.js';
export * from './aggregates/partner/decider.js';
export * from './aggregates/agreement/events.js';
export * from './aggregates/agreement/decider.js';
export * from './aggregates/programme/events.js';
export * from './aggregates/programme/decider.js';
export * from './aggregates/session/events.js';
export * from './aggregates/session/commands.js';
export * from './aggregates/session/decider.js';
export * from './aggregates/session/upcasters.js';
export * from './aggregates/participant/events.js';
export * from './aggregates/participant/decider.js';
export * from './aggregates/study-visit/events.js';
export * from './aggregates/study-visit/decider.js';
export * from './aggregates/publication/events.js';
export * from './aggregates/publication/decider.js';
export * from './aggregates/correction/events.js';
export * from './aggregates/correction/commands.js';
export * from './aggregates/correction/decider.js';
export * from './catalogue/index.js';
export * from './command-handling/index.js';
export * from './personal-data/index.js';

import {
  agreementAggregate,
  instituteAggregate,
  participantAggregate,
  partnerAggregate,
  programmeAggregate,
  publicationAggregate,
  sessionAggregate,
  studyVisitAggregate,
} from './aggregates/index.js';

/** Each aggregate's stream naming, under the names other packages import (`partnerStream('giz')` is `partner-giz`). */
export const instituteStream = instituteAggregate.streams.stream;
export const partnerStream = partnerAggregate.streams.stream;
export const agreementStream = agreementAggregate.streams.stream;
export const programmeStream = programmeAggregate.streams.stream;
export const sessionStream = sessionAggregate.streams.stream;
export const participantStream = participantAggregate.streams.stream;
export const studyVisitStream = studyVisitAggregate.streams.stream;
export const publicationStream = publicationAggregate.streams.stream;
export * from './store/merkle/index.js';
