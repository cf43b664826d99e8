import { InMemoryEventStore } from '@taawun/domain';
import { describe, expect, it } from 'vitest';
import { participantRecordView, participantRecordProjection } from '../read-models/participant-record.js';
import { partnerHistoryProjection, partnerHistoryView } from '../read-models/partner-history.js';
import { isProjectionError } from './errors.js';
import { replayThroughLens, resolveLens } from './temporal.js';
import { partner, record } from './test-support.js';

describe('resolveLens', () => {
  it('reads a day, a month or a year as its last day, and a day as the end of that day (UTC) for recording times', () => {
    expect(resolveLens({ asOf: '2018' })).toEqual({ asOf: '2018-12-31' });
    expect(resolveLens({ asOf: '2016-02' })).toEqual({ asOf: '2016-02-29' });
    expect(resolveLens({ asOf: '2018-06-01' })).toEqual({ asOf: '2018-06-01' });
    expect(resolveLens({ asKnownOn: '2024-03-01' })).toEqual({ asKnownOn: '2024-03-01T23:59:59.999Z' });
    expect(resolveLens({ asKnownOn: '2024-03-01T10:00:00+02:00' })).toEqual({ asKnownOn: '2024-03-01T08:00:00.000Z' });
    for (const lens of [{ asOf: '2018-02-30' }, { asOf: 'XXXX' }, { asOf: '2016/2020' }, { asKnownOn: '2024-02-30' }, { asKnownOn: 'now' }]) {
      let error: unknown;
      try {
        resolveLens(lens);
      } catch (e) {
        error = e;
      }
      expect(isProjectionError(error) && error.code, JSON.stringify(lens)).toBe('invalid-query');
    }
  });
});

describe('the as-of lens', () => {
  it('counts undated events always, and a plan once a dated fact of its record counts (its details come along)', async () => {
    const store = new InMemoryEventStore();
    await record(store, [
      partner('giz'),
      { type: 'PlanStudyVisit', visitId: 'berlin', direction: 'outgoing', title: { en: 'Study visit to Berlin' }, partners: ['giz'], plannedFor: '2019' },
      { type: 'CompleteStudyVisit', visitId: 'berlin', completedOn: '2019-03-05', participantIds: [], participantCount: 3 },
    ]);
    const june = await replayThroughLens(store, partnerHistoryProjection, { asOf: '2019-06-01' });
    expect((await partnerHistoryView(june.model, 'giz'))!.entries.map((e) => [e.what, e.title?.en, e.date.edtf, e.counts?.participants?.known])).toEqual([
      ['Outgoing study visit completed', 'Study visit to Berlin', '2019-03-05', 3],
    ]);
    expect(june.report).toMatchObject({ eventsCounted: 3, notCounted: { yearUnknown: [], mayBeLater: [], later: 0, recordedLater: 0 } });

    const february = await replayThroughLens(store, partnerHistoryProjection, { asOf: '2019-02-01' });
    expect((await partnerHistoryView(february.model, 'giz'))!.entries).toEqual([]); // registered (undated), nothing done yet
    expect(february.report.eventsCounted).toBe(1);
    expect(february.report.notCounted.mayBeLater.map((n) => [n.type, n.date])).toEqual([['StudyVisitPlanned', '2019']]);
    expect(february.report.notCounted.later).toBe(1);

    const longBefore = await replayThroughLens(store, partnerHistoryProjection, { asOf: '1990-01-01' });
    expect((await partnerHistoryView(longBefore.model, 'giz'))!.partner.name).toEqual({ en: 'giz' });
  });

  it('delivers undated events held behind a plan that never comes due, without the plan', async () => {
    const store = new InMemoryEventStore();
    await record(store, [
      partner('giz'),
      { type: 'RegisterParticipant', participantId: 'p1', kind: 'judge' },
      { type: 'ScheduleSession', sessionId: 'future', title: { en: 'Future course' }, kind: 'course', partners: ['giz'], plannedFor: '2031' },
      { type: 'EnrolParticipant', sessionId: 'future', participantId: 'p1' },
    ]);
    const { model, report } = await replayThroughLens(store, participantRecordProjection, { asOf: '2025-01-01' });
    expect(report).toMatchObject({ eventsCounted: 3, notCounted: { later: 1 } });
    expect((await participantRecordView(model, 'p1'))!.sessions).toEqual([]); // enrolled in a session not planned as of then
    const planned = await replayThroughLens(store, participantRecordProjection, {});
    expect((await participantRecordView(planned.model, 'p1'))!.sessions.map((s) => [s.sessionId, s.status])).toEqual([['future', 'planned']]);
  });
});
