import { InMemoryEventStore, type CommandInput, type EventStore } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { institute, loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeAll, describe, expect, it } from 'vitest';
import { HeapBound } from '../engine/heap-bound.js';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { storedModel } from '../engine/model-reader.js';
import { ProjectionRunner, replay } from '../engine/runner.js';
import { activeGeneration, type ReadModelStorage } from '../engine/storage.js';
import { record } from '../engine/test-support.js';
import { sessionsHeldTables, sessionsPerPartnerProjection } from '../testing/sessions-per-partner.js';
import { column, type Column, type TableDescription, type TableRow } from './columns.js';
import { readModelTableNames, readModelTables } from './index.js';
import { allRows, defineReadModelTables, type AnyReadModelTables } from './read-model-tables.js';
import { changesOf, rowsToWrite, rowsToWriteInBatches, type TablesShown } from './rows-to-write.js';

let store: EventStore;
beforeAll(async () => {
  store = new InMemoryEventStore();
  const report = await loadInstituteRecord(store, deterministicContext('seed'));
  expect(report.failures).toEqual([]);
});

/** A clerk recording more after the record (fresh ids, so nothing collides with the seed's). */
const later = (commands: readonly CommandInput[]) =>
  record(store, commands, { actor: 'later-clerk', now: () => new Date('2025-03-01T08:00:00Z'), newId: () => crypto.randomUUID() });

