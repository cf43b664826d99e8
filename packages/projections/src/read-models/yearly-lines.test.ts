import { InMemoryEventStore, type CommandInput } from '@taawun/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { ProjectionRunner, replay } from '../engine/runner.js';
import { partner, record } from '../engine/test-support.js';
import { presentAnswer } from '../presentation/answers.js';
import { allRows } from '../tables/read-model-tables.js';
import { yearlyActivityReportTables } from '../tables/yearly-report.js';
import { CountingStorage } from '../testing/counting-storage.js';
import { queryService } from './built-in.js';
import { DEFAULT_LINES, yearlyActivityReportProjection, yearlyActivityReportView, type YearlyActivityReport } from './yearly-report.js';

/*
 * A busy year: 130 courses held in 2018 with the GIZ (more than a page holds),
 * 3 study visits, and a quiet 2019. A page of the report holds at most
 * `lines` lines of each list of each period, the first in the report's order,
 * says how many each list has, and names the query for the rest; the tables
 * export keeps every line.
 */

const COURSES = 130;
const day = (i: number) => `2018-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;

const store = new InMemoryEventStore();
let storage: InMemoryReadModelStorage;

beforeAll(async () => {
  const commands: CommandInput[] = [partner('giz', 'GIZ')];
  for (let i = 0; i < COURSES; i++) {
    const sessionId = `course-${String(i).padStart(3, '0')}`;
    commands.push(
      { type: 'ScheduleSession', sessionId, title: { en: `Course ${i}` }, kind: 'course', partners: ['giz'], plannedFor: day(i) },
      { type: 'RecordSessionHeld', sessionId, heldOn: day(i), attendance: { count: 20, basis: 'total' } },
    );
  }
  for (const [visitId, on] of [['bonn', '2018-03-02'], ['berlin', '2018-06-10'], ['hamburg', '2019-04-01']] as const) {
    commands.push(
      { type: 'PlanStudyVisit', visitId, direction: 'outgoing', title: { en: `Study visit to ${visitId}` }, partners: ['giz'], plannedFor: on },
      { type: 'CompleteStudyVisit', visitId, completedOn: on, participantIds: [], participantCount: 3 },
    );
  }
  commands.push({ type: 'ScheduleSession', sessionId: 'seminar-2019', title: { en: 'Seminar 2019' }, kind: 'course', partners: ['giz'], plannedFor: '2019-05-05' });
  commands.push({ type: 'RecordSessionHeld', sessionId: 'seminar-2019', heldOn: '2019-05-05', attendance: { count: 12, basis: 'total' } });
  await record(store, commands);
  storage = new InMemoryReadModelStorage();
  await new ProjectionRunner(yearlyActivityReportProjection, { store, storage }).rebuild();
});

const ask = async (params: Record<string, unknown>, reads = storage) => {
  const answer = await queryService({ store, storage: reads }).query('yearly-activity-report', params);
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value;
};
const periodOf = (report: unknown, key: string) => (report as YearlyActivityReport).periods.find((p) => p.period.key === key)!;

describe('the lines a page of the yearly report holds', () => {
  it(`holds the first ${DEFAULT_LINES} sessions of a busy year in report order, and says it has ${COURSES}`, async () => {
    const whole = periodOf(await yearlyActivityReportView(await replay(store, yearlyActivityReportProjection)), '2018');
    expect(whole.sessions).toHaveLength(COURSES);
    const year = periodOf((await ask({})).result, '2018');
    expect(year.sessions.map((s) => s.sessionId)).toEqual(whole.sessions.slice(0, DEFAULT_LINES).map((s) => s.sessionId));
    expect(year.studyVisits.map((v) => v.visitId)).toEqual(['bonn', 'berlin']);
    expect(year.lineCounts).toEqual({ sessions: COURSES, studyVisits: 2, prepared: 0, plannedForPublication: 0, published: 0 });
    expect(year.restOfLines).toEqual({ readModel: 'yearly-activity-report', params: { period: '2018', lines: String(DEFAULT_LINES), linesFrom: String(DEFAULT_LINES) } });
    // The figures stay whole: only the lines are bounded.
    expect(year.totals.sessionsHeld.known).toBe(COURSES);
    const quiet = periodOf((await ask({})).result, '2019');
    expect(quiet.lineCounts.sessions).toBe(1);
    expect(quiet.restOfLines).toBeNull();
  });

  it('gives the rest of a period where restOfLines says, and reads only the lines it returns', async () => {
    const counting = new CountingStorage(storage);
    const first = periodOf((await ask({ period: '2018', lines: 50 }, counting.storage)).result, '2018');
    expect(counting.indexEntriesRead).toBeLessThanOrEqual(50 + 2);
    const seen = [...first.sessions];
    for (let rest = first.restOfLines; rest !== null; ) {
      const next = periodOf((await ask(rest.params)).result, '2018');
      seen.push(...next.sessions);
      rest = next.restOfLines;
    }
    const whole = periodOf(await yearlyActivityReportView(await replay(store, yearlyActivityReportProjection)), '2018');
    expect(seen.map((s) => s.sessionId)).toEqual(whole.sessions.map((s) => s.sessionId));
  });

  it('takes `lines` and `linesFrom` as the HTTP query gives them (text), and refuses more than 1000 lines', async () => {
    const year = periodOf((await ask({ period: '2018', lines: '10', linesFrom: '125' })).result, '2018');
    expect(year.sessions.map((s) => s.title.en)).toEqual(['Course 125', 'Course 126', 'Course 127', 'Course 128', 'Course 129']);
    expect(year.restOfLines).toBeNull();
    const tooMany = await queryService({ store, storage }).query('yearly-activity-report', { lines: 1001 });
    expect(tooMany.ok).toBe(false);
  });

  it('says in the presentation when a list is cut, with how many it has and where the rest is', async () => {
    const answer = await ask({ period: '2018' });
    const table = presentAnswer(answer, { period: '2018' }, { lang: 'en' });
    expect(table.rows).toHaveLength(DEFAULT_LINES + 2);
    expect(table.notes).toContainEqual(expect.stringContaining(`${DEFAULT_LINES} of ${COURSES} sessions`));
    expect(table.notes.join('\n')).toContain(`linesFrom=${DEFAULT_LINES}`);
    const whole = presentAnswer(await ask({ period: '2018', lines: 1000 }), { period: '2018', lines: 1000 }, { lang: 'en' });
    expect(whole.rows).toHaveLength(COURSES + 2);
    expect(whole.notes.join('\n')).not.toContain(' of 130 sessions');
  });

  it('bounds the lines the same way under a time lens (a replay): as of the end of March 2018, the first lines held by then', async () => {
    const answer = await queryService({ store, storage }).query('yearly-activity-report', { period: '2018', lines: 10 }, { lens: { asOf: '2018-03-31' } });
    if (!answer.ok) throw new Error(answer.error.message);
    expect(answer.value.source.kind).not.toBe('stored');
    const year = periodOf(answer.value.result, '2018');
    // 28 courses a month: January to March.
    expect(year.lineCounts.sessions).toBe(3 * 28);
    expect(year.sessions.map((s) => s.title.en)).toEqual(Array.from({ length: 10 }, (_, i) => `Course ${i}`));
    expect(year.restOfLines?.params).toEqual({ period: '2018', lines: '10', linesFrom: '10' });
  });

  it('exports every line of every period to the tables, however many a page holds', async () => {
    const rows = await allRows(yearlyActivityReportTables, await replay(store, yearlyActivityReportProjection));
    const lines = rows['rm_activities']!;
    expect(lines.filter((l) => l['period'] === '2018' && l['line'] === 'session')).toHaveLength(COURSES);
    expect(lines.filter((l) => l['period'] === '2018' && l['line'] === 'study-visit')).toHaveLength(2);
  });
});
