import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The cohort report registered beside the built-in read models (`--read-model`):
 * answered by `taawun query`, served by `taawun serve` at /read-models/<name>,
 * listed in the report's index and shown as a report page, like the built-in ones.
 */

// Spawned programs run the build (`npx tsc -b`; the root `npm test` does it first).
const cli = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));
const readModel = fileURLToPath(new URL('../dist/read-model.js', import.meta.url));
const node = (args: string[], cwd: string) => promisify(execFile)(process.execPath, args, { cwd, encoding: 'utf8' });

let folder: string;
let store: string[];
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'taawun-registered-'));
  store = ['--store', `sqlite:${join(folder, 'taawun.db')}`];
  await node([cli, 'seed', ...store], folder);
});
afterAll(() => rm(folder, { recursive: true, force: true }));

const expected = [
  { cohort: 39, sessionId: 'enm-new-judges-course-2016', withCohorts: [40], judgesOnCourse: 2 },
  { cohort: 40, sessionId: 'enm-new-judges-course-2016', withCohorts: [39], judgesOnCourse: 2 },
  { cohort: 41, sessionId: 'enm-new-judges-course-2021', withCohorts: [], judgesOnCourse: 2, format: 'remote' },
];

describe('a report written later, registered with --read-model', () => {
  it('is answered by taawun query, as JSON and as a table, with its parameters and the time lenses', async () => {
    const json = JSON.parse((await node([cli, '--read-model', readModel, 'query', 'cohort-placements', '--format', 'json', ...store], folder)).stdout);
    expect(json).toMatchObject({ readModel: 'cohort-placements', version: 2, result: { placements: expected.map((e) => expect.objectContaining(e)) } });
    const one = JSON.parse((await node([cli, '--read-model', readModel, 'query', 'cohort-placements', '--param', 'cohort=41', '--format', 'json', ...store], folder)).stdout);
    expect(one.result.placements.map((p: { cohort: number }) => p.cohort)).toEqual([41]);
    const asOf2020 = JSON.parse((await node([cli, '--read-model', readModel, 'query', 'cohort-placements', '--as-of', '2020', '--format', 'json', ...store], folder)).stdout);
    expect(asOf2020.result.placements.map((p: { cohort: number }) => p.cohort)).toEqual([39, 40]);
    const table = (await node([cli, '--read-model', readModel, 'query', 'cohort-placements', ...store], folder)).stdout;
    expect(table).toMatch(/^cohort-placements \(3\)$/m);
    expect(table).toContain('"sessionId":"enm-new-judges-course-2021"');
    const listed = (await node([cli, '--read-model', readModel, 'query'], folder)).stdout;
    expect(listed).toMatch(/^cohort-placements\tCohort placements: /m);
  });

  it('is served at /read-models/cohort-placements, listed in the report index and shown as a report page', async () => {
    const config = join(folder, 'server.json');
    const key = (await node([cli, 'keys', 'add', 'reader', '--role', 'auditor', '--config', config], folder)).stdout.trim();
    const child = spawn(process.execPath, [cli, '--read-model', readModel, 'serve', ...store, '--config', config, '--port', '0'], { cwd: folder });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`not serving after 20 s: ${out}`)), 20_000);
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const found = /report: +(http:\/\/\S+)\/report/.exec(out);
          if (found && out.includes('Press Ctrl+C')) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
      });
      const api = await fetch(`${url}/read-models/cohort-placements?limit=2`, { headers: { authorization: `Bearer ${key}` } });
      expect(api.status).toBe(200);
      const answer = (await api.json()) as { result: { placements: unknown[] }; page: unknown };
      expect(answer.result.placements).toEqual(expected.slice(0, 2).map((e) => expect.objectContaining(e)));
      expect(answer.page).toEqual({ list: 'placements', offset: 0, limit: 2, total: 3, nextOffset: 2 });
      const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(doc.paths).toHaveProperty('/read-models/cohort-placements');
      const basic = { authorization: `Basic ${Buffer.from(`me:${key}`).toString('base64')}` };
      const index = await (await fetch(`${url}/report`, { headers: basic })).text();
      expect(index).toContain('data-read-model="cohort-placements"');
      const page = await fetch(`${url}/report/read-models/cohort-placements`, { headers: basic });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('enm-new-judges-course-2021');
    } finally {
      child.kill('SIGINT');
    }
  }, 60_000);
});
