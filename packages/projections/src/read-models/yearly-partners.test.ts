import { InMemoryEventStore, type CommandInput } from '@taawun/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { ProjectionRunner, replay } from '../engine/runner.js';
import { partner, record } from '../engine/test-support.js';
import { presentAnswer } from '../presentation/answers.js';
import { allRows } from '../tables/read-model-tables.js';
import { yearlyActivityReportTables } from '../tables/yearly-report.js';
import { queryService } from './built-in.js';
import { DEFAULT_PARTNERS, TOTAL_GAPS, yearlyActivityReportProjection, yearlyActivityReportView, type YearlyActivityReport } from './yearly-report.js';

/*
 * A year with 13 partners, more than a page holds: partner p00..p12 has
 * floor(i/2)+1 courses held in 2018, and p00 also a study visit. The most
 * active first, ties by id: p12 (7), p10 p11 (6), p08 p09 (5), p06 p07 (4),
 * p04 p05 (3), p00 p02 p03 (2: p00 one course and one visit), p01 (1).
 */
const PARTNERS = Array.from({ length: 13 }, (_, i) => `p${String(i).padStart(2, '0')}`);
const MOST_ACTIVE_FIRST = ['p12', 'p10', 'p11', 'p08', 'p09', 'p06', 'p07', 'p04', 'p05', 'p00', 'p02', 'p03', 'p01'];

const UNCOUNTED = 30;

const store = new InMemoryEventStore();
let storage: InMemoryReadModelStorage;

beforeAll(async () => {
  const commands: CommandInput[] = PARTNERS.map((id) => partner(id, id.toUpperCase()));
  PARTNERS.forEach((partnerId, i) => {
    for (let n = 0; n < Math.floor(i / 2) + 1; n++) {
      const sessionId = `course-${partnerId}-${n}`;
      const on = `2018-0${1 + n}-1${i % 10}`;
      commands.push(
        { type: 'ScheduleSession', sessionId, title: { en: `Course ${n} with ${partnerId}` }, kind: 'course', partners: [partnerId], plannedFor: on },
        { type: 'RecordSessionHeld', sessionId, heldOn: on, attendance: { count: 10, basis: 'total' } },
      );
    }
  });
  commands.push(
    { type: 'PlanStudyVisit', visitId: 'bonn', direction: 'outgoing', title: { en: 'Study visit to Bonn' }, partners: ['p00'], plannedFor: '2018-09-02' },
    { type: 'CompleteStudyVisit', visitId: 'bonn', completedOn: '2018-09-02', participantIds: [], participantCount: 3 },
  );
  // 2019: 30 seminars held with no attendance figure, each a gap of the people trained.
  for (let n = 0; n < UNCOUNTED; n++) {
    const sessionId = `seminar-2019-${String(n).padStart(2, '0')}`;
    commands.push(
      { type: 'ScheduleSession', sessionId, title: { en: `Seminar ${n}` }, kind: 'course', partners: ['p01'], plannedFor: '2019-03-03' },
      { type: 'RecordSessionHeld', sessionId, heldOn: '2019-03-03' },
    );
  }
  await record(store, commands);
  storage = new InMemoryReadModelStorage();
  await new ProjectionRunner(yearlyActivityReportProjection, { store, storage }).rebuild();
});

const ask = async (params: Record<string, unknown>) => {
  const answer = await queryService({ store, storage }).query('yearly-activity-report', params);
  if (!answer.ok) throw new Error(answer.error.message);
  return (answer.value.result as YearlyActivityReport).periods.find((p) => p.period.key === '2018')!;
};
const whole = async () => (await yearlyActivityReportView(await replay(store, yearlyActivityReportProjection))).periods.find((p) => p.period.key === '2018')!;

