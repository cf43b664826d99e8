import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeEvent, InMemoryEventStore, type CommandInput } from '@taawun/domain';
import { deterministicContext, recordCommands } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { exportModel, foldInMemory, projections, replay, type AnyProjection } from '@taawun/projections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteEventStore, type SqliteEventStore } from './event-store.js';
import { openSqliteReadModelStorage } from './read-model-storage.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./read-model-rebuild.fixture.mjs', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'taawun-read-model-crash-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

beforeAll(() => {
  // The child runs the compiled packages: build them (a quick no-op when dist is current).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-b', 'packages/adapter-sqlite'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building packages/adapter-sqlite failed:\n${build.stdout}${build.stderr}`);
}, 180_000);

/** The institute's record, then a few hundred more activities with corrections, copied into a SQLite file. */
async function sqliteLog(path: string): Promise<SqliteEventStore> {
  const memory = new InMemoryEventStore();
  const context = deterministicContext('seed');
  await loadInstituteRecord(memory, context);
  const commands: CommandInput[] = [];
  for (let i = 0; i < 110; i++) {
    const sessionId = `generated-${i}`;
    commands.push(
      { type: 'RegisterPartner', partnerId: `partner-${i}`, name: { en: `Partner ${i}`, ar: `الشريك ${i}` }, kind: 'agency' },
      { type: 'RegisterParticipant', participantId: `judge-${i}`, kind: 'judge', personal: { fullName: { en: `Judge ${i}` } } },
      { type: 'ScheduleSession', sessionId, title: { en: `Session ${i}` }, kind: 'course', partners: [`partner-${i}`, 'giz'], plannedFor: `${2010 + (i % 12)}` },
      { type: 'EnrolParticipant', sessionId, participantId: `judge-${i}`, role: 'trainee' },
      { type: 'RecordSessionHeld', sessionId, heldOn: `${2010 + (i % 12)}`, attendance: { count: 10 + i, basis: 'total' } },
    );
  }
  await recordCommands(memory, commands, context);
  const log = [];
  for await (const e of memory.readAll()) log.push(e);
  // Correct some held sessions' dates: corrections are part of what is replayed.
  const corrections: CommandInput[] = log
    .filter((e) => e.type === 'SessionHeld' && e.stream.startsWith('session-generated-') && e.revision % 2 === 0)
    .slice(0, 40)
    .map((e) => ({ type: 'CorrectRecord', stream: e.stream, eventId: e.id, changes: { heldOn: '2009' }, reason: 'date confirmed' }));
  await recordCommands(memory, corrections, context);
  const store = await openSqliteEventStore(path);
  for await (const e of memory.readAll()) {
    const result = await store.append(e.stream, [e], { expectedRevision: 'any' });
    if (!result.ok) throw new Error('copy failed');
  }
  return store;
}

interface ChildRun {
  readonly commits: { position: bigint; eventsApplied: number }[];
  readonly done: boolean;
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
  readonly stderr: string;
}

/** Run the child; kill it with SIGKILL once it has reported `killAfter` commits (never, when undefined). */
function runChild(path: string, projection: string, batchSize: number, killAfter?: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fixture, path, projection, String(batchSize)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const commits: ChildRun['commits'] = [];
    let done = false;
    let partial = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line) as { kind: string; position?: string; eventsApplied?: number };
        if (message.kind === 'done') done = true;
        else commits.push({ position: BigInt(message.position!), eventsApplied: message.eventsApplied! });
        if (killAfter !== undefined && commits.length >= killAfter) child.kill('SIGKILL');
      }
    });
    child.on('close', (code, signal) => resolve({ commits, done, exit: { code, signal }, stderr }));
  });
}

/** The projection folded over the log up to a position, in memory: what a checkpoint there must hold (documents, index entries, counters). */
async function foldUpTo(store: SqliteEventStore, projection: AnyProjection, position: bigint | undefined): Promise<string> {
  async function* upTo() {
    if (position === undefined) return;
    for await (const stored of store.readAll({ filter: { types: projection.handles } })) {
      if (stored.position > position) break;
      const decoded = decodeEvent(stored);
      if (!decoded.ok) throw new Error(decoded.error.message);
      yield [decoded.value];
    }
  }
  return (await foldInMemory(projection, upTo())).export();
}

describe('a rebuild killed with SIGKILL', () => {
  it('resumes from its last commit and ends identical to a clean rebuild; every commit holds exactly the events up to its checkpoint', async () => {
    const path = join(folder, 'events.db');
    const store = await sqliteLog(path);
    const projection = projections['partner-history'];
    const head = (await store.lastPosition())!;
    expect(head).toBeGreaterThan(600n);

    const kills: string[] = [];
    let previous: bigint | undefined;
    for (let round = 0; round < 4; round++) {
      const killAfter = 1 + Math.floor(Math.random() * 30); // of ~150 commits in all: kills land all along the rebuild, never after its end
      const run = await runChild(path, projection.name, 5, killAfter);
      kills.push(`round ${round}: killed after ${killAfter} commits at ${String(run.commits.at(-1)?.position)}`);
      expect(run.exit.signal, `${kills.join('\n')}\n${run.stderr}`).toBe('SIGKILL');
      expect(run.done).toBe(false);

      // What the file holds now: one unfinished generation, consistent with its checkpoint.
      const storage = await openSqliteReadModelStorage(store);
      const generations = await storage.generations(projection.name);
      expect(generations).toHaveLength(1);
      const building = generations[0]!;
      expect(building.status).toBe('building');
      expect(building.position).toBeDefined();
      expect(building.position! < head, kills.join('\n')).toBe(true);
      if (previous !== undefined) expect(building.position! >= previous).toBe(true);
      previous = building.position;
      expect(await exportModel(storage, projection.name, building.generation)).toBe(await foldUpTo(store, projection, building.position));
      const handledUpTo = store.database
        .prepare(`SELECT count(*) FROM events WHERE position <= ? AND type IN (SELECT value FROM json_each(?))`)
        .pluck()
        .get(building.position!, JSON.stringify(projection.handles));
      expect(building.eventsApplied).toBe(handledUpTo);
      expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
    }

    const finish = await runChild(path, projection.name, 5);
    expect(finish.done, finish.stderr).toBe(true);
    const storage = await openSqliteReadModelStorage(store);
    const [active] = await storage.generations(projection.name);
    expect(active).toMatchObject({ status: 'active', position: head });
    const clean = await (await replay(store, projection)).export();
    expect(await exportModel(storage, projection.name, active!.generation)).toBe(clean);
    await store.close();
  }, 120_000);
});
