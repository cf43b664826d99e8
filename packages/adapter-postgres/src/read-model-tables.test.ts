import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ProjectionRunner, agreementsRegisterProjection, allRows, partnerHistoryProjection, partnerHistoryTables, projections, readModelTables, replay, type AnyProjection } from '@taawun/projections';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresReadModelStorage } from './read-model-storage.js';
import { TEST_DATABASE_URL, adminClient, reportSql, schemaPool } from './test-support/database.js';
import { institute } from '@taawun/example-institute-record';
import { copyInto, enmCourse, instituteLog, record } from './test-support/institute.js';
import { expectedTable, tableAsJson } from './test-support/tables.js';

const schemas = schemaPool('rm_tables');
const admin = await adminClient();
afterAll(() => Promise.all([admin.end(), schemas.dropAll()]));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store holding the institute's record, its read-model storage, and every built-in read model built. */
async function instituteDatabase(options: { build?: readonly AnyProjection[] } = {}) {
  const store = await schemas.open();
  await copyInto(store, await instituteLog());
  const storage = await openPostgresReadModelStorage(store);
  for (const projection of options.build ?? Object.values(projections)) await new ProjectionRunner(projection, { store, storage }).rebuild();
  /** Run SQL as a report tool would: a plain client, the store's schema on the search path. */
  const sql = reportSql(store.schema);
  return { store, storage, sql };
}

