import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliMain, taawun, temporaryFolder, type Outcome } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
const run = (...args: string[]): Promise<Outcome> => taawun([...args, '--store', `sqlite:${folder.path}/taawun.db`], { cwd: folder.path });
const finalLine = /^Replayed (\S+) v(\d+): (\d+) events \((\d+) applied\) in (\d+\.\d{3}) s, (\d+) events\/s; stored in SQLite file .*\.\n$/;

beforeAll(async () => {
  folder = await temporaryFolder('replay');
  await run('seed');
  // A projection written after the fact, as a plain definition in a module of its own.
  await writeFile(
    `${folder.path}/sessions-per-year.mjs`,
    `export default {
      name: 'sessions-per-year', version: 1, handles: ['SessionHeld'], initialState: {},
      evolve: (state, event) => { const year = /^\\d{4}$/.test(event.data.heldOn) ? event.data.heldOn : 'other'; return { ...state, [year]: (state[year] ?? 0) + 1 }; },
    };\n`,
  );
  await writeFile(`${folder.path}/nothing.mjs`, 'export const answer = 42;\n');
});
afterAll(() => folder.remove());

describe('taawun replay', () => {
  it.each(['partner-history', 'agreements-register', 'yearly-activity-report', 'participant-record'])('rebuilds %s and ends with events, seconds and rate; no progress bar when stderr is not a terminal', async (name) => {
    const result = await run('replay', name);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [, projection, , events] = finalLine.exec(result.stdout) ?? [];
    expect(projection).toBe(name);
    expect(Number(events)).toBeGreaterThan(40);
  });

  it('replays a projection from a module path, and --format json gives its state', async () => {
    const text = await run('replay', 'sessions-per-year.mjs');
    expect(text.stdout).toMatch(finalLine);
    const json = JSON.parse((await run('replay', './sessions-per-year.mjs', '--format', 'json')).stdout);
    expect(json).toMatchObject({ projection: 'sessions-per-year', version: 1, applied: 11 });
    expect(json.state).toEqual({ '2016': 1, '2018': 2, '2021': 1, other: 7 }); // only the sessions dated by a bare year
    expect(json.events).toBeGreaterThan(0);
    expect(typeof json.seconds).toBe('number');
  });

  it('draws a progress bar on stderr when it is a terminal', async () => {
    // `script` gives the child a pseudo-terminal; the bar then goes to it, the final line after it.
    const { stdout } = await promisify(execFile)('script', ['-qec', `${process.execPath} ${cliMain} replay partner-history --store sqlite:${folder.path}/taawun.db`, '/dev/null'], {
      cwd: folder.path,
      encoding: 'utf8',
    });
    expect(stdout).toMatch(/partner-history \[█+\] 100% \| \d+\/\d+ events/);
    expect(stdout).toMatch(/Replayed partner-history v\d+: \d+ events/);
  });

  it('refuses what is not a projection as bad usage', async () => {
    const unknown = await run('replay', 'partner-histories');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^taawun: partner-histories is neither a projection \(partner-history, .*\) nor a module file\n$/);
    const none = await run('replay', 'nothing.mjs');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/exports no projection/);
  });
});
