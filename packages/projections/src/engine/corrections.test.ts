import { InMemoryEventStore, type StoredEvent } from '@taawun/domain';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyCorrection } from './corrections.js';
import { isProjectionError } from './errors.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { exportModel } from './model-reader.js';
import { CORRECTIONS_KNOWN_TO, defineProjection, type AnyProjection } from './projection.js';
import { ProjectionRunner, replay } from './runner.js';
import { replayThroughLens } from './temporal.js';
import { heldSession, partner, record } from './test-support.js';

/** Event types `evolve` was handed, by every projection below: a correction must never be one of them. */
const handed: string[] = [];

/**
 * The courses each cohort went on: one document per cohort, keyed by the
 * session's `cohorts`. It reads the session, its date and its cohorts; not its
 * title nor its format, and it does not handle `RecordCorrected`.
 */
const coursesByCohort = defineProjection({
  name: 'courses-by-cohort',
  version: 1,
  handles: ['SessionHeld'],
  reads: { SessionHeld: ['sessionId', 'heldOn', 'cohorts'] },
  initialState: { courses: [] as { sessionId: string; heldOn: string }[] },
  keyOf: (event) => (event.data.cohorts ?? []).map(String),
  evolve: (doc, event) => {
    handed.push(event.type);
    return { courses: [...doc.courses, { sessionId: event.data.sessionId, heldOn: event.data.heldOn }] };
  },
});

/** The same question without `reads`: every field counts as read. */
const formats = defineProjection({
  name: 'session-formats',
  version: 1,
  handles: ['SessionHeld'],
  initialState: {} as Record<string, string>,
  evolve: (state, event) => {
    handed.push(event.type);
    return { ...state, [event.data.sessionId]: event.data.format ?? 'not stated' };
  },
});

/** Partner giz, two courses (cohorts 39 and 40 in 2016, 41 in 2021) and an event no projection here handles. */
async function enmCourses(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  await record(store, [
    partner('giz'),
    heldSession('course-2016', '2016', { kind: 'course', cohorts: [39, 40], format: 'in-person' }),
    heldSession('course-2021', '2021', { kind: 'course', cohorts: [41], format: 'remote' }),
    { type: 'RegisterInstitute', instituteId: 'ism', name: { en: 'Institute' } },
  ]);
  return store;
}

const heldEvent = async (store: InMemoryEventStore, sessionId: string): Promise<StoredEvent> =>
  (await store.readStream(`session-${sessionId}`)).find((e) => e.type === 'SessionHeld')!;

async function correct(store: InMemoryEventStore, sessionId: string, changes: Record<string, unknown>): Promise<void> {
  const held = await heldEvent(store, sessionId);
  await record(store, [{ type: 'CorrectRecord', stream: held.stream, eventId: held.id, changes, reason: 'checked against the course list' }]);
}