describe("the institute's record as SQL tables", () => {
  let db: Awaited<ReturnType<typeof instituteDatabase>>;
  beforeAll(async () => {
    db = await instituteDatabase();
  }, 60_000);

  it('the ENM history, in order from 1998 to 2021 and the undated programmes, each entry under the institute\'s name of its time', async () => {
    const rows = await db.sql(
      `SELECT entry_order, date_edtf, date_label, date_earliest::text AS earliest, date_latest::text AS latest, known_year, what, source_refs,
              order_certain, institute_name_certainty, institute_name_ar
       FROM rm_partner_history WHERE partner_id = 'enm-france' ORDER BY entry_order`,
    );
    expect(rows.map((r) => [r['entry_order'], r['date_edtf'], r['what'], (r['source_refs'] as string[]).join()])).toEqual([
      [1, '1998-11-16', 'Agreement signed', 'F12'],
      [2, '2016-02-19', 'Protocol signed', 'F14'],
      [3, '2016', 'Course held', 'F16'],
      [4, '2016/2020', 'Hosted study visit completed', 'F18'],
      [5, '2016/2020', 'Specialised session held', 'F18'],
      [6, '2021', 'Course held', 'F17'],
      [7, 'XXXX', 'Annual programme started', 'F15'],
      [8, 'XXXX', 'Annual programme started', 'F16'],
    ]);
    expect(rows[0]).toMatchObject({ earliest: '1998-11-16', latest: '1998-11-16', known_year: 1998, institute_name_certainty: 'stated', institute_name_ar: 'المعهد الوطني للدراسات القضائية' });
    expect(rows[6]).toMatchObject({ date_label: 'date unknown', earliest: null, latest: null, known_year: null });
    expect(rows[1]).toMatchObject({ institute_name_certainty: 'stated', institute_name_ar: 'المعهد العالي للقضاء' });
    expect(rows[2]).toMatchObject({ institute_name_certainty: 'uncertain', institute_name_ar: null });
    expect(rows[3]).toMatchObject({ earliest: '2016-01-01', latest: '2020-12-31', known_year: null });
    expect(rows.every((r) => r['order_certain'] === false)).toBe(true);

    // A report tool's question: what did the ENM do with us each year we know of?
    const perYear = await db.sql(
      `SELECT known_year, count(*)::int AS entries, sum(people_trained)::int AS trained
       FROM rm_partner_history WHERE partner_id = 'enm-france' AND known_year IS NOT NULL GROUP BY known_year ORDER BY known_year`,
    );
    expect(perYear).toEqual([
      { known_year: 1998, entries: 1, trained: null },
      { known_year: 2016, entries: 2, trained: 2 },
      { known_year: 2021, entries: 1, trained: 2 },
    ]);
    const partner = await db.sql(`SELECT partner_id, acronym, country, name_fr, entries FROM rm_partners WHERE partner_id = 'enm-france'`);
    expect(partner).toEqual([{ partner_id: 'enm-france', acronym: 'ENM', country: 'FR', name_fr: 'École nationale de la magistrature', entries: 8 }]);
  });

  it('people trained in 2018: 120 known, a lower bound, and the sessions that give no figure', async () => {
    const [total] = await db.sql(
      `SELECT sessions_held, sessions_held_exact, people_trained, people_trained_exact FROM rm_yearly_activity WHERE period = '2018' AND breakdown = 'total'`,
    );
    expect(total).toEqual({ sessions_held: 9, sessions_held_exact: false, people_trained: 120, people_trained_exact: false });
    const gaps = await db.sql(`SELECT record_id, reason FROM rm_yearly_gaps WHERE period = '2018' AND figure = 'people_trained' ORDER BY gap_order`);
    expect(gaps).toEqual([
      { record_id: 'giz-attaches-2018-11', reason: 'no-attendance-figure' },
      { record_id: 'giz-tot-2018', reason: 'no-attendance-figure' },
    ]);
    const sessions = await db.sql(`SELECT record_id, sessions_held, people_trained, attendance, attendance_basis FROM rm_activities WHERE period = '2018' AND line = 'session' ORDER BY line_order`);
    expect(sessions).toEqual([
      { record_id: 'giz-attaches-2018-11', sessions_held: 1, people_trained: 0, attendance: null, attendance_basis: null },
      // F3's stated order: the training of trainers, then the regional sessions that followed it.
      { record_id: 'giz-tot-2018', sessions_held: 2, people_trained: 0, attendance: null, attendance_basis: null },
      { record_id: 'giz-regional-2018', sessions_held: 6, people_trained: 120, attendance: 20, attendance_basis: 'each-occurrence' },
    ]);
    // The same figure from the lines, and by partner.
    expect(await db.sql(`SELECT sum(people_trained)::int AS n FROM rm_activities WHERE period = '2018' AND line = 'session'`)).toEqual([{ n: 120 }]);
    expect(await db.sql(`SELECT partner_acronym, people_trained FROM rm_yearly_activity WHERE period = '2018' AND breakdown = 'partner'`)).toEqual([
      { partner_acronym: 'GIZ', people_trained: 120 },
    ]);
    const periods = await db.sql<{ period: string }>(`SELECT period FROM rm_yearly_activity WHERE breakdown = 'total' ORDER BY period_order`);
    expect(periods.map((p) => p.period)).toEqual(['2016', 'by-2017', '2017', 'by-2018', '2018', '2016-2020', '2021', 'by-2022', '2022', 'year-unknown']);
    expect(
      await db.sql(`SELECT sum(publications_prepared)::int AS prepared, sum(publications_planned)::int AS planned, sum(publications_published)::int AS published FROM rm_yearly_activity WHERE breakdown = 'total'`),
    ).toEqual([{ prepared: 3, planned: 1, published: 0 }]);
  });

  it('agreements with their parties, signatories and areas', async () => {
    const agreements = await db.sql(
      `SELECT a.agreement_id, a.kind, a.signed_edtf, a.status, string_agg(p.party, ' + ' ORDER BY p.party_order) AS parties
       FROM rm_agreements a JOIN rm_agreement_parties p USING (agreement_id)
       GROUP BY a.agreement_id, a.kind, a.signed_edtf, a.status, a.register_order ORDER BY a.register_order`,
    );
    expect(agreements).toEqual([
      { agreement_id: 'enm-1998', kind: 'agreement', signed_edtf: '1998-11-16', status: 'signed', parties: 'institute + enm-france' },
      { agreement_id: 'eng-dijon-2006', kind: 'agreement', signed_edtf: '2006-12-07', status: 'signed', parties: 'institute + eng-dijon' },
      { agreement_id: 'enm-2016-protocol', kind: 'protocol', signed_edtf: '2016-02-19', status: 'signed', parties: 'institute + enm-france' },
      { agreement_id: 'ssm-italy-2022', kind: 'agreement', signed_edtf: '2022-12-15', status: 'signed', parties: 'institute + ssm-italy' },
    ]);
    const institute = await db.sql(`SELECT agreement_id, name_certainty, name_ar FROM rm_agreement_parties WHERE party = 'institute' ORDER BY agreement_id`);
    expect(institute).toEqual([
      { agreement_id: 'eng-dijon-2006', name_certainty: 'uncertain', name_ar: null },
      { agreement_id: 'enm-1998', name_certainty: 'stated', name_ar: 'المعهد الوطني للدراسات القضائية' },
      { agreement_id: 'enm-2016-protocol', name_certainty: 'stated', name_ar: 'المعهد العالي للقضاء' },
      { agreement_id: 'ssm-italy-2022', name_certainty: 'stated', name_ar: 'المعهد العالي للقضاء' },
    ]);
    expect(await db.sql(`SELECT party, country, kind FROM rm_agreement_parties WHERE agreement_id = 'ssm-italy-2022' AND party <> 'institute'`)).toEqual([
      { party: 'ssm-italy', country: 'IT', kind: 'school' },
    ]);
    expect(await db.sql(`SELECT party, role_en, name_en FROM rm_agreement_signatories WHERE agreement_id = 'ssm-italy-2022' ORDER BY signatory_order`)).toEqual([
      { party: 'institute', role_en: 'Director-General of the institute', name_en: null },
      { party: 'ssm-italy', role_en: 'President of the school', name_en: 'Giorgio Lattanzi' },
    ]);
    expect((await db.sql<{ area_en: string }>(`SELECT area_en FROM rm_agreement_areas WHERE agreement_id = 'ssm-italy-2022' ORDER BY area_order`)).map((r) => r.area_en)).toEqual([
      'Joint training and research programmes',
      'Meetings and exchange of visits',
      'Hosting trainers',
      'Preparing and publishing scientific texts and materials',
    ]);
  });

  it('participants and the sessions they attended', async () => {
    const rows = await db.sql(
      `SELECT p.participant_id, p.kind, p.cohort, a.record_id, a.date_edtf, a.format, a.role, a.partners
       FROM rm_participants p JOIN rm_participant_activities a USING (participant_id) ORDER BY p.participant_id, a.activity_order`,
    );
    expect(rows.map((r) => [r['participant_id'], r['kind'], r['cohort'], r['record_id'], r['date_edtf'], r['format'], r['role'], r['partners']])).toEqual([
      ['enm-new-judges-course-2016-judge-1', 'judge', null, 'enm-new-judges-course-2016', '2016', 'not-stated', 'trainee', ['enm-france']],
      ['enm-new-judges-course-2016-judge-2', 'judge', null, 'enm-new-judges-course-2016', '2016', 'not-stated', 'trainee', ['enm-france']],
      ['enm-new-judges-course-2021-judge-1', 'judge', 41, 'enm-new-judges-course-2021', '2021', 'remote', 'trainee', ['enm-france']],
      ['enm-new-judges-course-2021-judge-2', 'judge', 41, 'enm-new-judges-course-2021', '2021', 'remote', 'trainee', ['enm-france']],
      // F11's two trainer-judges: registered by kind, no names; their activity is the Madrid visit.
      ['madrid-trainer-judge-1', 'trainer-judge', null, 'madrid-study-visit', 'XXXX', null, null, ['embassy-spain', 'aecid']],
      ['madrid-trainer-judge-2', 'trainer-judge', null, 'madrid-study-visit', 'XXXX', null, null, ['embassy-spain', 'aecid']],
    ]);
  });

  it('every table holds exactly what the read model derives from a fresh replay of the log, and names the generation it shows', async () => {
    for (const [name, definition] of Object.entries(readModelTables)) {
      const projection = definition.projection;
      const expected = await allRows(definition, await replay(db.store, projection));
      for (const table of definition.tables) {
        const want = expectedTable(expected, table);
        expect(want.length, table.name).toBeGreaterThan(0);
        expect(await tableAsJson(db.sql, table), table.name).toEqual(want);
      }
      const [active] = (await db.storage.generations(name)).filter((g) => g.status === 'active');
      expect(await db.sql(`SELECT generation, version, position::text FROM rm_read_models WHERE read_model = $1`, [name])).toEqual([
        { generation: active!.generation, version: projection.version, position: active!.position!.toString() },
      ]);
    }
  });

  it('the README\'s report queries give the answers its comments say', async () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const block = /<!-- report-queries -->\s*```sql\n([\s\S]*?)```/.exec(readme)![1]!;
    const statements = block.split(/;\s*\n/).map((q) => q.trim()).filter((q) => q.replace(/--.*$/gm, '').trim().length > 0);
    const [history, total, gaps, agreements, cohorts] = await Promise.all(statements.map((q) => db.sql(q)));
    expect(statements).toHaveLength(5);
    expect(history!.map((r) => r['date_edtf'])).toEqual(['1998-11-16', '2016-02-19', '2016', '2016/2020', '2016/2020', '2021', 'XXXX', 'XXXX']);
    expect(total).toEqual([{ people_trained: 120, people_trained_exact: false, sessions_held: 9 }]);
    expect(gaps!.map((r) => r['record_id']).sort()).toEqual(['giz-attaches-2018-11', 'giz-tot-2018']);
    expect(agreements).toHaveLength(8);
    expect(new Set(agreements!.map((r) => r['agreement_id']))).toEqual(new Set(['enm-1998', 'eng-dijon-2006', 'enm-2016-protocol', 'ssm-italy-2022']));
    expect(cohorts!.map((r) => [r['cohort'], Number(r['count'])])).toEqual(expect.arrayContaining([[41, 2], [null, 2]]));
    expect(cohorts).toHaveLength(2);
  });
});