describe('the partners a page of the yearly report holds', () => {
  it(`holds the ${DEFAULT_PARTNERS} most active partners of a year, says it has ${PARTNERS.length}, and names the query for the rest`, async () => {
    const year = await ask({});
    expect(year.byPartner.map((b) => b.partnerId)).toEqual(MOST_ACTIVE_FIRST.slice(0, DEFAULT_PARTNERS));
    expect(year.partnerCount).toBe(PARTNERS.length);
    expect(year.restOfPartners).toEqual({ readModel: 'yearly-activity-report', params: { period: '2018', partners: String(DEFAULT_PARTNERS), partnersFrom: String(DEFAULT_PARTNERS) } });
    // Each partner's figures and the period's totals stay whole.
    const all = await whole();
    for (const shown of year.byPartner) expect(shown).toEqual(all.byPartner.find((b) => b.partnerId === shown.partnerId));
    expect(year.totals).toEqual(all.totals);
    expect(year.totals.sessionsHeld.known).toBe(PARTNERS.reduce((n, _, i) => n + Math.floor(i / 2) + 1, 0));
  });

  it('gives the rest where restOfPartners says, to the last partner', async () => {
    const first = await ask({ partners: 4 });
    const seen = first.byPartner.map((b) => b.partnerId);
    for (let rest = first.restOfPartners; rest !== null; ) {
      const next = await ask(rest.params);
      seen.push(...next.byPartner.map((b) => b.partnerId));
      rest = next.restOfPartners;
    }
    expect(seen).toEqual(MOST_ACTIVE_FIRST);
    expect((await ask({ partners: 13 })).restOfPartners).toBeNull();
  });

  it('takes `partners` and `partnersFrom` as the HTTP query gives them (text), none at all with 0 (the rest: a page of the default size), and refuses more than 1000', async () => {
    expect((await ask({ partners: '2', partnersFrom: '11' })).byPartner.map((b) => b.partnerId)).toEqual(['p03', 'p01']);
    const none = await ask({ partners: '0' });
    expect(none.byPartner).toEqual([]);
    expect(none.partnerCount).toBe(PARTNERS.length);
    expect(none.restOfPartners?.params).toEqual({ period: '2018', partners: String(DEFAULT_PARTNERS), partnersFrom: '0' });
    expect((await queryService({ store, storage }).query('yearly-activity-report', { partners: 1001 })).ok).toBe(false);
  });

  it('exports every partner of every period to the tables, however many a page holds', async () => {
    const rows = await allRows(yearlyActivityReportTables, await replay(store, yearlyActivityReportProjection));
    const partners = rows['rm_yearly_activity']!.filter((r) => r['period'] === '2018' && r['breakdown'] === 'partner');
    expect(partners.map((r) => r['partner_id'])).toEqual(MOST_ACTIVE_FIRST);
  });
});

describe('the gaps the report\'s totals name', () => {
  it(`name the first ${TOTAL_GAPS} gaps of a count over every period, say how many it has, and stay a lower bound; each period names its own`, async () => {
    const answer = await queryService({ store, storage }).query('yearly-activity-report', {});
    if (!answer.ok) throw new Error(answer.error.message);
    const report = answer.value.result as YearlyActivityReport;
    const whole = await yearlyActivityReportView(await replay(store, yearlyActivityReportProjection));
    expect(report.totals.peopleTrained.known).toBe(whole.totals.peopleTrained.known);
    expect(report.totals.peopleTrained.exact).toBe(false);
    expect(report.totals.peopleTrained.gaps).toEqual(whole.totals.peopleTrained.gaps.slice(0, TOTAL_GAPS));
    expect(report.totals.peopleTrained.gapCount).toBe(UNCOUNTED);
    expect(report.totals.sessionsHeld).toEqual(whole.totals.sessionsHeld);
    const year = report.periods.find((p) => p.period.key === '2019')!;
    expect(year.totals.peopleTrained.gaps).toHaveLength(UNCOUNTED);
    const table = presentAnswer(answer.value, {}, { lang: 'en' });
    expect(table.notes).toContainEqual(expect.stringContaining(`${TOTAL_GAPS} of their ${UNCOUNTED} gaps`));
    for (const lang of ['fr', 'ar'] as const) expect(presentAnswer(answer.value, {}, { lang }).notes.join('\n')).toContain(String(UNCOUNTED));
  });

  it('are exported whole to the tables', async () => {
    const rows = await allRows(yearlyActivityReportTables, await replay(store, yearlyActivityReportProjection));
    const gaps = rows['rm_yearly_gaps']!.filter((r) => r['period'] === '2019' && r['figure'] === 'people_trained');
    expect(gaps).toHaveLength(UNCOUNTED);
  });
});
