import { decodeEvent, handle, InMemoryEventStore, type CommandInput, type RecordedEvent, type StoredEvent } from '@taawun/domain';
import { deterministicContext, partialDateArb } from '@taawun/domain/testing';
import fc from 'fast-check';
import { match } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { foldInMemory } from './in-memory-fold.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { exportModel } from './model-reader.js';
import { defineProjection, type AnyProjection, type EventOfType } from './projection.js';
import { ProjectionRunner, replay } from './runner.js';

/*
 * For random logs of sessions and random corrections of them, the engine's
 * fold equals a fold over the log whose events were corrected by hand first,
 * however it is built: a replay, a rebuild (any commit points and page sizes),
 * or a catch-up after each slice of the log as it is recorded (late
 * corrections then rebuild, or are ignored when the projection does not read
 * what they change).
 */

const partners = ['giz', 'enm', 'aecid'] as const;
const sessions = ['s0', 's1', 's2', 's3', 's4'] as const;

/** Sessions per partner, keyed by the sessions' partners; it reads neither titles nor formats. */
const byPartner = defineProjection({
  name: 'sessions-by-partner',
  version: 1,
  handles: ['SessionScheduled', 'SessionHeld'],
  reads: { SessionScheduled: ['sessionId', 'partners', 'plannedFor'], SessionHeld: ['sessionId', 'partners', 'heldOn', 'cohorts'] },
  initialState: { sessions: {} as Record<string, string> },
  keyOf: (event) => event.data.partners,
  evolve: (doc, event) =>
    match(event)
      .with({ type: 'SessionScheduled' }, (e) => ({ sessions: { ...doc.sessions, [e.data.sessionId]: `planned ${e.data.plannedFor}` } }))
      .with({ type: 'SessionHeld' }, (e) => ({ sessions: { ...doc.sessions, [e.data.sessionId]: `held ${e.data.heldOn} cohorts ${(e.data.cohorts ?? []).join(',')}` } }))
      .exhaustive(),
  indexes: (partner, doc) => Object.entries(doc.sessions).map(([id, what]) => ({ index: 'what', key: what.split(' ')[0]!, sort: `${id}\u0001${partner}` })),
  counters: (_partner, doc) => [{ counters: 'all', values: { partners: 1, sessions: Object.keys(doc.sessions).length } }],
});

/** Titles and formats of held sessions in one document, without `reads`: every field counts. */
const catalogue = defineProjection({
  name: 'catalogue',
  version: 1,
  handles: ['SessionHeld'],
  initialState: {} as Record<string, { title: unknown; format: string | null; attendance: number | null }>,
  evolve: (state, event) => ({ ...state, [event.data.sessionId]: { title: event.data.title, format: event.data.format ?? null, attendance: event.data.attendance?.count ?? null } }),
});

const projections: AnyProjection[] = [byPartner, catalogue];

type Step =
  | { kind: 'schedule'; session: string; plannedFor: string; partners: string[] }
  | { kind: 'hold'; session: string; heldOn: string; partners: string[]; cohorts: number[] | undefined; format: 'remote' | 'in-person' | undefined; title: string }
  | { kind: 'correct'; pick: number; changes: Record<string, unknown>; date: string | undefined }
  | { kind: 'unhandled'; name: string };

