import { describe, expect, it } from 'vitest';
import { given } from '../../testing/scenario.js';
import type { DomainEvent } from '../../catalogue/events.js';

const today = { today: '2024-06-01' };
const details = {
  title: { en: 'Training of trainers on migration and asylum law', ar: 'دورة تكوينية لفائدة قضاة مكونين' },
  kind: 'training-of-trainers' as const,
  format: 'in-person' as const,
  partners: ['enabel'],
};
const scheduled = (capacity?: number): DomainEvent => ({
  type: 'SessionScheduled',
  data: { sessionId: 's1', ...details, plannedFor: '2024-09', ...(capacity ? { capacity } : {}) },
});
const enrolled = (participantId: string): DomainEvent => ({ type: 'ParticipantEnrolled', data: { sessionId: 's1', participantId, role: 'trainee' } });
const held: DomainEvent = { type: 'SessionHeld', data: { sessionId: 's1', ...details, heldOn: '2024-05' } };
const cancelled: DomainEvent = { type: 'SessionCancelled', data: { sessionId: 's1', reason: 'trainers unavailable' } };
const enrol = (participantId: string) => ({ type: 'EnrolParticipant', sessionId: 's1', participantId });

describe('training sessions', () => {
  it('a session is scheduled once, in the future if need be (a plan)', () => {
    given().when({ type: 'ScheduleSession', sessionId: 's1', ...details, plannedFor: '2030' }, today)
      .thenEvents({ type: 'SessionScheduled', data: { sessionId: 's1', ...details, plannedFor: '2030' } });
    given(scheduled()).when({ type: 'ScheduleSession', sessionId: 's1', ...details, plannedFor: '2025' }, today).thenError('already-exists', ['sessionId']);
  });

  describe('enrolment', () => {
    it('enrols a participant into a planned session', () => {
      given(scheduled(2)).when(enrol('p1'), today).thenEvents({ type: 'ParticipantEnrolled', data: { sessionId: 's1', participantId: 'p1', role: 'trainee' } });
    });
    it('refuses a session that was held', () => {
      given(scheduled(), held).when(enrol('p1'), today).thenError('session-closed');
    });
    it('refuses a session that was cancelled', () => {
      given(scheduled(), cancelled).when(enrol('p1'), today).thenError('session-cancelled');
    });
    it('refuses a session past its capacity', () => {
      given(scheduled(2), enrolled('p1'), enrolled('p2')).when(enrol('p3'), today).thenError('session-full');
    });
    it('a withdrawal frees a place', () => {
      given(scheduled(2), enrolled('p1'), enrolled('p2'), { type: 'EnrolmentWithdrawn', data: { sessionId: 's1', participantId: 'p1' } })
        .when(enrol('p3'), today).thenEvents({ type: 'ParticipantEnrolled', data: { sessionId: 's1', participantId: 'p3', role: 'trainee' } });
    });
    it('refuses to enrol the same participant twice', () => {
      given(scheduled(), enrolled('p1')).when(enrol('p1'), today).thenError('already-enrolled', ['participantId']);
    });
    it('refuses a session never planned', () => {
      given().when(enrol('p1'), today).thenError('not-found');
    });
    it('withdraws only who is enrolled, and only before the session is held', () => {
      given(scheduled()).when({ type: 'WithdrawEnrolment', sessionId: 's1', participantId: 'p1' }, today).thenError('not-enrolled');
      given(scheduled(), enrolled('p1'), held).when({ type: 'WithdrawEnrolment', sessionId: 's1', participantId: 'p1' }, today).thenError('session-already-held');
    });
  });

  describe('holding', () => {
    it('a session is held once', () => {
      given(scheduled(), held).when({ type: 'RecordSessionHeld', sessionId: 's1', heldOn: '2024-05' }, today).thenError('session-already-held');
    });
    it('not after it was cancelled', () => {
      given(scheduled(), cancelled).when({ type: 'RecordSessionHeld', sessionId: 's1', heldOn: '2024-05' }, today).thenError('session-cancelled');
    });
    it('a planned session keeps its details and takes what changed (it went remote)', () => {
      given(scheduled(20)).when({ type: 'RecordSessionHeld', sessionId: 's1', heldOn: '2024-05-20', format: 'remote', attendance: { count: 18 } }, today)
        .thenEvents({
          type: 'SessionHeld',
          data: { sessionId: 's1', ...details, capacity: 20, format: 'remote', heldOn: '2024-05-20', attendance: { count: 18, basis: 'total' } },
        });
    });
    it('an unplanned session must give all its details, and the error names what is missing', () => {
      const error = given().when({ type: 'RecordSessionHeld', sessionId: 's1', heldOn: '2018' }, today).thenError('invalid-command');
      expect(error.fields).toEqual(['title', 'kind', 'partners']);
    });
    it('records "6 regional sessions with 20 judges each" as one record (F3)', () => {
      given().when({
        type: 'RecordSessionHeld', sessionId: 'giz-regional-2018', heldOn: '2018', title: { ar: 'دورات إقليمية' }, kind: 'regional-session',
        format: 'in-person', partners: ['giz'], occurrences: 6, attendance: { count: 20, basis: 'each-occurrence' },
      }, today).thenEvents({
        type: 'SessionHeld',
        data: { sessionId: 'giz-regional-2018', heldOn: '2018', title: { ar: 'دورات إقليمية' }, kind: 'regional-session', format: 'in-person', partners: ['giz'], occurrences: 6, attendance: { count: 20, basis: 'each-occurrence' } },
      });
    });
    it('a held date cannot be after the recording date; a plan can', () => {
      given(scheduled()).when({ type: 'RecordSessionHeld', sessionId: 's1', heldOn: '2024-07' }, today).thenError('date-in-future', ['heldOn']);
      given(scheduled()).when({ type: 'RecordSessionHeld', sessionId: 's1', heldOn: '2024' }, today).thenEvents({ type: 'SessionHeld', data: { sessionId: 's1', ...details, heldOn: '2024' } });
      given(scheduled()).when({ type: 'RescheduleSession', sessionId: 's1', plannedFor: '2031' }, today).thenEvents({ type: 'SessionRescheduled', data: { sessionId: 's1', plannedFor: '2031' } });
    });
    it('attendance is recorded after the session, not before', () => {
      given(scheduled()).when({ type: 'RecordAttendance', sessionId: 's1', attendance: { count: 70 } }, today).thenError('session-closed');
      given(scheduled(), held).when({ type: 'RecordAttendance', sessionId: 's1', attendance: { count: 70 } }, today)
        .thenEvents({ type: 'AttendanceRecorded', data: { sessionId: 's1', attendance: { count: 70, basis: 'total' } } });
    });
    it('cancels and reschedules only planned sessions', () => {
      given(scheduled(), held).when({ type: 'CancelSession', sessionId: 's1', reason: 'x' }, today).thenError('session-already-held');
      given(scheduled(), cancelled).when({ type: 'RescheduleSession', sessionId: 's1', plannedFor: '2025' }, today).thenError('session-cancelled');
      given().when({ type: 'CancelSession', sessionId: 's1', reason: 'x' }, today).thenError('not-found');
    });
  });

  it('a corrected capacity applies to later enrolments', () => {
    const correctedCapacity: DomainEvent = {
      type: 'RecordCorrected',
      data: { correctedEventId: '00000000-0000-7000-8000-000000000001', correctedEventType: 'SessionScheduled', changes: { capacity: 1 }, previous: { capacity: 3 }, reason: 'room is smaller' },
    };
    given(scheduled(3), enrolled('p1'), correctedCapacity).when(enrol('p2'), today).thenError('session-full');
  });
});
