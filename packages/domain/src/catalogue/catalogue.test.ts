import { describe, expect, it } from 'vitest';
import { aggregates, sessionAggregate, studyVisitAggregate } from '../aggregates/index.js';
import { commandSchemas, commandTypes } from './commands.js';
import { upcasters } from './decoding.js';
import { eventDefinition, eventDefinitions, eventTypes } from './events.js';
import { aggregateOfStream, routeCommand, streamOfEvent } from './routing.js';

describe('the catalogue, derived from the list of aggregates', () => {
  it('knows every event and command type of every aggregate, each once', () => {
    const ownEvents = aggregates.flatMap((a) => a.events.map((d) => d.type));
    const ownCommands = aggregates.flatMap((a) => Object.keys(a.commands));
    expect(eventTypes).toEqual(ownEvents);
    expect(new Set(eventTypes).size).toBe(eventTypes.length);
    expect(commandTypes).toEqual(ownCommands);
    expect(Object.keys(commandSchemas)).toEqual(ownCommands);
    expect(eventDefinitions.every((d) => eventDefinition(d.type) === d)).toBe(true);
    expect(eventTypes).toEqual(expect.arrayContaining(['AgreementSigned', 'SessionHeld', 'ParticipantEnrolled', 'StudyVisitCompleted']));
  });

  it('takes its upcasters from the aggregates that own the event types', () => {
    expect(upcasters.map((u) => [u.type, u.fromVersion])).toEqual([['SessionHeld', 1]]);
    expect(sessionAggregate.upcasters).toEqual(upcasters);
  });

  it('finds the aggregate of a stream, and the record\'s id, by the stream\'s prefix', () => {
    expect(aggregateOfStream('session-giz-attaches-2018')).toEqual({ aggregate: sessionAggregate, id: 'giz-attaches-2018' });
    expect(aggregateOfStream('visit-madrid-aecid')).toEqual({ aggregate: studyVisitAggregate, id: 'madrid-aecid' });
    for (const stream of ['study-visit-madrid', 'session-', 'sessions', '', '-giz']) expect(aggregateOfStream(stream), stream).toBeUndefined();
    for (const aggregate of aggregates) {
      if (aggregate.streams) expect(aggregateOfStream(aggregate.streams.stream('enm-france'))?.aggregate).toBe(aggregate);
    }
  });

  it('routes a command to the stream its record names, with the records it refers to', () => {
    const route = routeCommand({
      type: 'ScheduleSession', sessionId: 'enm-course-2021', title: { fr: 'Stage' }, kind: 'course', partners: ['enm-france', 'giz'], programmeId: 'enm-annual', plannedFor: '2021',
    });
    expect(route.stream).toBe('session-enm-course-2021');
    expect(route.references).toEqual([
      { field: 'partners.0', stream: 'partner-enm-france' },
      { field: 'partners.1', stream: 'partner-giz' },
      { field: 'programmeId', stream: 'programme-enm-annual' },
    ]);
    const correction = routeCommand({ type: 'CorrectRecord', stream: 'session-s1', eventId: '00000000-0000-7000-8000-000000000001', changes: { partners: ['giz'] }, reason: 'checked' });
    expect(correction).toMatchObject({ stream: 'session-s1', references: [{ field: 'changes.partners.0', stream: 'partner-giz' }] });
  });

  it('files an event under the stream its own data names; a correction names none', () => {
    expect(streamOfEvent({ type: 'StudyVisitCancelled', data: { visitId: 'madrid', reason: 'postponed' } })).toBe('visit-madrid');
    expect(streamOfEvent({ type: 'AgreementTerminated', data: { agreementId: 'enm-1998', terminatedOn: '2016', reason: 'replaced' } })).toBe('agreement-enm-1998');
    expect(streamOfEvent({
      type: 'RecordCorrected',
      data: { correctedEventId: '00000000-0000-7000-8000-000000000001', correctedEventType: 'SessionHeld', changes: {}, previous: {}, reason: 'x' },
    })).toBeUndefined();
  });
});