const partnersArb = fc.subarray([...partners], { minLength: 1 });
const cohortsArb = fc.option(fc.uniqueArray(fc.integer({ min: 38, max: 43 }), { minLength: 1, maxLength: 3 }), { nil: undefined });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('schedule' as const), session: fc.constantFrom(...sessions), plannedFor: partialDateArb, partners: partnersArb }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('hold' as const),
      session: fc.constantFrom(...sessions),
      heldOn: partialDateArb,
      partners: partnersArb,
      cohorts: cohortsArb,
      format: fc.constantFrom('remote' as const, 'in-person' as const, undefined),
      title: fc.string({ minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('correct' as const),
      pick: fc.nat(),
      // Read fields (partners, cohorts, the date) and unread ones (title, format, attendance), alone or together; null removes.
      changes: fc.record(
        {
          partners: partnersArb,
          cohorts: fc.oneof(fc.constant(null), fc.uniqueArray(fc.integer({ min: 38, max: 43 }), { minLength: 1, maxLength: 3 })),
          title: fc.string({ minLength: 1, maxLength: 8 }).map((en) => ({ en })),
          format: fc.constantFrom('remote', 'in-person', null),
          attendance: fc.oneof(fc.constant(null), fc.record({ count: fc.integer({ min: 0, max: 50 }), basis: fc.constant('total') })),
        },
        { requiredKeys: [] },
      ),
      date: fc.option(partialDateArb, { nil: undefined }),
    }),
  },
  fc.record({ kind: fc.constant('unhandled' as const), name: fc.string({ minLength: 1, maxLength: 8 }) }),
);

/** The steps through the real command handler; rejected commands (a session held twice, a date in the future) are not recorded. */
async function recordSteps(steps: readonly Step[]): Promise<StoredEvent[]> {
  const store = new InMemoryEventStore();
  const context = deterministicContext();
  const run = (command: CommandInput) => handle(store, command, context);
  for (const partnerId of partners) await run({ type: 'RegisterPartner', partnerId, name: { en: partnerId }, kind: 'school' });
  const correctable: StoredEvent[] = [];
  for (const step of steps) {
    const outcome = await match(step)
      .with({ kind: 'schedule' }, (s) => run({ type: 'ScheduleSession', sessionId: s.session, title: { en: s.session }, kind: 'course', partners: s.partners, plannedFor: s.plannedFor }))
      .with({ kind: 'hold' }, (s) =>
        run({
          type: 'RecordSessionHeld',
          sessionId: s.session,
          title: { en: s.title },
          kind: 'course',
          partners: s.partners,
          heldOn: s.heldOn,
          ...(s.cohorts ? { cohorts: s.cohorts } : {}),
          ...(s.format ? { format: s.format } : {}),
        }),
      )
      .with({ kind: 'correct' }, async (s) => {
        if (correctable.length === 0) return undefined;
        const target = correctable[s.pick % correctable.length]!;
        const dateField = target.type === 'SessionHeld' ? 'heldOn' : 'plannedFor';
        const fields = target.type === 'SessionHeld' ? s.changes : { ...(s.changes.partners ? { partners: s.changes.partners } : {}), ...(s.changes.title ? { title: s.changes.title } : {}) };
        const changes = { ...fields, ...(s.date ? { [dateField]: s.date } : {}) };
        if (Object.keys(changes).length === 0) return undefined;
        return run({ type: 'CorrectRecord', stream: target.stream, eventId: target.id, changes, reason: 'checked against the archive' });
      })
      .with({ kind: 'unhandled' }, (s) => run({ type: 'RenamePartner', partnerId: 'giz', name: { en: s.name }, effectiveOn: '2020' }))
      .exhaustive();
    if (outcome?.ok) for (const e of outcome.value.events) if (e.type === 'SessionHeld' || e.type === 'SessionScheduled') correctable.push(e);
  }
  const log: StoredEvent[] = [];
  for await (const e of store.readAll()) log.push(e);
  return log;
}

/** The handled events with every correction of the log applied by hand, as `evolve` should see them. */
function correctedByHand(log: readonly StoredEvent[], projection: AnyProjection): EventOfType<never>[] {
  const decoded = log.map((stored) => {
    const result = decodeEvent(stored);
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  });
  const data = new Map<string, Record<string, unknown>>(decoded.map((e) => [e.id, e.data as Record<string, unknown>]));
  for (const e of decoded) {
    if (e.type !== 'RecordCorrected') continue;
    const fixed: Record<string, unknown> = { ...data.get(e.data.correctedEventId)! };
    for (const [field, value] of Object.entries(e.data.changes)) {
      if (value === null) delete fixed[field];
      else fixed[field] = value;
    }
    data.set(e.data.correctedEventId, fixed);
  }
  return decoded.filter((e) => projection.handlesType(e.type)).map((e) => ({ ...e, data: data.get(e.id)! }) as RecordedEvent) as EventOfType<never>[];
}

