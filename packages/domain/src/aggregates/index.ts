import { agreementAggregate } from './agreement/index.js';
import { correctionAggregate } from './correction/index.js';
import { instituteAggregate } from './institute/index.js';
import { participantAggregate } from './participant/index.js';
import { partnerAggregate } from './partner/index.js';
import { programmeAggregate } from './programme/index.js';
import { publicationAggregate } from './publication/index.js';
import { sessionAggregate } from './session/index.js';
import { studyVisitAggregate } from './study-visit/index.js';

/**
 * Every aggregate of the domain, the one list the catalogue (event and
 * command schemas, routing, `streamOfEvent`, upcasters) is derived from. The
 * order is the order of the schema lists and of the HTTP API's commands.
 */
export const aggregates = [
  instituteAggregate,
  partnerAggregate,
  agreementAggregate,
  programmeAggregate,
  sessionAggregate,
  participantAggregate,
  studyVisitAggregate,
  publicationAggregate,
  correctionAggregate,
] as const;

export type DomainAggregate = (typeof aggregates)[number];

export {
  agreementAggregate,
  correctionAggregate,
  instituteAggregate,
  participantAggregate,
  partnerAggregate,
  programmeAggregate,
  publicationAggregate,
  sessionAggregate,
  studyVisitAggregate,
};
