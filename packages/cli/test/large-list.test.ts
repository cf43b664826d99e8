import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, type EventToAppend } from '@taawun/domain';
import { answerPages, InMemoryReadModelStorage, ProjectionRunner, queryService } from '@taawun/projections';
import { CountingStorage } from '@taawun/projections/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePaged } from '../src/output/paged.js';
import { pagedWriting, WatchingSink } from './paged-sink.js';

/*
 * Given a log of 200,001 events (20,000 participants, 2,000 sessions of GIZ
 * with 89 enrolments each), the whole participant list, written as the CLI
 * writes it, reads a page of documents (and the sessions it names) between
 * two writes, never the list: memory is bounded by the page, not the log.
 */

const PARTICIPANTS = 20_000;
const SESSIONS = 2_000;
const ENROLMENTS_PER_SESSION = 89;
const PAGE_ROWS = 100;

const participantId = (n: number) => `judge-${String(n).padStart(5, '0')}`;
const metadata = { actor: 'registrar', correlationId: 'large-list', causationId: 'large-list' };
const event = (type: string, data: unknown): EventToAppend => ({ id: randomUUID(), type, schemaVersion: 1, data, metadata, recordedAt: '2024-01-02T03:04:05.000Z' });

/** The events, stream by stream: GIZ, the participants, then each session with its enrolments (session s enrols participants 89s … 89s+88, modulo 20,000). */
function* largeLog(): Generator<[string, EventToAppend[]]> {
  yield ['partner-giz', [event('PartnerRegistered', { partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency', country: 'DE' })]];
  for (let p = 0; p < PARTICIPANTS; p++) yield [`participant-${participantId(p)}`, [event('ParticipantRegistered', { participantId: participantId(p), kind: 'judge', cohort: 1 + (p % 40) })]];
  for (let s = 0; s < SESSIONS; s++) {
    const sessionId = `course-${s}`;
    const enrolments = Array.from({ length: ENROLMENTS_PER_SESSION }, (_, k) => event('ParticipantEnrolled', { sessionId, participantId: participantId((s * ENROLMENTS_PER_SESSION + k) % PARTICIPANTS), role: 'trainee' }));
    yield [`session-${sessionId}`, [event('SessionScheduled', { sessionId, title: { en: `Course ${s}` }, kind: 'course', partners: ['giz'], plannedFor: `${2005 + (s % 20)}` }), ...enrolments]];
  }
}

let counting: CountingStorage;
let serviceOverCounter: ReturnType<typeof queryService>;
let eventsInLog = 0;

beforeAll(async () => {
  const store = new InMemoryEventStore();
  for (const [stream, events] of largeLog()) {
    await store.append(stream, events, { expectedRevision: 'no-stream' });
    eventsInLog += events.length;
  }
  const storage = new InMemoryReadModelStorage();
  const service = queryService({ store, storage });
  const listed = service.projections().filter((projection) => projection.name === 'participant-record');
  expect(listed).toHaveLength(1);
  for (const projection of listed) await new ProjectionRunner(projection, { store, storage }).rebuild();
  counting = new CountingStorage(storage);
  serviceOverCounter = queryService({ store, storage: counting.storage });
}, 300_000);

describe('the whole participant list of a 200,000-event log, written a page at a time', () => {
  // The table, the CLI's default (CSV's two passes over the pages are checked on a smaller log in whole-list.test.ts).
  it(`between two writes at most a page of participants and the sessions they name is read, of ${PARTICIPANTS.toLocaleString('en')} participants`, async () => {
    expect(eventsInLog).toBeGreaterThanOrEqual(200_000);
    counting.documentsRead = 0;
    const sink = new WatchingSink(counting);
    const paged = await answerPages(serviceOverCounter, 'participants', {}, { pageRows: PAGE_ROWS });
    if (!paged.ok) throw new Error(paged.error.message);
    await writePaged(paged.value, pagedWriting('table', 'participants', [], sink), sink);

    // A page names its 100 participants and about twenty sessions (consecutive participants share them): far below the list.
    expect(Math.max(...sink.readsBetween)).toBeLessThanOrEqual(PAGE_ROWS * 2);
    expect(sink.readsBetween.filter((n) => n > 0).length).toBeGreaterThanOrEqual(PARTICIPANTS / PAGE_ROWS);
    expect(counting.documentsRead).toBeGreaterThanOrEqual(PARTICIPANTS);
    // Every participant is written once.
    const rows = sink.text.split('\n').filter((line) => line.startsWith('judge-'));
    expect(rows).toHaveLength(PARTICIPANTS);
    expect(new Set(rows.map((line) => line.split(' ')[0])).size).toBe(PARTICIPANTS);
  }, 300_000);
});
