import { openSqliteEventStore, openSqliteKeyStore, openSqliteReadModelStorage } from '@taawun/adapter-sqlite';
import { encryptPersonalData, handle } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { ProjectionRunner, type ReadModelStorage } from '@taawun/projections';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortPlacements, cohortsProjection, openInstituteFile, replayCohorts } from '../src/index.js';

// Spawned programs run the build (`npx tsc -b`; the root `npm test` does it first).
const cli = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));
const program = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const module = fileURLToPath(new URL('../dist/cohorts.js', import.meta.url));
const node = (args: string[], cwd: string) => promisify(execFile)(process.execPath, args, { cwd, encoding: 'utf8' });

let folder: string;
let file: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'taawun-new-report-'));
  file = join(folder, 'taawun.db');
  await node([cli, 'seed', '--store', `sqlite:${file}`], folder);
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('a report written after the fact: the cohorts of the ENM course', () => {
  it('the program replays the log through the library API and prints one line per cohort', async () => {
    const { stdout } = await node([program, file], folder);
    expect(stdout).toBe(
      [
        `Cohort placements, replayed from 52 events of ${file}:`,
        '  cohort 39: enm-new-judges-course-2016 (course with enm-france, held 2016): 2 judges from cohorts 39 and 40 together (the record does not split them)',
        '  cohort 40: enm-new-judges-course-2016 (course with enm-france, held 2016): 2 judges from cohorts 39 and 40 together (the record does not split them)',
        '  cohort 41: enm-new-judges-course-2021 (course with enm-france, held 2021, remote): 2 judges',
        '',
      ].join('\n'),
    );
  });

  it('taawun replay <module> rebuilds the same projection, and its state gives the same report', async () => {
    const text = await node([cli, 'replay', module, '--store', `sqlite:${file}`], folder);
    expect(text.stdout).toMatch(/^Replayed cohort-placements v2: 52 events \(\d+ applied\) in \d+\.\d{3} s, \d+ events\/s; stored in SQLite file /);
    const json = JSON.parse((await node([cli, 'replay', module, '--store', `sqlite:${file}`, '--format', 'json'], folder)).stdout);
    const { store, close } = await openInstituteFile(file);
    try {
      expect(cohortPlacements(json.state)).toEqual(await replayCohorts(store));
    } finally {
      await close();
    }
  });

  it('a correction recorded later changes the report, and the original stays in the log', async () => {
    const { store, close } = await openInstituteFile(file);
    try {
      const [held] = (await store.readStream('session-enm-new-judges-course-2021')).filter((e) => e.type === 'SessionHeld');
      const corrected = await handle(
        store,
        { type: 'CorrectRecord', stream: 'session-enm-new-judges-course-2021', eventId: held!.id, changes: { cohorts: [41, 42] }, reason: 'test: the course also drew from cohort 42' },
        deterministicContext('registrar'),
      );
      expect(corrected.ok).toBe(true);
      const placements = await replayCohorts(store);
      expect(placements.map((p) => `${p.cohort} ${p.sessionId} ${p.judgesNamedInCohort}`)).toEqual([
        '39 enm-new-judges-course-2016 0',
        '40 enm-new-judges-course-2016 0',
        '41 enm-new-judges-course-2021 2',
        '42 enm-new-judges-course-2021 0',
      ]);
      const after = await store.readStream('session-enm-new-judges-course-2021');
      expect(after.find((e) => e.id === held!.id)?.data).toEqual(held!.data);
      expect(after.at(-1)).toMatchObject({ type: 'RecordCorrected', data: { correctedEventId: held!.id, changes: { cohorts: [41, 42] } } });
    } finally {
      await close();
    }
    const { stdout } = await node([program, file], folder);
    expect(stdout).toContain('cohort 42: enm-new-judges-course-2021 (course with enm-france, held 2021, remote): 2 judges from cohorts 41 and 42 together');
  });

  it('a runner following the log live rebuilds the stored report when a correction of a field it reads is recorded', async () => {
    const events = await openSqliteEventStore(file);
    const keys = await openSqliteKeyStore(events);
    const store = encryptPersonalData(events, keys);
    const storage = await openSqliteReadModelStorage(events); // the report beside the events, as `taawun replay` keeps it
    const controller = new AbortController();
    const runner = new ProjectionRunner(cohortsProjection, { store, storage, commitIntervalMs: 10 });
    const following = runner.follow({ signal: controller.signal, commitDelayMs: 10 });
    // Ids of its own: the test above recorded with a counter from 1 already.
    const registrar = { ...deterministicContext('registrar'), newId: () => crypto.randomUUID() };
    try {
      const first = await caughtUp(storage, await store.lastPosition());
      const [held] = (await store.readStream('session-enm-new-judges-course-2016')).filter((e) => e.type === 'SessionHeld');
      // Nothing the report reads: it goes on in the same generation.
      const described = await handle(
        store,
        { type: 'CorrectRecord', stream: held!.stream, eventId: held!.id, changes: { place: { fr: 'Paris et Bordeaux' } }, reason: 'test: where the course was held' },
        registrar,
      );
      expect(described.ok && described.value.events.map((e) => e.type)).toEqual(['RecordCorrected']);
      expect(await caughtUp(storage, await store.lastPosition())).toBe(first);

      // A cohort the report reads: a new generation, swapped in when rebuilt.
      const corrected = await handle(
        store,
        { type: 'CorrectRecord', stream: held!.stream, eventId: held!.id, changes: { cohorts: [38, 39, 40] }, reason: 'test: the course also drew from cohort 38' },
        registrar,
      );
      expect(corrected.ok && corrected.value.events.map((e) => e.type)).toEqual(['RecordCorrected']);
      const second = await caughtUp(storage, await store.lastPosition());
      expect(second).toBeGreaterThan(first);
      const placements = cohortPlacements(await (await runner.read())!.state());
      expect(placements.filter((p) => p.sessionId === 'enm-new-judges-course-2016').map((p) => [p.cohort, p.withCohorts])).toEqual([
        [38, [39, 40]],
        [39, [38, 40]],
        [40, [38, 39]],
      ]);
      expect((await store.readStream(held!.stream)).find((e) => e.id === held!.id)?.data).toEqual(held!.data);
    } finally {
      controller.abort();
    }
    const result = await following;
    expect(result).toMatchObject({ phase: 'live', rebuiltFor: { correctedEventType: 'SessionHeld', fields: ['cohorts'] } });
    await keys.close();
    await events.close();
  });
});

/** Wait until the report's only generation is active at the head of the log; its number. */
async function caughtUp(storage: ReadModelStorage, head: bigint | undefined): Promise<number> {
  for (let waited = 0; waited < 20_000; waited += 20) {
    const generations = await storage.generations(cohortsProjection.name);
    const [only] = generations;
    if (generations.length === 1 && only!.status === 'active' && only!.version === cohortsProjection.version && only!.position === head) return only!.generation;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the report did not reach position ${head}`);
}
