import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteEventStore, openSqliteReadModelStorage } from '@taawun/adapter-sqlite';
import type { StoredEvent } from '@taawun/domain';
import { allRows, exportModel, ProjectionRunner, projections, queryReadModel, readModelTables, type AnyProjection, type ReadModelStorage } from '@taawun/projections';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresEventStore } from './event-store.js';
import { openPostgresReadModelStorage } from './read-model-storage.js';
import { TEST_DATABASE_URL, adminClient, reportClient, schemaPool } from './test-support/database.js';
import { copyInto, enmCourse, instituteLog, record } from './test-support/institute.js';
import { expectedTable, tableAsJson } from './test-support/tables.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliMain = join(repositoryRoot, 'packages/cli/dist/main.js');
const schemas = schemaPool('transfer');
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'taawun-pg-transfer-'));
  // The CLI runs from dist and loads this package's dist for postgres://: build both (no-ops when current).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const targets = ['packages/adapter-postgres', ...(existsSync(cliMain) ? [] : ['packages/cli'])];
  const build = spawnSync(process.execPath, [tsc, '-b', ...targets], { cwd: repositoryRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building ${targets.join(', ')} failed:\n${build.stdout}${build.stderr}`);
}, 180_000);
afterAll(async () => {
  await schemas.dropAll();
  await rm(folder, { recursive: true, force: true });
});

/** `node packages/cli/dist/main.js ...args`, with no TAAWUN_* variable from the environment. */
function taawun(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAAWUN_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [cliMain, ...args], { cwd: folder, env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** Build every built-in read model in a storage, and return each one's active model, exported (documents and index entries). */
async function buildAll(store: Parameters<typeof copyInto>[0], storage: ReadModelStorage): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  for (const projection of Object.values(projections) as AnyProjection[]) {
    const runner = new ProjectionRunner(projection, { store, storage, batchSize: 7 });
    await runner.rebuild();
    const { active } = await runner.status();
    states.set(projection.name, await exportModel(storage, projection.name, active!.generation));
  }
  return states;
}

describe('taawun export from SQLite, taawun import into PostgreSQL', () => {
  it('gives the same log and the same read models: documents and index entries, answers, and the rm_ tables', async () => {
    // The institute's record and more after it (courses, a correction, a rename), in a SQLite file.
    const file = join(folder, 'source.db');
    const sqlite = await openSqliteEventStore(file);
    await copyInto(sqlite, await instituteLog());
    await record(sqlite, [...enmCourse('enm-course-2022', '2022', 14), ...enmCourse('enm-course-2023', '2023-05', 9)]);
    const held: StoredEvent[] = [];
    for await (const e of sqlite.readAll({ filter: { types: ['SessionHeld'] } })) held.push(e);
    const course = held.find((e) => e.stream.endsWith('enm-course-2022'))!;
    await record(sqlite, [
      { type: 'CorrectRecord', stream: course.stream, eventId: course.id, changes: { attendance: { count: 15, basis: 'total' } }, reason: 'attendance sheet recounted' },
      { type: 'RenamePartner', partnerId: 'giz', name: { en: 'GIZ (renamed for the test)' }, effectiveOn: '2023-01-01' },
    ]);
    await sqlite.close();

    const exported = await taawun(['export', '--store', `sqlite:${file}`]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trimEnd().split('\n');
    await writeFile(join(folder, 'log.ndjson'), exported.stdout);
    const schema = schemas.fresh();
    const imported = await taawun(['import', 'log.ndjson', '--store', `${TEST_DATABASE_URL}?schema=${schema}`, '--keys', 'sqlite:keys.db']);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain(`${lines.length} appended`);

    const source = await openSqliteEventStore(file);
    const sqliteStorage = await openSqliteReadModelStorage(source);
    const target = await openPostgresEventStore(TEST_DATABASE_URL, { schema });
    const postgresStorage = await openPostgresReadModelStorage(target);
    try {
      expect(await target.lastPosition()).toBe(await source.lastPosition());
      const fromSqlite = await buildAll(source, sqliteStorage);
      const fromPostgres = await buildAll(target, postgresStorage);
      for (const [name, state] of fromSqlite) expect(fromPostgres.get(name), name).toBe(state);

      // The answers of every read model, for every partner and participant, from each side's stored models.
      const admin = await adminClient();
      const ids = async (table: string, column: string) =>
        (await admin.query<{ id: string }>(`SELECT ${column} AS id FROM ${pg.escapeIdentifier(schema)}.${table} ORDER BY 1`)).rows.map((r) => r.id);
      const questions: [string, Record<string, string>][] = [
        ['agreements-register', {}],
        ['yearly-activity-report', {}],
        ...(await ids('rm_partners', 'partner_id')).map((partnerId): [string, Record<string, string>] => ['partner-history', { partnerId }]),
        ...(await ids('rm_participants', 'participant_id')).map((participantId): [string, Record<string, string>] => ['participant-record', { participantId }]),
      ];
      await admin.end();
      expect(questions.length).toBeGreaterThan(10);
      for (const [name, params] of questions) {
        const a = await queryReadModel({ store: source, storage: sqliteStorage }, name, params);
        const b = await queryReadModel({ store: target, storage: postgresStorage }, name, params);
        expect(a.ok && b.ok, `${name} ${JSON.stringify(params)}`).toBe(true);
        if (a.ok && b.ok) {
          expect(a.value.source.kind).toBe('stored');
          expect(b.value.source.kind).toBe('stored');
          expect(b.value.result, `${name} ${JSON.stringify(params)}`).toEqual(a.value.result);
        }
      }

      // PostgreSQL's tables hold the SQLite side's read models, row for row.
      const sql = async (text: string) => {
        const client = await reportClient();
        try {
          await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
          return (await client.query(text)).rows;
        } finally {
          await client.end();
        }
      };
      for (const definition of Object.values(readModelTables)) {
        const rows = await allRows(definition, (await new ProjectionRunner(definition.projection, { store: source, storage: sqliteStorage }).read())!);
        for (const table of definition.tables) expect(await tableAsJson(sql, table), table.name).toEqual(expectedTable(rows, table));
      }
      const [corrected] = await sql(`SELECT people_trained, corrections FROM rm_partner_history WHERE record_id = 'enm-course-2022'`);
      expect(corrected).toEqual({ people_trained: 15, corrections: 1 });
    } finally {
      await sqliteStorage.close();
      await source.close();
      await postgresStorage.close();
      await target.close();
    }
  }, 120_000);
});