/** Wait until the projection's only generation is `generation`, active, at the head of the log. */
async function settled(store: InMemoryEventStore, storage: InMemoryReadModelStorage, name: string, generation: number): Promise<void> {
  for (;;) {
    const generations = await storage.generations(name);
    const [only] = generations;
    if (generations.length === 1 && only!.generation === generation && only!.status === 'active' && only!.position === (await store.lastPosition())) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A rebuild from scratch into fresh storage: what every other way of building must equal. */
async function fromScratch(store: InMemoryEventStore, projection: AnyProjection): Promise<string> {
  const storage = new InMemoryReadModelStorage();
  await new ProjectionRunner(projection, { store, storage }).rebuild();
  return exportModel(storage, projection.name, 1);
}

describe('applying a correction', () => {
  it('replaces top-level fields and removes those set to null, leaving the rest', () => {
    const data = { sessionId: 's', cohorts: [41], format: 'remote', title: { en: 'Course' } };
    expect(applyCorrection(data, { cohorts: [41, 42], format: null })).toEqual({ sessionId: 's', cohorts: [41, 42], title: { en: 'Course' } });
    expect(data.format).toBe('remote'); // the event itself is not changed
  });
});

describe('corrections the engine applies for a projection that declares what it reads', () => {
  it('given two courses, when the 2021 one is corrected to cohorts 41 and 42, then a rebuild folds it corrected and evolve never sees the correction', async () => {
    const store = await enmCourses();
    await correct(store, 'course-2021', { cohorts: [41, 42], heldOn: '2021-03' });
    handed.length = 0;
    const storage = new InMemoryReadModelStorage();
    const runner = new ProjectionRunner(coursesByCohort, { store, storage });
    expect(await runner.rebuild()).toMatchObject({ eventsApplied: 2, complete: true });
    const model = (await runner.read())!;
    expect(await model.keys()).toEqual(['39', '40', '41', '42']);
    expect(await model.get('42')).toEqual({ courses: [{ sessionId: 'course-2021', heldOn: '2021-03' }] });
    expect(await model.get('41')).toEqual({ courses: [{ sessionId: 'course-2021', heldOn: '2021-03' }] });
    expect(handed).toEqual(['SessionHeld', 'SessionHeld', 'SessionHeld', 'SessionHeld']); // once per document: 39, 40, 41, 42
    // A replay in memory folds the same.
    expect(await (await replay(store, coursesByCohort)).export()).toBe(await model.export());
    // The original stays in the log as it was recorded.
    expect((await heldEvent(store, 'course-2021')).data).toMatchObject({ cohorts: [41], heldOn: '2021' });
  });

  it('given a remote course, when the correction removes its format (null), then the projection sees no format', async () => {
    const store = await enmCourses();
    await correct(store, 'course-2021', { format: null });
    expect(await (await replay(store, formats)).state()).toEqual({ 'course-2016': 'in-person', 'course-2021': 'not stated' });
  });

  it('given a built model, when a correction changes only fields it does not read, then catching up keeps the model and equals a rebuild', async () => {
    const store = await enmCourses();
    const storage = new InMemoryReadModelStorage();
    const runner = new ProjectionRunner(coursesByCohort, { store, storage });
    await runner.rebuild();
    await correct(store, 'course-2016', { title: { en: 'New judges course' }, format: 'remote' });
    const caughtUp = await runner.catchUp();
    expect(caughtUp).toMatchObject({ phase: 'catch-up', generation: 1, eventsApplied: 0 });
    expect(caughtUp.rebuiltFor).toBeUndefined();
    expect(await exportModel(storage, coursesByCohort.name, 1)).toBe(await fromScratch(store, coursesByCohort));
  });

  it('given a built model, when a correction changes a field it reads of an event already folded, then catching up rebuilds a new generation equal to a rebuild from scratch', async () => {
    const store = await enmCourses();
    const storage = new InMemoryReadModelStorage();
    const runner = new ProjectionRunner(coursesByCohort, { store, storage });
    await runner.rebuild();
    await correct(store, 'course-2016', { cohorts: [39], title: { en: 'New judges course' } });
    const caughtUp = await runner.catchUp();
    const correction = (await store.readStream('session-course-2016')).at(-1)!;
    expect(caughtUp).toMatchObject({
      phase: 'rebuild',
      generation: 2,
      activated: true,
      rebuiltFor: { correctionId: correction.id, correctedEventType: 'SessionHeld', fields: ['cohorts'] },
    });
    expect(await exportModel(storage, coursesByCohort.name, 2)).toBe(await fromScratch(store, coursesByCohort));
    expect(await (await runner.read())!.keys()).toEqual(['39', '41']);
  });

  it('given a projection without reads, when any field of an event it folded is corrected, then catching up rebuilds', async () => {
    const store = await enmCourses();
    const storage = new InMemoryReadModelStorage();
    const runner = new ProjectionRunner(formats, { store, storage });
    await runner.rebuild();
    await correct(store, 'course-2016', { title: { en: 'New judges course' } });
    expect(await runner.catchUp()).toMatchObject({ phase: 'rebuild', generation: 2, rebuiltFor: { fields: ['title'] } });
  });

  it('given a correction of an event the catch-up itself folds, then it is applied in passing, without a rebuild', async () => {
    const store = await enmCourses();
    const storage = new InMemoryReadModelStorage();
    const runner = new ProjectionRunner(coursesByCohort, { store, storage });
    await runner.rebuild();
    await record(store, [heldSession('course-2022', '2022', { cohorts: [42] })]);
    await correct(store, 'course-2022', { cohorts: [42, 43] });
    expect(await runner.catchUp()).toMatchObject({ phase: 'catch-up', generation: 1, eventsApplied: 1 });
    expect(await exportModel(storage, coursesByCohort.name, 1)).toBe(await fromScratch(store, coursesByCohort));
  });

  it('given a live follower, when a correction it reads is recorded, then it rebuilds while readers keep the old model, and ends equal to a rebuild from scratch', async () => {
    const store = await enmCourses();
    const storage = new InMemoryReadModelStorage();
    const controller = new AbortController();
    const generationsSeen = new Set<number>();
    const runner = new ProjectionRunner(coursesByCohort, { store, storage, onCommit: (info) => generationsSeen.add(info.generation) });
    const following = runner.follow({ signal: controller.signal, commitDelayMs: 5 });
    const now = (generation: number) => settled(store, storage, coursesByCohort.name, generation);
    await now(1);
    await record(store, [heldSession('course-2023', '2023', { cohorts: [43] })]); // folded live into generation 1
    await now(1);
    await correct(store, 'course-2016', { cohorts: [40] });
    await now(2);
    await record(store, [heldSession('course-2024', '2024', { cohorts: [44] })]); // and live again, into generation 2
    await now(2);
    controller.abort();
    const result = await following;
    expect(result).toMatchObject({ phase: 'live', generation: 2, rebuiltFor: { correctedEventType: 'SessionHeld', fields: ['cohorts'] } });
    expect([...generationsSeen]).toEqual([1, 2]);
    expect(await exportModel(storage, coursesByCohort.name, 2)).toBe(await fromScratch(store, coursesByCohort));
    expect(await (await runner.read())!.keys()).toEqual(['40', '41', '43', '44']);
  });

  it('given a live follower, when a correction changes only fields it does not read, then it goes on in the same generation', async () => {
    const store = await enmCourses();
    const storage = new InMemoryReadModelStorage();
    const controller = new AbortController();
    const following = new ProjectionRunner(coursesByCohort, { store, storage }).follow({ signal: controller.signal, commitDelayMs: 5 });
    await settled(store, storage, coursesByCohort.name, 1);
    await correct(store, 'course-2021', { title: { en: 'Remote course' } });
    await record(store, [heldSession('course-2023', '2023', { cohorts: [43] })]);
    await settled(store, storage, coursesByCohort.name, 1);
    controller.abort();
    const result = await following;
    expect(result.generation).toBe(1);
    expect(result.rebuiltFor).toBeUndefined();
    expect(await exportModel(storage, coursesByCohort.name, 1)).toBe(await fromScratch(store, coursesByCohort));
  });

  it('given an interrupted rebuild, when a correction of an event it folded is recorded, then resuming starts again from the first event', async () => {
    const store = await enmCourses();
    const storage = new InMemoryReadModelStorage();
    const interrupted = await new ProjectionRunner(coursesByCohort, { store, storage, batchSize: 1 }).catchUp({ maxEvents: 1 });
    expect(interrupted).toMatchObject({ complete: false, activated: false, eventsApplied: 1 });
    await correct(store, 'course-2016', { cohorts: [39] });
    const resumed = await new ProjectionRunner(coursesByCohort, { store, storage }).rebuild();
    expect(resumed).toMatchObject({ complete: true, activated: true, eventsApplied: 2 });
    expect(resumed.resumedFrom).toBeUndefined();
    const [active] = await storage.generations(coursesByCohort.name);
    expect(await exportModel(storage, coursesByCohort.name, active!.generation)).toBe(await fromScratch(store, coursesByCohort));
  });

  it('given a correction already read by an interrupted run, then resuming goes on from its checkpoint: a run in slices never starts over', async () => {
    const store = await enmCourses();
    await record(store, [heldSession('course-2022', '2022', { cohorts: [42] })]);
    await correct(store, 'course-2016', { cohorts: [39] }); // after the first slice's checkpoint, of an event in it
    const storage = new InMemoryReadModelStorage();
    const runner = new ProjectionRunner(coursesByCohort, { store, storage, batchSize: 1 });
    const first = await runner.catchUp({ maxEvents: 1 });
    expect(first).toMatchObject({ complete: false, eventsApplied: 1 });
    // The slice applied the correction, recorded after its checkpoint: it says so beside the model.
    expect((await storage.documents(coursesByCohort.name, first.generation, [CORRECTIONS_KNOWN_TO])).get(CORRECTIONS_KNOWN_TO)).toBe(JSON.stringify(String(await store.lastPosition())));
    const second = await runner.catchUp({ maxEvents: 1 });
    expect(second).toMatchObject({ complete: false, eventsApplied: 1, resumedFrom: first.position, generation: first.generation });
    const last = await runner.catchUp();
    expect(last).toMatchObject({ complete: true, activated: true, resumedFrom: second.position, generation: first.generation });
    expect((await storage.documents(coursesByCohort.name, last.generation, [CORRECTIONS_KNOWN_TO])).size).toBe(0);
    expect(await exportModel(storage, coursesByCohort.name, last.generation)).toBe(await fromScratch(store, coursesByCohort));
  });

  it('given a correction that would make its event invalid under the current schema, then the run stops and names the event', async () => {
    const store = await enmCourses();
    const held = await heldEvent(store, 'course-2021');
    const data = { correctedEventId: held.id, correctedEventType: 'SessionHeld', changes: { cohorts: 'forty-one' }, previous: { cohorts: [41] }, reason: 'written by hand' };
    await store.append(held.stream, [{ id: crypto.randomUUID(), type: 'RecordCorrected', schemaVersion: 1, data, metadata: { actor: 't', correlationId: 'c', causationId: 'c' }, recordedAt: '2024-02-01T00:00:00.000Z' }], { expectedRevision: 'any' });
    const error = await new ProjectionRunner(coursesByCohort, { store, storage: new InMemoryReadModelStorage() }).rebuild().catch((e: unknown) => e);
    expect(isProjectionError(error) && error.code).toBe('undecodable-event');
    expect((error as Error).message).toMatch(/courses-by-cohort cannot read the event at position 3 \(SessionHeld in session-course-2021\) as corrected: cohorts/);
  });
});

describe('corrections through a time lens', () => {
  it('given a correction recorded later, then as known before it the model is uncorrected, and as known after it (or as of any date) it is corrected', async () => {
    const store = await enmCourses();
    await correct(store, 'course-2021', { cohorts: [41, 42] });
    const correction = (await store.readStream('session-course-2021')).at(-1)!;
    const before = new Date(Date.parse(correction.recordedAt) - 1).toISOString();

    const then = await replayThroughLens(store, coursesByCohort, { asKnownOn: before });
    expect(await then.model.keys()).toEqual(['39', '40', '41']);
    const now = await replayThroughLens(store, coursesByCohort, { asKnownOn: correction.recordedAt });
    expect(await now.model.keys()).toEqual(['39', '40', '41', '42']);
    // A correction has no business date: as of any day, every correction recorded applies.
    const asOf = await replayThroughLens(store, coursesByCohort, { asOf: '2021-12-31' });
    expect(await asOf.model.get('42')).toEqual({ courses: [{ sessionId: 'course-2021', heldOn: '2021' }] });
    // Both: as known before the correction, as of the end of 2021.
    const both = await replayThroughLens(store, coursesByCohort, { asOf: '2021-12-31', asKnownOn: before });
    expect(await both.model.keys()).toEqual(['39', '40', '41']);
  });

  it('given a correction that moves a course into another year, then as of a date the corrected date decides whether it counts', async () => {
    const store = await enmCourses();
    await correct(store, 'course-2021', { heldOn: '2019' });
    const asOf2020 = await replayThroughLens(store, coursesByCohort, { asOf: '2020' });
    expect(await asOf2020.model.get('41')).toEqual({ courses: [{ sessionId: 'course-2021', heldOn: '2019' }] });
  });
});

describe('declaring reads', () => {
  it('knows who applies corrections and which changed fields matter', () => {
    expect(coursesByCohort.correctionsBy).toBe('engine');
    expect(coursesByCohort.storeTypes).toEqual(['SessionHeld', 'RecordCorrected']);
    expect(coursesByCohort.fieldsRead('SessionHeld', ['title', 'cohorts'])).toEqual(['cohorts']);
    expect(coursesByCohort.fieldsRead('SessionHeld', ['title', 'format'])).toEqual([]);
    expect(coursesByCohort.fieldsRead('SessionScheduled', ['cohorts'])).toEqual([]); // a type it does not handle
    expect(formats.fieldsRead('SessionHeld', ['title'])).toEqual(['title']); // no reads: every field
    const handlesThem = defineProjection({ name: 'own', version: 1, handles: ['SessionHeld', 'RecordCorrected'], initialState: 0, evolve: (n) => n + 1 });
    expect(handlesThem.correctionsBy).toBe('evolve');
    expect(handlesThem.storeTypes).toEqual(['SessionHeld', 'RecordCorrected']);
    expect(handlesThem.fieldsRead('SessionHeld', ['title'])).toEqual([]);
  });

  it('refuses reads that name a type it does not handle, a field the event does not have, or that come with RecordCorrected in handles', () => {
    const attempt = (definition: Record<string, unknown>) => {
      try {
        defineProjection({ name: 'reads', version: 1, handles: ['SessionHeld'], initialState: 0, evolve: (n: number) => n + 1, ...definition } as never);
        return 'accepted';
      } catch (e) {
        return isProjectionError(e) ? `${e.code}: ${e.message}` : String(e);
      }
    };
    expect(attempt({ reads: { SessionHeld: ['heldOn'] } })).toBe('accepted');
    expect(attempt({ reads: { AgreementSigned: ['signedOn'] } })).toMatch(/^invalid-projection: .*reads lists AgreementSigned, which it does not handle/);
    expect(attempt({ reads: { SessionHeld: ['heldon'] } })).toMatch(/reads lists SessionHeld\.heldon, which SessionHeld does not have/);
    expect(attempt({ handles: ['SessionHeld', 'RecordCorrected'], reads: { SessionHeld: ['heldOn'] } })).toMatch(/handles RecordCorrected itself/);
  });

  it('types reads against the handled events and their data keys', () => {
    const base = { name: 'typed', version: 1, initialState: 0, evolve: (n: number) => n + 1 };
    defineProjection({ ...base, handles: ['SessionHeld', 'ParticipantRegistered'], reads: { SessionHeld: ['cohorts'], ParticipantRegistered: ['cohort'] } });
    // @ts-expect-error SessionHeld has no field `cohort`
    expect(() => defineProjection({ ...base, handles: ['SessionHeld'], reads: { SessionHeld: ['cohort'] } })).toThrow(/does not have/);
    // @ts-expect-error AgreementSigned is not handled
    expect(() => defineProjection({ ...base, handles: ['SessionHeld'], reads: { AgreementSigned: ['signedOn'] } })).toThrow(/does not handle/);
    // @ts-expect-error evolve applies corrections itself: reads would mean nothing
    expect(() => defineProjection({ ...base, handles: ['SessionHeld', 'RecordCorrected'], reads: { SessionHeld: ['cohorts'] } })).toThrow(/itself/);
  });

  it('the compiler holds this file to those types: each @ts-expect-error above is an error it finds', () => {
    // Vitest does not check types: the compiler runs over this file (tsconfig.typecheck.json), and an unused @ts-expect-error fails it.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('tsconfig.typecheck.json', import.meta.url))], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 150_000);
});
