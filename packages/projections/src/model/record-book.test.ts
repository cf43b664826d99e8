import { InMemoryEventStore, decodeEvent, handle, type RecordedEvent } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordKeyOf, recordOfStream, sectionPrefixes } from './record-book.js';

/*
 * Where the record book files each event, derived from the domain's list of
 * aggregates: a record's key is its stream's name, the stream the event's own
 * data names, and a correction is filed with the record it is appended to.
 */

describe('record keys from the aggregates', () => {
  let events: RecordedEvent[];
  beforeAll(async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const held = (await store.readStream('session-giz-attaches-2018-11')).find((e) => e.type === 'SessionHeld')!;
    const corrected = await handle(
      store,
      { type: 'CorrectRecord', stream: held.stream, eventId: held.id, changes: { attendance: { count: 40, basis: 'total' } }, reason: 'attendance sheet found (hypothetical)' },
      deterministicContext('archivist'),
    );
    expect(corrected.ok).toBe(true);
    const stored = [];
    for await (const e of store.readAll()) stored.push(e);
    events = stored.map((e) => {
      const decoded = decodeEvent(e);
      if (!decoded.ok) throw new Error(decoded.error.message);
      return decoded.value;
    });
  });

  it("files every event of the institute's record, a correction included, under the stream it is in", () => {
    expect(new Set(events.map((e) => e.type))).toContain('RecordCorrected');
    expect(new Set(events.map((e) => e.stream.split('-')[0]))).toEqual(new Set(['institute', 'partner', 'agreement', 'programme', 'session', 'participant', 'visit', 'publication']));
    expect(events.filter((e) => recordKeyOf(e) !== e.stream)).toEqual([]);
  });

  it('files an event by its data, whatever stream it was read from; a correction in a stream no aggregate names belongs to no record', () => {
    const held = events.find((e) => e.type === 'SessionHeld')!;
    expect(recordKeyOf({ ...held, stream: 'elsewhere-1' })).toBe(held.stream);
    const correction = events.find((e) => e.type === 'RecordCorrected')!;
    expect(recordKeyOf({ ...correction, stream: 'elsewhere-1' })).toBeUndefined();
  });

  it("names sections as the read models do, with each aggregate's stream prefix", () => {
    expect(sectionPrefixes).toEqual({
      institutes: 'institute-',
      partners: 'partner-',
      agreements: 'agreement-',
      programmes: 'programme-',
      sessions: 'session-',
      participants: 'participant-',
      visits: 'visit-',
      publications: 'publication-',
    });
    expect(recordOfStream('visit-madrid-study-visit')).toEqual({ section: 'visits', id: 'madrid-study-visit' });
    expect(recordOfStream('session-giz-tot-2018')).toEqual({ section: 'sessions', id: 'giz-tot-2018' });
    for (const stream of ['partner-', 'elsewhere-1', 'partners-giz', '#counters']) expect(recordOfStream(stream), stream).toBeUndefined();
  });
});