describe('the tables show the active generation, whole', () => {
  it('a catch-up rewrites the tables in the transaction that moves the checkpoint', async () => {
    const db = await instituteDatabase({ build: [partnerHistoryProjection] });
    await record(db.store, enmCourse('enm-course-2023', '2023', 12));
    const runner = new ProjectionRunner(partnerHistoryProjection, { store: db.store, storage: db.storage });
    const caughtUp = await runner.catchUp();
    expect(caughtUp).toMatchObject({ phase: 'catch-up', eventsApplied: 2 });
    // The 2023 course comes after 2021's and before the two undated programmes.
    const last = await db.sql(`SELECT entry_order, date_edtf, what, people_trained FROM rm_partner_history WHERE partner_id = 'enm-france' AND date_edtf = '2023'`);
    expect(last).toEqual([{ entry_order: 7, date_edtf: '2023', what: 'Course held', people_trained: 12 }]);
    expect(await db.sql(`SELECT generation, position::text FROM rm_read_models WHERE read_model = 'partner-history'`)).toEqual([
      { generation: caughtUp.generation, position: String(await db.store.lastPosition()) },
    ]);
  });

  it('a rebuild is written beside the active generation; the tables change only when it is swapped in', async () => {
    const db = await instituteDatabase({ build: [partnerHistoryProjection] });
    const before = await tableAsJson(db.sql, 'rm_partner_history');
    const [old] = await db.storage.generations('partner-history');
    await record(db.store, enmCourse('enm-course-2024', '2024-06', 9));
    const stop = new AbortController();
    const runner = new ProjectionRunner(partnerHistoryProjection, { store: db.store, storage: db.storage, batchSize: 5, onCommit: () => stop.abort() });
    const interrupted = await runner.rebuild({ fromScratch: true, signal: stop.signal });
    expect(interrupted).toMatchObject({ activated: false, complete: false });
    expect((await db.storage.generations('partner-history')).map((g) => [g.generation, g.status])).toEqual([
      [old!.generation, 'active'],
      [interrupted.generation, 'building'],
    ]);
    expect(await tableAsJson(db.sql, 'rm_partner_history')).toEqual(before);
    expect(await db.sql(`SELECT generation FROM rm_read_models WHERE read_model = 'partner-history'`)).toEqual([{ generation: old!.generation }]);

    const finished = await new ProjectionRunner(partnerHistoryProjection, { store: db.store, storage: db.storage }).rebuild();
    expect(finished).toMatchObject({ activated: true, generation: interrupted.generation, resumedFrom: interrupted.position });
    expect(await db.sql(`SELECT generation FROM rm_read_models WHERE read_model = 'partner-history'`)).toEqual([{ generation: finished.generation }]);
    expect(await db.sql(`SELECT count(*)::int AS n FROM rm_partner_history`)).toEqual([{ n: before.length + 1 }]);
  });

  it('a reader never sees a half-written model while rebuilds and catch-ups rewrite the tables', async () => {
    const db = await instituteDatabase({ build: [partnerHistoryProjection] });
    const s = pg.escapeIdentifier(db.store.schema);
    const floor = (await db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM rm_partner_history`))[0]!.n;
    const reader = await adminClient();
    let stop = false;
    const snapshots: { generation: number; position: string; rows: number; entries: number; active: { generation: number; position: string }[] }[] = [];
    const reading = (async () => {
      while (!stop) {
        // One snapshot per check, as a report tool running several queries should take.
        await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const [shown] = (await reader.query(`SELECT generation, position::text FROM ${s}.rm_read_models WHERE read_model = 'partner-history'`)).rows;
        const [{ rows, entries }] = (await reader.query(`SELECT (SELECT count(*)::int FROM ${s}.rm_partner_history) AS rows, (SELECT sum(entries)::int FROM ${s}.rm_partners) AS entries`)).rows;
        const active = (await reader.query(`SELECT generation, position::text FROM ${s}.read_model_generations WHERE name = 'partner-history' AND status = 'active'`)).rows;
        await reader.query('COMMIT');
        snapshots.push({ generation: shown.generation, position: shown.position, rows, entries, active });
      }
    })();
    const runner = new ProjectionRunner(partnerHistoryProjection, { store: db.store, storage: db.storage, batchSize: 10 });
    for (let round = 0; round < 4; round++) {
      await record(db.store, enmCourse(`enm-course-round-${round}`, `${2010 + round}`, round + 1));
      await runner.catchUp();
      await runner.rebuild({ fromScratch: true });
    }
    stop = true;
    await reading;
    await reader.end();
    expect(snapshots.length).toBeGreaterThan(10);
    for (const snapshot of snapshots) {
      // The tables name the active generation and its checkpoint, and hold a whole model of it.
      expect(snapshot.active).toEqual([{ generation: snapshot.generation, position: snapshot.position }]);
      expect(snapshot.rows).toBe(snapshot.entries);
      expect(snapshot.rows).toBeGreaterThanOrEqual(floor);
    }
    const generations = new Set(snapshots.map((x) => x.generation));
    expect(generations.size).toBeGreaterThan(1);
    expect(await db.sql(`SELECT count(*)::int AS n FROM rm_partner_history WHERE partner_id = 'enm-france'`)).toEqual([{ n: 12 }]);
  }, 60_000);

  it('dropping the active generation empties its tables; a version the tables do not know leaves them empty, not wrong', async () => {
    const db = await instituteDatabase({ build: [partnerHistoryProjection, agreementsRegisterProjection] });
    const [active] = await db.storage.generations('partner-history');
    await db.storage.drop('partner-history', active!.generation);
    expect(await db.sql(`SELECT (SELECT count(*)::int FROM rm_partner_history) AS history, (SELECT count(*)::int FROM rm_partners) AS partners`)).toEqual([{ history: 0, partners: 0 }]);
    expect(await db.sql(`SELECT read_model FROM rm_read_models`)).toEqual([{ read_model: 'agreements-register' }]);
    expect(await db.sql(`SELECT count(*)::int AS n FROM rm_agreements`)).toEqual([{ n: 4 }]);

    const future = await db.storage.create('agreements-register', 99); // a shape this code does not know
    await db.storage.activate('agreements-register', future.generation);
    expect(await db.sql(`SELECT (SELECT count(*)::int FROM rm_agreements) AS agreements, (SELECT count(*)::int FROM rm_read_models) AS models`)).toEqual([{ agreements: 0, models: 0 }]);
  });

  it('with tables: false, only the engine\'s tables are written; with a list, only those read models get tables; tables laid out later are filled at once', async () => {
    const store = await schemas.open();
    await copyInto(store, await instituteLog());
    const s = pg.escapeIdentifier(store.schema);
    const laidOut = async () =>
      (await admin.query(`SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'rm\\_%' AND tablename NOT IN ('rm_read_models', 'rm_layouts') ORDER BY tablename`, [store.schema])).rows.map(
        (r) => r.tablename,
      );
    const none = await openPostgresReadModelStorage(store, { tables: false });
    await new ProjectionRunner(partnerHistoryProjection, { store, storage: none }).rebuild();
    expect(await laidOut()).toEqual([]);
    const some = await openPostgresReadModelStorage(store, { tables: ['agreements-register'] });
    await new ProjectionRunner(partnerHistoryProjection, { store, storage: some }).rebuild({ fromScratch: true });
    await new ProjectionRunner(agreementsRegisterProjection, { store, storage: some }).rebuild();
    expect(await laidOut()).toEqual(['rm_agreement_areas', 'rm_agreement_parties', 'rm_agreement_signatories', 'rm_agreements']);
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${s}.rm_agreements`)).rows).toEqual([{ n: 4 }]);
    // The partner history was built without tables: opening with them lays them out and fills them from the active generation.
    await openPostgresReadModelStorage(store, { tables: ['partner-history'] });
    const expected = await allRows(partnerHistoryTables, await replay(store, partnerHistoryProjection));
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${s}.rm_partner_history`)).rows).toEqual([{ n: expected['rm_partner_history']!.length }]);
    await expect(openPostgresReadModelStorage(store, { tables: ['audit-trail'] })).rejects.toThrow(/audit-trail has no tables; choose among partner-history, agreements-register/);
  });
});

describe('writing only what changed', () => {
  /** Each table, as JSON, equal to what a fresh replay of the log derives. */
  async function expectTablesToMatchReplay(db: Awaited<ReturnType<typeof instituteDatabase>>, step: string): Promise<void> {
    for (const definition of Object.values(readModelTables)) {
      const expected = await allRows(definition, await replay(db.store, definition.projection));
      for (const table of definition.tables) expect(await tableAsJson(db.sql, table), `${step}: ${table.name}`).toEqual(expectedTable(expected, table));
    }
  }

  it('keeps every table equal to a fresh replay through changes that reorder, rename and correct', async () => {
    const db = await instituteDatabase();
    const runners = Object.values(projections).map((p) => new ProjectionRunner(p as AnyProjection, { store: db.store, storage: db.storage, batchSize: 3 }));
    const agreement1998 = (await db.store.readStream('agreement-enm-1998'))[0]!;
    const steps: [string, Parameters<typeof record>[1]][] = [
      ['a course in the middle of the ENM history, shared with GIZ', [
        { type: 'ScheduleSession', sessionId: 'shared-2010', title: { en: 'Shared course' }, kind: 'course', partners: ['enm-france', 'giz'], plannedFor: '2010' },
        { type: 'RegisterParticipant', participantId: 'judge-new', kind: 'judge', cohort: 30 },
        { type: 'EnrolParticipant', sessionId: 'shared-2010', participantId: 'judge-new', role: 'trainee' },
        { type: 'RecordSessionHeld', sessionId: 'shared-2010', heldOn: '2010-03', attendance: { count: 25, basis: 'total' } },
      ]],
      ['the 1998 agreement re-dated', [{ type: 'CorrectRecord', stream: agreement1998.stream, eventId: agreement1998.id, changes: { signedOn: '1999-01-10' }, reason: 'date on the original' }]],
      ['the ENM renamed from 2012', [{ type: 'RenamePartner', partnerId: 'enm-france', name: { fr: 'ENM (nouveau nom)', en: 'ENM (new name)' }, effectiveOn: '2012' }]],
      ['attendance recorded on a held session (its document changes, no index entry does)', [
        { type: 'RecordAttendance', sessionId: 'enm-new-judges-course-2021', attendance: { count: 30, basis: 'total' } },
      ]],
      ['the institute renamed again (every partner\'s entries may change name)', [
        { type: 'RenameInstitute', instituteId: institute.id, name: { fr: 'Institut (nouveau nom)', en: 'Institute (new name)' }, effectiveOn: '2020' },
      ]],
      ['a second institute registered, first by id (a new document under a prefix the views list)', [
        { type: 'RegisterInstitute', instituteId: 'aaa-institute', name: { en: 'An institute listed first' } },
      ]],
      ['a planned session cancelled', [
        { type: 'ScheduleSession', sessionId: 'planned-2024', title: { en: 'Planned' }, kind: 'workshop', partners: ['giz'], plannedFor: '2024-11' },
        { type: 'CancelSession', sessionId: 'planned-2024', reason: 'postponed' },
      ]],
    ];
    const course2021 = () => db.sql(`SELECT institute_name_en, people_trained FROM rm_partner_history WHERE record_id = 'enm-new-judges-course-2021'`);
    for (const [step, commands] of steps) {
      await record(db.store, commands);
      for (const runner of runners) await runner.catchUp();
      await expectTablesToMatchReplay(db, step);
      if (step.startsWith('the institute renamed')) expect(await course2021()).toEqual([{ institute_name_en: 'Institute (new name)', people_trained: 30 }]);
    }
    expect(await course2021()).toEqual([{ institute_name_en: 'An institute listed first', people_trained: 30 }]);
    expect(await db.sql(`SELECT date_edtf, partner_name_en FROM rm_partner_history WHERE partner_id = 'enm-france' ORDER BY entry_order`)).toEqual([
      { date_edtf: '1999-01-10', partner_name_en: 'National School for the Judiciary (France)' },
      { date_edtf: '2010-03', partner_name_en: 'National School for the Judiciary (France)' },
      { date_edtf: '2016-02-19', partner_name_en: 'ENM (new name)' },
      { date_edtf: '2016', partner_name_en: 'ENM (new name)' },
      { date_edtf: '2016/2020', partner_name_en: 'ENM (new name)' },
      { date_edtf: '2016/2020', partner_name_en: 'ENM (new name)' },
      { date_edtf: '2021', partner_name_en: 'ENM (new name)' },
      // Undated (F15, F16): which name was in force cannot be told (uncertain: no single name).
      { date_edtf: 'XXXX', partner_name_en: null },
      { date_edtf: 'XXXX', partner_name_en: null },
    ]);
  }, 60_000);

  it('never meets text PostgreSQL cannot hold (NUL): the domain refuses it before anything is stored, naming the field', async () => {
    const db = await instituteDatabase({ build: [partnerHistoryProjection] });
    const before = await db.store.lastPosition();
    await expect(record(db.store, [{ type: 'RegisterPartner', partnerId: 'nul-partner', name: { en: 'Before\u0000after', ar: 'قبل\u0000بعد' }, kind: 'school' }])).rejects.toThrow(/name\.en.*NUL/);
    expect(await db.store.lastPosition()).toBe(before);
    expect(await db.sql(`SELECT partner_id FROM rm_partners WHERE partner_id = 'nul-partner'`)).toEqual([]);
  });

  it('leaves the rows that did not change untouched (same row versions), and rewrites what did', async () => {
    const db = await instituteDatabase({ build: [partnerHistoryProjection] });
    const versions = async () =>
      new Map((await db.sql<{ k: string; xmin: string }>(`SELECT partner_id || '/' || entry_order AS k, xmin::text FROM rm_partner_history`)).map((r) => [r.k, r.xmin]));
    const before = await versions();
    await record(db.store, enmCourse('enm-course-2022-extra', '2022', 5));
    await new ProjectionRunner(partnerHistoryProjection, { store: db.store, storage: db.storage }).catchUp();
    const after = await versions();
    expect(after.size).toBe(before.size + 1);
    const rewritten = [...after].filter(([k, xmin]) => before.get(k) !== xmin).map(([k]) => k);
    // The ENM's new last entry is written; nothing of any other partner is.
    expect(rewritten).toContain('enm-france/8');
    expect(rewritten.every((k) => k.startsWith('enm-france/'))).toBe(true);
    expect([...after.keys()].filter((k) => !k.startsWith('enm-france/')).every((k) => after.get(k) === before.get(k))).toBe(true);
  });

  it('writes every row again when another process changed the tables since (what it remembers is stale)', async () => {
    const db = await instituteDatabase({ build: [partnerHistoryProjection] });
    const other = await openPostgresReadModelStorage(db.store); // another runner's storage on the same tables
    await record(db.store, enmCourse('enm-course-by-other', '2019', 3));
    await new ProjectionRunner(partnerHistoryProjection, { store: db.store, storage: other }).catchUp();
    await record(db.store, enmCourse('enm-course-by-first', '2020', 4));
    await new ProjectionRunner(partnerHistoryProjection, { store: db.store, storage: db.storage }).catchUp();
    const expected = await allRows(partnerHistoryTables, await replay(db.store, partnerHistoryProjection));
    for (const table of partnerHistoryTables.tables) expect(await tableAsJson(db.sql, table), table.name).toEqual(expectedTable(expected, table));
  });
});

describe('a runner killed in the middle of a commit', () => {
  beforeAll(() => {
    // The child runs the built packages: build them (a no-op when current).
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const build = spawnSync(process.execPath, [tsc, '-b', fileURLToPath(new URL('..', import.meta.url))], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building adapter-postgres failed:\n${build.stdout}${build.stderr}`);
  }, 120_000);

  it('SIGKILL while the tables are half rewritten leaves the checkpoint, the documents and every table as they were', async () => {
    const db = await instituteDatabase({ build: [partnerHistoryProjection] });
    const s = pg.escapeIdentifier(db.store.schema);
    const app = `taawun-rm-kill-${process.pid}`;
    await record(db.store, enmCourse('enm-course-killed', '2022', 7));
    const snapshot = async () => ({
      generations: (await admin.query(`SELECT name, generation, status, position::text, events_applied::text FROM ${s}.read_model_generations ORDER BY name, generation`)).rows,
      documents: (await admin.query(`SELECT name, generation, key, value FROM ${s}.read_model_documents ORDER BY name, generation, key`)).rows,
      index: (await admin.query(`SELECT name, generation, idx, key, sort, document, value FROM ${s}.read_model_index ORDER BY name, generation, idx, key, sort`)).rows,
      shown: (await admin.query(`SELECT * FROM ${s}.rm_read_models`)).rows,
      history: await tableAsJson(db.sql, 'rm_partner_history'),
      partners: await tableAsJson(db.sql, 'rm_partners'),
      names: await tableAsJson(db.sql, 'rm_partner_names'),
    });
    const before = await snapshot();
    // Test only: the child's insert into rm_partner_history sleeps, after its deletes and the checkpoint's update.
    // (A server notices a dead client when the sleep ends: PostgreSQL 12 cannot check the socket while busy.)
    await admin.query(`
      CREATE FUNCTION ${s}.test_sleep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('application_name') = '${app}' THEN PERFORM pg_sleep(2); END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER test_sleep AFTER INSERT ON ${s}.rm_partner_history FOR EACH STATEMENT EXECUTE FUNCTION ${s}.test_sleep();
    `);
    const child = spawn(process.execPath, [fileURLToPath(new URL('./test-support/catch-up-child.mjs', import.meta.url)), TEST_DATABASE_URL, db.store.schema, app, 'partner-history'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    for (let i = 0; ; i++) {
      const { rowCount } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'PgSleep' AND xact_start IS NOT NULL`, [app]);
      if (rowCount) break;
      if (i > 1_500) throw new Error(`the child never reached the trigger: ${output}`);
      await sleep(10);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    for (let i = 0; (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [app])).rowCount; i++) {
      if (i > 800) throw new Error('the killed session did not end');
      await sleep(10);
    }
    expect(output).not.toContain('committed');
    expect(await snapshot()).toEqual(before);

    await admin.query(`DROP TRIGGER test_sleep ON ${s}.rm_partner_history`);
    await new ProjectionRunner(partnerHistoryProjection, { store: db.store, storage: db.storage }).catchUp();
    const after = await snapshot();
    expect(after.history).toHaveLength(before.history.length + 1);
    expect(after.shown[0].position).toBe(String(await db.store.lastPosition()));
  }, 60_000);
});

