import { match } from 'ts-pattern';
import { agreementDecider, agreementStream } from './aggregates/agreement/decider.js';
import { correctionInitialState, decideCorrection, evolveCorrectable } from './aggregates/correction/decider.js';
import type { Decider, Decision, DecisionContext } from './aggregates/decider.js';
import { instituteDecider, instituteStream } from './aggregates/institute/decider.js';
import { participantDecider, participantStream } from './aggregates/participant/decider.js';
import { partnerDecider, partnerStream } from './aggregates/partner/decider.js';
import { programmeDecider, programmeStream } from './aggregates/programme/decider.js';
import { publicationDecider, publicationStream } from './aggregates/publication/decider.js';
import { sessionDecider, sessionStream } from './aggregates/session/decider.js';
import { studyVisitDecider, studyVisitStream } from './aggregates/study-visit/decider.js';
import type { Command } from './commands.js';
import type { RecordedEvent } from './schema/decode.js';
import type { DomainEvent } from './schema/events.js';

/** A stream the command refers to, which must exist, and the command field that names it. */
export interface Reference {
  readonly field: string;
  readonly stream: string;
}

/** Where a command goes: its stream, what it refers to, and the decision over that stream's events. */
export interface CommandRoute {
  readonly stream: string;
  readonly references: readonly Reference[];
  decide(events: readonly RecordedEvent[], context: DecisionContext): Decision<DomainEvent>;
}

const fold = <C, E, S>(decider: Decider<C, E, S>, events: readonly { type: string; data: unknown }[]): S =>
  events.reduce((state, event) => decider.evolve(state, event as E), decider.initialState);

const via =
  <C, E extends DomainEvent, S>(decider: Decider<C, E, S>, command: C) =>
  (events: readonly RecordedEvent[], context: DecisionContext): Decision<DomainEvent> =>
    decider.decide(command, fold(decider, events), context);

/** References held in the usual fields: partners, a programme, participants. */
function commonReferences(source: object): Reference[] {
  const fields = source as { partners?: unknown; programmeId?: unknown; participantIds?: unknown; participantId?: unknown };
  const refs: Reference[] = [];
  if (Array.isArray(fields.partners)) {
    fields.partners.forEach((id, i) => refs.push({ field: `partners.${i}`, stream: partnerStream(String(id)) }));
  }
  if (typeof fields.programmeId === 'string') refs.push({ field: 'programmeId', stream: programmeStream(fields.programmeId) });
  if (Array.isArray(fields.participantIds)) {
    fields.participantIds.forEach((id, i) => refs.push({ field: `participantIds.${i}`, stream: participantStream(String(id)) }));
  }
  if (typeof fields.participantId === 'string') refs.push({ field: 'participantId', stream: participantStream(fields.participantId) });
  return refs;
}

export function routeCommand(command: Command): CommandRoute {
  return match(command)
    .with({ type: 'RegisterInstitute' }, { type: 'RenameInstitute' }, (c) => ({
      stream: instituteStream(c.instituteId), references: [], decide: via(instituteDecider, c),
    }))
    .with({ type: 'RegisterPartner' }, { type: 'RenamePartner' }, { type: 'CorrectPartnerDetails' }, (c) => ({
      stream: partnerStream(c.partnerId), references: [], decide: via(partnerDecider, c),
    }))
    .with({ type: 'SignAgreement' }, { type: 'AmendAgreement' }, { type: 'TerminateAgreement' }, (c) => ({
      stream: agreementStream(c.agreementId), references: commonReferences(c), decide: via(agreementDecider, c),
    }))
    .with({ type: 'LaunchProgramme' }, { type: 'CloseProgramme' }, (c) => ({
      stream: programmeStream(c.programmeId),
      references: [
        ...commonReferences({ partners: 'partners' in c ? c.partners : undefined }),
        ...('agreementId' in c && c.agreementId ? [{ field: 'agreementId', stream: agreementStream(c.agreementId) }] : []),
      ],
      decide: via(programmeDecider, c),
    }))
    .with(
      { type: 'ScheduleSession' }, { type: 'RescheduleSession' }, { type: 'CancelSession' }, { type: 'RecordSessionHeld' },
      { type: 'RecordAttendance' }, { type: 'EnrolParticipant' }, { type: 'WithdrawEnrolment' },
      (c) => ({
        stream: sessionStream(c.sessionId),
        references: c.type === 'WithdrawEnrolment' ? [] : commonReferences(c),
        decide: via(sessionDecider, c),
      }),
    )
    .with({ type: 'RegisterParticipant' }, { type: 'CorrectParticipantPersonalData' }, { type: 'EraseParticipantData' }, (c) => ({
      stream: participantStream(c.participantId), references: [], decide: via(participantDecider, c),
    }))
    .with({ type: 'PlanStudyVisit' }, { type: 'CompleteStudyVisit' }, { type: 'CancelStudyVisit' }, (c) => ({
      stream: studyVisitStream(c.visitId), references: commonReferences(c), decide: via(studyVisitDecider, c),
    }))
    .with({ type: 'RecordPublicationPrepared' }, { type: 'PlanPublication' }, { type: 'RecordPublicationPublished' }, (c) => ({
      stream: publicationStream(c.publicationId), references: commonReferences(c), decide: via(publicationDecider, c),
    }))
    .with({ type: 'CorrectRecord' }, (c) => ({
      stream: c.stream,
      references: commonReferences(c.changes).map((r) => ({ ...r, field: `changes.${r.field}` })),
      decide: (events: readonly RecordedEvent[], context: DecisionContext) =>
        decideCorrection(c, events.reduce(evolveCorrectable, correctionInitialState), context),
    }))
    .exhaustive();
}

/**
 * The stream an event belongs in, from its own data: what an import checks so a
 * file cannot file an event under another record. A correction lives in the
 * stream of the event it corrects, which its data does not name: `undefined`.
 */
export function streamOfEvent(event: DomainEvent): string | undefined {
  return match(event)
    .with({ type: 'InstituteRegistered' }, { type: 'InstituteRenamed' }, (e) => instituteStream(e.data.instituteId))
    .with({ type: 'PartnerRegistered' }, { type: 'PartnerRenamed' }, { type: 'PartnerDetailsCorrected' }, (e) => partnerStream(e.data.partnerId))
    .with({ type: 'AgreementSigned' }, { type: 'AgreementAmended' }, { type: 'AgreementTerminated' }, (e) => agreementStream(e.data.agreementId))
    .with({ type: 'ProgrammeLaunched' }, { type: 'ProgrammeClosed' }, (e) => programmeStream(e.data.programmeId))
    .with(
      { type: 'SessionScheduled' }, { type: 'SessionRescheduled' }, { type: 'SessionCancelled' }, { type: 'SessionHeld' },
      { type: 'AttendanceRecorded' }, { type: 'ParticipantEnrolled' }, { type: 'EnrolmentWithdrawn' },
      (e) => sessionStream(e.data.sessionId),
    )
    .with({ type: 'ParticipantRegistered' }, { type: 'ParticipantPersonalDataCorrected' }, { type: 'ParticipantDataErased' }, (e) => participantStream(e.data.participantId))
    .with({ type: 'StudyVisitPlanned' }, { type: 'StudyVisitCompleted' }, { type: 'StudyVisitCancelled' }, (e) => studyVisitStream(e.data.visitId))
    .with({ type: 'PublicationPrepared' }, { type: 'PublicationPlanned' }, { type: 'PublicationPublished' }, (e) => publicationStream(e.data.publicationId))
    .with({ type: 'RecordCorrected' }, () => undefined)
    .exhaustive();
}
