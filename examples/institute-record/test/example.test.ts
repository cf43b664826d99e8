import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instituteRecord, loadAndShowHistory } from '../src/index.js';

// The spawned program runs the build (`npx tsc -b`; the root `npm test` does it first).
const program = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const node = (args: string[], cwd: string) => promisify(execFile)(process.execPath, args, { cwd, encoding: 'utf8' });

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'taawun-institute-record-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe("using the institute's record", () => {
  it("loads it into a store named by URL and reads ENM's history, from the 1998 agreement to the 2021 course, then the undated programmes", async () => {
    const { loaded, lines } = await loadAndShowHistory('memory:', 'enm-france');
    expect(loaded).toEqual({ recorded: instituteRecord.length, alreadyPresent: 0, failures: [] });
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^16 November 1998 +Agreement signed +Cooperation agreement$/);
    expect(lines.at(-3)).toMatch(/^2021 +Course held +Two-month course for new judges on the French judiciary$/);
    // F15's programme and F16's yearly course: the text dates neither.
    expect(lines.slice(-2).every((l) => /^date unknown +Annual programme started/.test(l))).toBe(true);
  });

  it('into a SQLite file twice: the second load adds nothing and the history is the same', async () => {
    const store = `sqlite:${join(folder, 'taawun.db')}`;
    const first = await loadAndShowHistory(store, 'giz');
    const second = await loadAndShowHistory(store, 'giz');
    expect(second.loaded).toEqual({ recorded: 0, alreadyPresent: instituteRecord.length, failures: [] });
    expect(second.lines).toEqual(first.lines);
  });

  it('the program prints the partner asked for', async () => {
    const { stdout } = await node([program, 'giz'], folder);
    expect(stdout).toMatch(/^giz: 4 entries$/m);
    expect(stdout).toMatch(/^ {2}7–8 November 2018 +Training session held +Training session for judicial attachés$/m);
  });

  it('an unknown partner is one line on stderr and exit code 1', async () => {
    const failed = await node([program, 'nobody'], folder).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(failed?.stderr).toMatch(/^institute-record: .*nobody/);
  });
});