const byHand = async (log: readonly StoredEvent[], projection: AnyProjection): Promise<string> =>
  (await foldInMemory(projection, (async function* () {
    yield correctedByHand(log, projection);
  })())).export();

async function storeOf(events: readonly StoredEvent[]): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (const e of events) await store.append(e.stream, [e], { expectedRevision: 'any' });
  return store;
}

/** The log recorded slice by slice, a runner catching up after each (maybe a few events at a time); what each run said. */
async function caughtUpInSlices(log: readonly StoredEvent[], projection: AnyProjection, slices: readonly number[], batchSize: number, maxEvents: number | undefined) {
  const store = new InMemoryEventStore();
  const storage = new InMemoryReadModelStorage();
  const runner = new ProjectionRunner(projection, { store, storage, batchSize });
  const rebuilds: string[] = [];
  for (let i = 0, s = 0; i < log.length; s++) {
    const size = slices[s % slices.length]!;
    for (const e of log.slice(i, i + size)) await store.append(e.stream, [e], { expectedRevision: 'any' });
    i += size;
    for (;;) {
      const run = await runner.catchUp(maxEvents === undefined ? {} : { maxEvents });
      if (run.rebuiltFor) rebuilds.push(run.rebuiltFor.fields.join(','));
      if (run.complete) break;
    }
  }
  const [active] = await storage.generations(projection.name);
  return { model: await exportModel(storage, projection.name, active!.generation), rebuilds };
}

const stepsArb = fc.array(stepArb, { minLength: 5, maxLength: 40 });
const slicesArb = fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 6 });

describe('corrections applied by the engine, on random logs', () => {
  it('generates logs where corrections come late, of fields the projection reads and of fields it does not', async () => {
    const late = { rebuilt: 0, ignored: 0, corrections: 0 };
    for (const [steps, slices] of fc.sample(fc.tuple(stepsArb, slicesArb), { numRuns: 30, seed: 14 })) {
      const log = await recordSteps(steps);
      late.corrections += log.filter((e) => e.type === 'RecordCorrected').length;
      const { rebuilds } = await caughtUpInSlices(log, byPartner, slices, 3, undefined);
      late.rebuilt += rebuilds.length;
    }
    // Some late corrections rebuilt the model; the others were of events folded in the same run, or of fields it does not read.
    expect(late.corrections).toBeGreaterThan(60);
    expect(late.rebuilt).toBeGreaterThan(5);
    expect(late.rebuilt).toBeLessThan(late.corrections);
  });

  it('folding with the engine equals a fold over the log corrected by hand first: replay, rebuild or catch-up, whatever the commit points', async () => {
    await fc.assert(
      fc.asyncProperty(
        stepsArb,
        slicesArb,
        fc.integer({ min: 1, max: 6 }),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
        async (steps, slices, batchSize, maxEvents, pageSize) => {
          const log = await recordSteps(steps);
          const full = await storeOf(log);
          for (const projection of projections) {
            const expected = await byHand(log, projection);
            expect(await (await replay(full, projection, pageSize === undefined ? {} : { pageSize })).export(), `${projection.name}: replay`).toBe(expected);
            const storage = new InMemoryReadModelStorage();
            await new ProjectionRunner(projection, { store: full, storage, batchSize, ...(pageSize === undefined ? {} : { pageSize }) }).rebuild();
            expect(await exportModel(storage, projection.name, 1), `${projection.name}: rebuild`).toBe(expected);
            expect((await caughtUpInSlices(log, projection, slices, batchSize, maxEvents)).model, `${projection.name}: catch-up`).toBe(expected);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
