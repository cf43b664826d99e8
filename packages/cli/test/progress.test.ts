import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/io.js';
import { progress } from '../src/output/progress.js';
import { cliMain, taawun, temporaryFolder, type Outcome } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
const store = () => `sqlite:${folder.path}/taawun.db`;
const run = (args: string[], env: Record<string, string> = {}): Promise<Outcome> => taawun([...args, '--store', store()], { cwd: folder.path, env });

beforeAll(async () => {
  folder = await temporaryFolder('progress');
  expect((await run(['seed'])).code).toBe(0);
  const exported = await run(['export']);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(`${folder.path}/log.ndjson`, exported.stdout);
});
afterAll(() => folder.remove());

/** An Io whose stderr is collected; a terminal or a pipe as asked. */
function collected(isTTY: boolean, env: Record<string, string> = {}): { io: Io; text: () => string } {
  const stderr = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stderr.on('data', (chunk) => (text += chunk));
  return { io: { stdout: new PassThrough(), stderr, env, cwd: '.' }, text: () => text };
}

describe('the one progress display', () => {
  it('draws nothing on a pipe, and the bar with rate and ETA on a terminal', () => {
    const pipe = collected(false);
    const onPipe = progress(pipe.io, 'verify');
    onPipe.update(500, 1000);
    onPipe.stop();
    expect(pipe.text()).toBe('');

    const terminal = collected(true);
    const shown = progress(terminal.io, 'verify');
    shown.update(500, 1000);
    shown.update(1000, 1000);
    shown.stop();
    expect(terminal.text()).toMatch(/verify \[█+\] 100% \| 1000\/1000 events \| [\d,]+ events\/s \| ETA \d+s/);
  });

  it('TAAWUN_PROGRESS=always draws it on a pipe, never keeps a terminal quiet; a count without a total has no bar', () => {
    const forced = collected(false, { TAAWUN_PROGRESS: 'always' });
    const counting = progress(forced.io, 'import: checking log.ndjson');
    counting.update(4000);
    counting.stop();
    expect(forced.text()).toMatch(/import: checking log\.ndjson 4000 events \| [\d,]+ events\/s/);
    const quiet = collected(true, { TAAWUN_PROGRESS: 'never' });
    progress(quiet.io, 'export').update(1, 2);
    expect(quiet.text()).toBe('');
  });
});

describe('long commands show progress on stderr only when asked to or on a terminal', () => {
  const longCommands: [string, string[]][] = [
    ['export', ['export']],
    ['import', ['import', 'log.ndjson']],
    ['verify', ['verify']],
    ['report yearly (catching up)', ['report', 'yearly']],
    ["history through a lens (the catalogue of the records' streams)", ['history', 'enm-france', '--as-of', '2016-12-31']],
    ['replay', ['replay', 'partner-history']],
  ];

  it.each(longCommands)('%s: nothing on stderr when it is a pipe', async (_name, args) => {
    const result = await run(args);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it.each(longCommands)('%s: progress with its rate when forced on (TAAWUN_PROGRESS=always)', async (_name, args) => {
    const result = await run(args, { TAAWUN_PROGRESS: 'always' });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\d+(\/\d+)? events \| [\d,]+ events\/s/);
  });

  it('report yearly through a lens on a store with no model built: the catalogue of streams and the report are caught up with progress, then the lens folds the streams it changes into the stored report', async () => {
    const fresh = await temporaryFolder('progress-lens');
    try {
      const on = (args: string[], env: Record<string, string> = {}) => taawun([...args, '--store', `sqlite:${fresh.path}/taawun.db`], { cwd: fresh.path, env });
      expect((await on(['seed'])).code).toBe(0);
      const result = await on(['report', 'yearly', '--as-of', '2022', '--format', 'json'], { TAAWUN_PROGRESS: 'always' });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/yearly-activity-report: cataloguing the records' streams/);
      expect(result.stderr).toMatch(/yearly-activity-report: catching up/);
      // As of 2022 only the records dated with an unknown year change; as of 2016, more than half the seed does: replayed, and said why.
      expect(JSON.parse(result.stdout).source).toMatchObject({ kind: 'streams', streamsRead: 2 });
      const earlier = JSON.parse((await on(['report', 'yearly', '--as-of', '2016-12-31', '--format', 'json'])).stdout).source;
      expect(earlier).toMatchObject({ kind: 'replayed', reason: expect.stringMatching(/the lens changes at least \d+ of the log's \d+ events/) });
    } finally {
      await fresh.remove();
    }
  });

  it('verify on a terminal (a pseudo-terminal) draws the bar, then answers', async () => {
    // `script` gives the child a pseudo-terminal.
    const { stdout } = await promisify(execFile)('script', ['-qec', `${process.execPath} ${cliMain} verify --store ${store()}`, '/dev/null'], { cwd: folder.path, encoding: 'utf8' });
    expect(stdout).toMatch(/verify \[█+\] 100% \| \d+\/\d+ events/);
    expect(stdout).toMatch(/intact: \d+ events/);
  });
});
