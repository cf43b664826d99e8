import { describe, expect, it } from 'vitest';
import { given, recorded } from '../testing/scenario.js';
import type { DomainEvent } from '../catalogue/events.js';

const today = { today: '2024-06-01' };

describe('partners', () => {
  const registered: DomainEvent = { type: 'PartnerRegistered', data: { partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature' }, kind: 'school', country: 'FR' } };
  it('are registered once', () => {
    given(registered).when({ type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'ENM' }, kind: 'school' }, today).thenError('already-exists');
  });
  it('are renamed from a date, not in the future', () => {
    given(registered).when({ type: 'RenamePartner', partnerId: 'enm-france', name: { fr: 'ENM' }, effectiveOn: '2030' }, today).thenError('date-in-future');
    given().when({ type: 'RenamePartner', partnerId: 'enm-france', name: { fr: 'ENM' }, effectiveOn: '2020' }, today).thenError('not-found');
  });
  it('have details corrected with a reason', () => {
    given(registered).when({ type: 'CorrectPartnerDetails', partnerId: 'enm-france', changes: { acronym: 'ENM' }, reason: 'missing acronym' }, today)
      .thenEvents({ type: 'PartnerDetailsCorrected', data: { partnerId: 'enm-france', changes: { acronym: 'ENM' }, reason: 'missing acronym' } });
    given(registered).when({ type: 'CorrectPartnerDetails', partnerId: 'enm-france', changes: {}, reason: 'nothing' }, today).thenError('invalid-command');
    given(registered).when({ type: 'CorrectPartnerDetails', partnerId: 'enm-france', changes: { acronym: 'ENM' }, reason: '' }, today).thenError('invalid-command', ['reason']);
  });
  it('ids are readable slugs', () => {
    given().when({ type: 'RegisterPartner', partnerId: 'ENM France', name: { fr: 'ENM' }, kind: 'school' }, today).thenError('invalid-command', ['partnerId']);
  });
});

describe('agreements', () => {
  const signed: DomainEvent = {
    type: 'AgreementSigned',
    data: { agreementId: 'ssm-2022', kind: 'convention', partners: ['ssm-italy'], signatories: [], signedOn: '2022-12-15', areas: [] },
  };
  it('are signed once, with at least one partner, not in the future', () => {
    given(signed).when({ type: 'SignAgreement', agreementId: 'ssm-2022', kind: 'convention', partners: ['ssm-italy'], signedOn: '2022-12-15' }, today).thenError('already-exists');
    given().when({ type: 'SignAgreement', agreementId: 'x', kind: 'convention', partners: [], signedOn: '2022' }, today).thenError('invalid-command', ['partners']);
    given().when({ type: 'SignAgreement', agreementId: 'x', kind: 'convention', partners: ['a', 'a'], signedOn: '2022' }, today).thenError('invalid-command', ['partners']);
    given().when({ type: 'SignAgreement', agreementId: 'x', kind: 'convention', partners: ['a'], signedOn: '2025-01' }, today).thenError('date-in-future', ['signedOn']);
  });
  it('are amended and terminated while in force only', () => {
    const terminated: DomainEvent = { type: 'AgreementTerminated', data: { agreementId: 'ssm-2022', terminatedOn: '2023', reason: 'replaced' } };
    given(signed, terminated).when({ type: 'AmendAgreement', agreementId: 'ssm-2022', amendedOn: '2024', summary: { en: 'x' } }, today).thenError('agreement-terminated');
    given().when({ type: 'TerminateAgreement', agreementId: 'ssm-2022', terminatedOn: '2024', reason: 'x' }, today).thenError('not-found');
    given(signed).when({ type: 'AmendAgreement', agreementId: 'ssm-2022', amendedOn: '2024', summary: { en: 'adds e-learning' }, areasAdded: [{ en: 'e-learning' }] }, today)
      .thenEvents({ type: 'AgreementAmended', data: { agreementId: 'ssm-2022', amendedOn: '2024', summary: { en: 'adds e-learning' }, areasAdded: [{ en: 'e-learning' }], areasRemoved: [] } });
  });
});

describe('programmes', () => {
  it('are launched once and closed once', () => {
    const launched: DomainEvent = { type: 'ProgrammeLaunched', data: { programmeId: 'p', title: { en: 'p' }, partners: ['x'], themes: [], startedOn: '2002', recurrence: 'annual' } };
    given(launched).when({ type: 'LaunchProgramme', programmeId: 'p', title: { en: 'p' }, partners: ['x'], startedOn: '2002' }, today).thenError('already-exists');
    given(launched, { type: 'ProgrammeClosed', data: { programmeId: 'p', closedOn: '2020' } }).when({ type: 'CloseProgramme', programmeId: 'p', closedOn: '2021' }, today).thenError('programme-closed');
    given().when({ type: 'CloseProgramme', programmeId: 'p', closedOn: '2021' }, today).thenError('not-found');
  });
});

describe('participants', () => {
  const registered: DomainEvent = { type: 'ParticipantRegistered', data: { participantId: 'p1', kind: 'judicial-attache', cohort: 41 } };
  it('are registered once; personal data sits in its own field', () => {
    given(registered).when({ type: 'RegisterParticipant', participantId: 'p1', kind: 'judge' }, today).thenError('already-exists');
    given().when({ type: 'RegisterParticipant', participantId: 'p2', kind: 'judge', personal: { fullName: { ar: 'قاضية' } } }, today)
      .thenEvents({ type: 'ParticipantRegistered', data: { participantId: 'p2', kind: 'judge', personal: { fullName: { ar: 'قاضية' } } } });
  });
  it('once erased, stay erased', () => {
    const erased: DomainEvent = { type: 'ParticipantDataErased', data: { participantId: 'p1', reason: 'request under law 09-08' } };
    given(registered, erased).when({ type: 'CorrectParticipantPersonalData', participantId: 'p1', personal: { fullName: { fr: 'X' } }, reason: 'typo' }, today).thenError('participant-erased');
    given(registered, erased).when({ type: 'EraseParticipantData', participantId: 'p1', reason: 'again' }, today).thenError('participant-erased');
  });
});

describe('study visits', () => {
  const planned: DomainEvent = { type: 'StudyVisitPlanned', data: { visitId: 'madrid', direction: 'outgoing', partners: ['aecid'], plannedFor: 'XXXX' } };
  it('complete only after they were planned', () => {
    given().when({ type: 'CompleteStudyVisit', visitId: 'madrid', completedOn: 'XXXX', participantCount: 2 }, today).thenError('visit-not-planned');
    given(planned).when({ type: 'CompleteStudyVisit', visitId: 'madrid', completedOn: 'XXXX', participantCount: 2 }, today)
      .thenEvents({ type: 'StudyVisitCompleted', data: { visitId: 'madrid', completedOn: 'XXXX', participantIds: [], participantCount: 2 } });
  });
  it('a visit the source reports only as done is recorded without a plan when the completion says what it was (F11)', () => {
    const done = { type: 'CompleteStudyVisit', visitId: 'madrid', completedOn: 'XXXX', participantCount: 2, direction: 'outgoing', partners: ['aecid'] } as const;
    given().when(done, today).thenEvents({
      type: 'StudyVisitCompleted',
      data: { visitId: 'madrid', completedOn: 'XXXX', participantIds: [], participantCount: 2, direction: 'outgoing', partners: ['aecid'] },
    });
    const completed: DomainEvent = { type: 'StudyVisitCompleted', data: { visitId: 'madrid', completedOn: 'XXXX', participantIds: [], direction: 'outgoing', partners: ['aecid'] } };
    given(completed).when(done, today).thenError('visit-closed');
    // Without its direction and partners a visit must have been planned.
    given().when({ type: 'CompleteStudyVisit', visitId: 'madrid', completedOn: 'XXXX', direction: 'outgoing' }, today).thenError('visit-not-planned');
  });
  it('complete once, not after cancellation', () => {
    const completed: DomainEvent = { type: 'StudyVisitCompleted', data: { visitId: 'madrid', completedOn: '2022', participantIds: [] } };
    given(planned, completed).when({ type: 'CompleteStudyVisit', visitId: 'madrid', completedOn: '2022' }, today).thenError('visit-closed');
    given(planned, { type: 'StudyVisitCancelled', data: { visitId: 'madrid', reason: 'x' } }).when({ type: 'CompleteStudyVisit', visitId: 'madrid', completedOn: '2022' }, today).thenError('visit-closed');
  });
  it('a count cannot be smaller than the people named', () => {
    given(planned).when({ type: 'CompleteStudyVisit', visitId: 'madrid', completedOn: '2022', participantIds: ['p1', 'p2'], participantCount: 1 }, today).thenError('invalid-command', ['participantCount']);
  });
});

describe('publications: plans and their completion (F8)', () => {
  const prepared: DomainEvent = { type: 'PublicationPrepared', data: { publicationId: 'guide', kind: 'guide', title: { ar: 'دليل' }, partners: ['enabel'], preparedOn: '../2022' } };
  it('a plan may be dated in the future; a publication may not', () => {
    given(prepared).when({ type: 'PlanPublication', publicationId: 'guide', plannedFor: '2030' }, today).thenEvents({ type: 'PublicationPlanned', data: { publicationId: 'guide', plannedFor: '2030' } });
    given(prepared).when({ type: 'RecordPublicationPublished', publicationId: 'guide', publishedOn: '2030' }, today).thenError('date-in-future');
  });
  it('publishes once, and only what was prepared', () => {
    given().when({ type: 'RecordPublicationPublished', publicationId: 'guide', publishedOn: '2023' }, today).thenError('not-found');
    given(prepared, { type: 'PublicationPublished', data: { publicationId: 'guide', publishedOn: '2023' } })
      .when({ type: 'RecordPublicationPublished', publicationId: 'guide', publishedOn: '2023' }, today).thenError('already-published');
  });
});

describe('corrections name the event, the fields and the reason', () => {
  const events = recorded([
    { type: 'SessionHeld', data: { sessionId: 's1', title: { en: 'x' }, kind: 'course', format: 'in-person', partners: ['enm-france'], heldOn: '2016', attendance: { count: 2, basis: 'total' } } },
  ], 'session-s1');
  const target = events[0]!.id;
  const correct = (changes: Record<string, unknown>, reason = 'source re-read') => ({ type: 'CorrectRecord', stream: 'session-s1', eventId: target, changes, reason });

  it('records old and new values of the changed fields', () => {
    given(...events).when(correct({ format: 'remote', attendance: { count: 3 } }), today).thenEvents({
      type: 'RecordCorrected',
      data: {
        correctedEventId: target,
        correctedEventType: 'SessionHeld',
        changes: { format: 'remote', attendance: { count: 3, basis: 'total' } },
        previous: { format: 'in-person', attendance: { count: 2, basis: 'total' } },
        reason: 'source re-read',
      },
    });
  });
  it('null removes an optional field', () => {
    const result = given(...events).when(correct({ attendance: null }), today).result;
    expect(result.ok && result.value[0]).toMatchObject({ data: { changes: { attendance: null }, previous: { attendance: { count: 2 } } } });
  });
  it('refuses an unknown event, an unknown field, the record id, an invalid value, no change, no reason, a future date', () => {
    given(...events).when({ ...correct({ format: 'remote' }), eventId: '00000000-0000-7000-8000-0000000000ff' }, today).thenError('not-found', ['eventId']);
    given(...events).when(correct({ colour: 'red' }), today).thenError('invalid-correction', ['changes.colour']);
    // Names every object inherits are no fields either, even beside a real change.
    given(...events).when(correct({ constructor: 1, format: 'remote' }), today).thenError('invalid-correction', ['changes.constructor']);
    given(...events).when(correct({ toString: 'x' }), today).thenError('invalid-correction', ['changes.toString']);
    given(...events).when(correct({ sessionId: 's2' }), today).thenError('invalid-correction', ['changes.sessionId']);
    given(...events).when(correct({ format: 'hybrid' }), today).thenError('invalid-correction', ['changes.format']);
    given(...events).when(correct({ format: 'in-person' }), today).thenError('invalid-correction', ['changes']);
    given(...events).when(correct({ format: 'remote' }, ''), today).thenError('invalid-command', ['reason']);
    given(...events).when(correct({ heldOn: '2031' }), today).thenError('date-in-future');
  });
  it('a personal data correction with nothing in it is refused: it would remove it all, which erasure does', () => {
    const participant = recorded([{ type: 'ParticipantRegistered', data: { participantId: 'p1', kind: 'judge', personal: { fullName: { fr: 'A' } } } }], 'participant-p1');
    given(...participant).when({ type: 'CorrectParticipantPersonalData', participantId: 'p1', personal: {}, reason: 'typo' }, today).thenError('invalid-correction', ['personal']);
    given(...participant).when({ type: 'CorrectParticipantPersonalData', participantId: 'p1', personal: { fullName: { fr: 'B' } }, reason: 'typo' }, today).thenEvents({
      type: 'ParticipantPersonalDataCorrected',
      data: { participantId: 'p1', personal: { fullName: { fr: 'B' } }, reason: 'typo' },
    });
  });
  it('refuses personal fields: they have their own erasable event', () => {
    const participant = recorded([{ type: 'ParticipantRegistered', data: { participantId: 'p1', kind: 'judge', personal: { fullName: { fr: 'A' } } } }], 'participant-p1');
    given(...participant).when({ type: 'CorrectRecord', stream: 'participant-p1', eventId: participant[0]!.id, changes: { personal: { fullName: { fr: 'B' } } }, reason: 'typo' }, today)
      .thenError('invalid-correction', ['changes.personal']);
  });
  it('a correction of a correction is refused: correct the original again', () => {
    const withCorrection = recorded([...events, { type: 'RecordCorrected', data: { correctedEventId: target, correctedEventType: 'SessionHeld', changes: { format: 'remote' }, previous: { format: 'in-person' }, reason: 'r' } }], 'session-s1');
    given(...withCorrection).when({ ...correct({ format: 'in-person' }), eventId: withCorrection[1]!.id }, today).thenError('invalid-correction');
    given(...withCorrection).when(correct({ format: 'remote' }), today).thenError('invalid-correction', ['changes']);
  });
});

describe('what corrections may not change', () => {
  const enrolment = recorded([
    { type: 'SessionScheduled', data: { sessionId: 's1', title: { en: 'x' }, kind: 'course', partners: ['enm-france'], plannedFor: '2024', capacity: 2 } },
    { type: 'ParticipantEnrolled', data: { sessionId: 's1', participantId: 'p1', role: 'trainee' } },
  ], 'session-s1');
  it('an enrolment is who in which session: its participant cannot be corrected', () => {
    given(...enrolment).when({ type: 'CorrectRecord', stream: 'session-s1', eventId: enrolment[1]!.id, changes: { participantId: 'p2' }, reason: 'wrong person' }, today)
      .thenError('invalid-correction', ['changes.participantId']);
  });
  it('a capacity corrected to null is removed: the session is no longer full', () => {
    const removed = recorded([
      ...enrolment,
      { type: 'ParticipantEnrolled', data: { sessionId: 's1', participantId: 'p2', role: 'trainee' } },
      { type: 'RecordCorrected', data: { correctedEventId: enrolment[0]!.id, correctedEventType: 'SessionScheduled', changes: { capacity: null }, previous: { capacity: 2 }, reason: 'no limit' } },
    ], 'session-s1');
    given(...removed).when({ type: 'EnrolParticipant', sessionId: 's1', participantId: 'p3' }, today)
      .thenEvents({ type: 'ParticipantEnrolled', data: { sessionId: 's1', participantId: 'p3', role: 'trainee' } });
  });
});

describe('what counts as the future', () => {
  it('an interval whose stated end is later than today is refused for a fact', () => {
    given().when({ type: 'RecordSessionHeld', sessionId: 's9', title: { en: 'x' }, kind: 'course', partners: ['giz'], heldOn: '2024-05/2031' }, today).thenError('date-in-future', ['heldOn']);
    given().when({ type: 'RecordSessionHeld', sessionId: 's9', title: { en: 'x' }, kind: 'course', partners: ['giz'], heldOn: '2002/..' }, today)
      .thenEvents({ type: 'SessionHeld', data: { sessionId: 's9', title: { en: 'x' }, kind: 'course', partners: ['giz'], heldOn: '2002/..' } });
  });
});