/** Why a value cannot stand in a column (undefined: it can). */
function misfit(c: Column, value: unknown): string | undefined {
  if (value === null) return c.nullable ? undefined : 'null in a column that is not nullable';
  const fits: Record<Column['type'], (v: unknown) => boolean> = {
    text: (v) => typeof v === 'string' && (c.oneOf === undefined || c.oneOf.includes(v)),
    integer: (v) => Number.isInteger(v) && Math.abs(v as number) < 2 ** 31,
    bigint: (v) => Number.isSafeInteger(v),
    boolean: (v) => typeof v === 'boolean',
    date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
    'text[]': (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
    json: (v) => v !== undefined && JSON.stringify(v) !== undefined,
  };
  return fits[c.type](value) ? undefined : `${JSON.stringify(value)} is not ${c.type}`;
}

function expectRowsToFit(t: TableDescription, rows: readonly TableRow[]): void {
  const names = Object.keys(t.columns).sort();
  for (const row of rows) {
    expect(Object.keys(row).sort(), t.name).toEqual(names);
    for (const [name, c] of Object.entries(t.columns)) expect(misfit(c, row[name]), `${t.name}.${name}`).toBeUndefined();
  }
  const keys = rows.map((row) => JSON.stringify(t.primaryKey.map((k) => row[k])));
  expect(new Set(keys).size, `${t.name}: primary keys are unique`).toBe(rows.length);
}

describe("the built-in read models' tables", () => {
  it("hold, on the institute's record, rows of exactly their columns, each value of its column's type, keys unique", async () => {
    for (const description of Object.values(readModelTables)) {
      const rows = await allRows(description, await replay(store, description.projection));
      for (const t of description.tables) {
        expect(rows[t.name]!.length, t.name).toBeGreaterThan(0);
        expectRowsToFit(t, rows[t.name]!);
      }
    }
    expect(readModelTableNames).toHaveLength(12);
    expect(Object.keys(readModelTables)).toEqual(['partner-history', 'agreements-register', 'yearly-activity-report', 'participant-record']);
  });

  it('say what the read models say: the ENM history in order, people trained in 2018 a lower bound', async () => {
    const history = await allRows(readModelTables['partner-history']!, await replay(store, readModelTables['partner-history']!.projection));
    const enm = history['rm_partner_history']!.filter((r) => r['partner_id'] === 'enm-france');
    expect(enm.map((r) => [r['entry_order'], r['date_edtf'], r['what']])).toEqual([
      [1, '1998-11-16', 'Agreement signed'],
      [2, '2016-02-19', 'Protocol signed'],
      [3, '2016', 'Course held'],
      [4, '2016/2020', 'Hosted study visit completed'],
      [5, '2016/2020', 'Specialised session held'],
      [6, '2021', 'Course held'],
      [7, 'XXXX', 'Annual programme started'],
      [8, 'XXXX', 'Annual programme started'],
    ]);
    // F18's 11 are hosted, F5's 70 attended: each figure in its own column.
    expect(enm.find((r) => r['record_id'] === 'enm-auditeurs-2016-2020')).toMatchObject({ hosted: 11, participants: null });
    const yearly = await allRows(readModelTables['yearly-activity-report']!, await replay(store, readModelTables['yearly-activity-report']!.projection));
    expect(yearly['rm_yearly_activity']!.find((r) => r['period'] === '2018' && r['breakdown'] === 'total')).toMatchObject({ people_trained: 120, people_trained_exact: false });
    expect(yearly['rm_yearly_activity']!.find((r) => r['period'] === '2017' && r['breakdown'] === 'total')).toMatchObject({ people_trained: 0, people_attended: 70, meetings_held: 1 });
  });
});

/* A read model of a user's own, with tables: sessions held per partner (the fixture storages' tests use too). */

const sessionsPerPartnerTables = sessionsHeldTables();
const [sessionsHeld] = sessionsPerPartnerTables.tables;

describe("a read model of a user's own", () => {
  it('describes its tables with the same vocabulary, and gets its rows, one unit per partner', async () => {
    const rows = await allRows(sessionsPerPartnerTables, await replay(store, sessionsPerPartnerProjection));
    expectRowsToFit(sessionsHeld, rows['rm_sessions_held']!);
    expect(rows['rm_sessions_held']!.find((r) => r['partner_id'] === 'giz')).toEqual({ partner_id: 'giz', held: 3, last_held_edtf: '2018-11-07/2018-11-08' });
  });

  it('is refused when its description is not one a storage can lay out', () => {
    const describe = (t: TableDescription, unitColumn?: string) =>
      () => defineReadModelTables({ ...sessionsPerPartnerTables, tables: [t], ...(unitColumn ? { unitColumn } : {}), rows: async () => ({}) });
    expect(describe({ ...sessionsHeld, name: 'sessions_held' })).toThrow(/table name "sessions_held" is not rm_/);
    expect(describe({ ...sessionsHeld, columns: { ...sessionsHeld.columns, 'Held Twice': column.boolean() } })).toThrow(/column name "Held Twice"/);
    expect(describe({ ...sessionsHeld, primaryKey: ['partner'] })).toThrow(/rm_sessions_held has no column partner/);
    expect(describe({ ...sessionsHeld, primaryKey: [] })).toThrow(/has no primary key/);
    expect(describe(sessionsHeld, 'participant_id')).toThrow(/has no unit column participant_id/);
    expect(() => defineReadModelTables({ ...sessionsPerPartnerTables, tables: [sessionsHeld, sessionsHeld], rows: async () => ({ rm_sessions_held: [] }) })).toThrow(/described twice/);
  });
});

/**
 * Tables kept in memory beside an in-memory storage, the way a storage with
 * tables keeps them: written at each activation (all rows) and each commit to
 * the active generation (the units `rowsToWrite` says).
 */
function withTables(tables: AnyReadModelTables) {
  const inner = new InMemoryReadModelStorage();
  const kept = new Map<string, TableRow[]>(tables.tables.map((t) => [t.name, []]));
  const writes: ('all' | readonly string[])[] = [];
  let shown: TablesShown | undefined;
  const write = async (changes?: ReturnType<typeof changesOf>) => {
    const info = (await activeGeneration(inner, tables.projection.name))!;
    const plan = await rowsToWrite(tables, storedModel(inner, tables.projection, info), shown, changes);
    for (const t of tables.tables) {
      const keep = plan.replace === 'all' ? () => false : (row: TableRow) => !plan.replace.includes(row[tables.unitColumn!] as string);
      kept.set(t.name, [...kept.get(t.name)!.filter(keep), ...(plan.rows[t.name] ?? [])]);
    }
    writes.push(plan.replace);
    shown = plan.shown;
  };
  const storage: ReadModelStorage = {
    generations: (name) => inner.generations(name),
    create: (name, version) => inner.create(name, version),
    async commit(name, generation, change) {
      const info = await inner.commit(name, generation, change);
      if (info.status === 'active') await write(changesOf(change));
      return info;
    },
    async activate(name, generation) {
      await inner.activate(name, generation);
      await write();
    },
    drop: (name, generation) => inner.drop(name, generation),
    documents: (name, generation, keys) => inner.documents(name, generation, keys),
    listDocuments: (name, generation, range) => inner.listDocuments(name, generation, range),
    listKeys: (name, generation, range) => inner.listKeys(name, generation, range),
    countKeys: (name, generation, range) => inner.countKeys(name, generation, range),
    readIndex: (name, generation, index, key, range) => inner.readIndex(name, generation, index, key, range),
    countIndex: (name, generation, index, key) => inner.countIndex(name, generation, index, key),
    listIndex: (name, generation, range) => inner.listIndex(name, generation, range),
  };
  return { storage, kept, writes };
}

const sortedRows = (rows: readonly TableRow[]) => [...rows].map((r) => JSON.stringify(r)).sort();

/** The tables kept through commits hold what a fresh derivation from a replay of the log gives. */
async function expectKeptToMatchReplay(description: AnyReadModelTables, kept: ReadonlyMap<string, readonly TableRow[]>, step: string): Promise<void> {
  const expected = await allRows(description, await replay(store, description.projection));
  for (const t of description.tables) expect(sortedRows(kept.get(t.name)!), `${step}: ${t.name}`).toEqual(sortedRows(expected[t.name]!));
}

/** A read model rebuilt beside its tables kept in memory: written once, whole, as a fresh derivation gives them. */
async function rebuiltWithTables(name: string) {
  const description = readModelTables[name]!;
  const { storage, kept, writes } = withTables(description);
  const runner = new ProjectionRunner(description.projection, { store, storage });
  await runner.rebuild();
  expect(writes).toEqual(['all']);
  await expectKeptToMatchReplay(description, kept, 'rebuilt');
  return { description, kept, writes, runner };
}

describe('rowsToWrite: writing again only what a commit touches', () => {
  it('keeps the partner-history tables equal to a fresh derivation through changes, writing only the partners they touch', async () => {
    const { description, kept, writes, runner } = await rebuiltWithTables('partner-history');

    await later([
      { type: 'ScheduleSession', sessionId: 'enm-course-2024', title: { en: 'Course 2024' }, kind: 'course', partners: ['enm-france'], plannedFor: '2024' },
      { type: 'RecordSessionHeld', sessionId: 'enm-course-2024', heldOn: '2024', attendance: { count: 9, basis: 'total' } },
    ]);
    await runner.catchUp();
    expect(writes.slice(1)).toEqual([['enm-france']]);
    await expectKeptToMatchReplay(description, kept, 'a course with the ENM');

    // Every partner's entries name the institute: a rename touches all of them, through what their views read.
    await later([{ type: 'RenameInstitute', instituteId: institute.id, name: { en: 'The institute, renamed' }, effectiveOn: '2019' }]);
    await runner.catchUp();
    const partners = kept.get('rm_partners')!.map((r) => r['partner_id']);
    expect([...(writes.at(-1) as readonly string[])].sort()).toEqual([...partners].sort());
    await expectKeptToMatchReplay(description, kept, 'the institute renamed');

    await later([{ type: 'RegisterPartner', partnerId: 'new-partner', name: { en: 'A new partner' }, kind: 'school' }]);
    await runner.catchUp();
    expect(writes.at(-1)).toEqual(['new-partner']);
    await expectKeptToMatchReplay(description, kept, 'a new partner');
  });

  it('keeps the yearly-report tables equal to a fresh derivation, a period at a time: a figure corrected writes its period, a new period every period (their order moves)', async () => {
    const { description, kept, writes, runner } = await rebuiltWithTables('yearly-activity-report');
    const periods = () => kept.get('rm_yearly_activity')!.filter((r) => r['breakdown'] === 'total').map((r) => r['period'] as string).sort();
    const before = periods();
    expect(before).toContain('2018');

    const held = (await store.readStream('session-giz-attaches-2018-11')).find((e) => e.type === 'SessionHeld')!;
    await later([{ type: 'CorrectRecord', stream: held.stream, eventId: held.id, changes: { attendance: { count: 40, basis: 'total' } }, reason: 'attendance sheet found (hypothetical)' }]);
    await runner.catchUp();
    expect(writes.at(-1)).toEqual(['2018']);
    await expectKeptToMatchReplay(description, kept, 'an attendance corrected');

    await later([
      { type: 'ScheduleSession', sessionId: 'giz-course-2023', title: { en: 'Course 2023' }, kind: 'course', partners: ['giz'], plannedFor: '2023' },
      { type: 'RecordSessionHeld', sessionId: 'giz-course-2023', heldOn: '2023', attendance: { count: 12, basis: 'total' } },
    ]);
    await runner.catchUp();
    expect(periods()).toEqual([...before, '2023'].sort());
    expect([...(writes.at(-1) as readonly string[])].sort()).toEqual(periods());
    await expectKeptToMatchReplay(description, kept, 'a session in a new period');
  });

  it('writes every row again when what it last wrote is not given (another process wrote), or for a read model laid out as a whole', async () => {
    const register = readModelTables['agreements-register']!;
    const runner = new ProjectionRunner(register.projection, { store, storage: new InMemoryReadModelStorage() });
    await runner.rebuild();
    const model = (await runner.read())!;
    const first = await rowsToWrite(register, model, undefined, undefined);
    expect(first.replace).toBe('all');
    const touched = await rowsToWrite(register, model, first.shown, { documents: ['agreement-enm-1998'], indexes: [] });
    expect(touched.replace).toBe('all');
    expect(touched.rows).toEqual(first.rows);
    const untouched = await rowsToWrite(register, model, first.shown, { documents: ['no-such-document'], indexes: [] });
    expect(untouched).toMatchObject({ replace: [], rows: { rm_agreements: [] } });
  });

  it('computes a few units at once, and gives the same rows in the same order, and the same dependencies, as one at a time', async () => {
    const description = readModelTables['partner-history']!;
    const runner = new ProjectionRunner(description.projection, { store, storage: new InMemoryReadModelStorage() });
    await runner.rebuild();
    const model = (await runner.read())!;
    let computing = 0;
    let most = 0;
    let reads = 0;
    /** Reads answered after a while, later ones sooner: units' reads come back out of order. */
    const slow = <A extends unknown[], R>(read: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
      const delay = Math.max(0, 12 - (reads++ % 12));
      await new Promise((r) => setTimeout(r, delay));
      return read(...args);
    };
    const slowModel: typeof model = { ...model, get: slow(model.get), getMany: slow(model.getMany), keys: slow(model.keys), keyCount: slow(model.keyCount), index: slow(model.index), indexSize: slow(model.indexSize), counters: slow(model.counters) };
    const counted: typeof description = {
      ...description,
      rows: async (m, unit) => {
        most = Math.max(most, ++computing);
        try {
          return await description.rows(m, unit);
        } finally {
          computing--;
        }
      },
    };
    const atOnce = await rowsToWrite(counted, slowModel, undefined, undefined);
    expect(most).toBe(4);
    // One at a time, as a reference: the same units, each computed alone.
    const units = await description.units(model);
    const expected: Record<string, TableRow[]> = Object.fromEntries(description.tables.map((t) => [t.name, []]));
    for (const unit of units) for (const [table, rows] of Object.entries(await description.rows(model, unit))) expected[table]!.push(...rows);
    expect(atOnce.rows).toEqual(expected);
    expect([...atOnce.shown.units.keys()]).toEqual(units);
    expect(atOnce.shown).toEqual((await rowsToWrite(description, model, undefined, undefined)).shown);
  });

  it('gives the rows in batches of whole units, each of at least the size asked but the last, which together are every row in order', async () => {
    const description = readModelTables['partner-history']!;
    const runner = new ProjectionRunner(description.projection, { store, storage: new InMemoryReadModelStorage() });
    await runner.rebuild();
    const model = (await runner.read())!;
    const whole = await rowsToWrite(description, model, undefined, undefined);
    const planned = await rowsToWriteInBatches(description, model, undefined, undefined);
    expect(planned.replace).toBe('all');
    const batches: Record<string, readonly TableRow[]>[] = [];
    for await (const batch of planned.batches(5)) batches.push(batch);
    const count = (batch: Record<string, readonly TableRow[]>) => Object.values(batch).reduce((n, rows) => n + rows.length, 0);
    expect(batches.length).toBeGreaterThan(2);
    for (const batch of batches.slice(0, -1)) expect(count(batch)).toBeGreaterThanOrEqual(5);
    // Whole units: no unit's rows are split between two batches.
    const unitsOf = (batch: Record<string, readonly TableRow[]>) => new Set(Object.values(batch).flatMap((rows) => rows.map((row) => row[description.unitColumn!])));
    for (let i = 1; i < batches.length; i++) for (const unit of unitsOf(batches[i]!)) expect(unitsOf(batches[i - 1]!).has(unit)).toBe(false);
    const gathered = Object.fromEntries(description.tables.map((t) => [t.name, batches.flatMap((batch) => [...(batch[t.name] ?? [])])]));
    expect(gathered).toEqual(whole.rows);
    expect(planned.shown).toEqual(whole.shown);
  });

  it('checks the heap bound it is given after every unit, whatever the size of the batches', async () => {
    const description = readModelTables['partner-history']!;
    const runner = new ProjectionRunner(description.projection, { store, storage: new InMemoryReadModelStorage() });
    await runner.rebuild();
    const model = (await runner.read())!;
    const units = await description.units(model);
    // A heap that always seems over its margin: every check collects, so the collections count the checks.
    let used = 0;
    const heap = new HeapBound(0, { usedBytes: () => ++used, collect: () => undefined });
    const planned = await rowsToWriteInBatches(description, model, undefined, undefined);
    let batches = 0;
    for await (const _ of planned.batches(Number.POSITIVE_INFINITY, heap)) batches++;
    expect(batches).toBe(1);
    expect(units.length).toBeGreaterThan(2);
    expect(heap.collections).toBe(units.length);
  });

  it("takes no engine document (counters, the engine's notes) for a unit, even where every document is one", async () => {
    const runner = new ProjectionRunner(sessionsPerPartnerProjection, { store, storage: new InMemoryReadModelStorage() });
    await runner.rebuild();
    const model = (await runner.read())!;
    const first = await rowsToWrite(sessionsPerPartnerTables, model, undefined, undefined);
    expect(first.shown.units.has('giz')).toBe(true);
    const counters = await rowsToWrite(sessionsPerPartnerTables, model, first.shown, { documents: ['#totals', 'giz'], indexes: [] });
    expect(counters.replace).toEqual(['giz']);
  });
});
