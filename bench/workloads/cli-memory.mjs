/**
 * Peak memory of the CLI's long commands on a large log, each in a process of
 * its own, as a user runs them: `partners`, `report participants` and `report
 * yearly` (a page of 100 rows, then the whole list), `export` and `import`. The
 * first run of each reading command also builds the stored read model it
 * answers from (a catch-up from the start of the log): measured apart, so the
 * others show what a query costs once it is built.
 * Target (issue "Fast at a ministry's scale"): under 250 MB each at 1M events.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const cliMain = join(dirname(benchDir), 'packages/cli/dist/main.js');
const preload = join(benchDir, 'lib/rss-at-exit.cjs');

/** Run `taawun args` to completion, its output to `<label>.out` (a file, as a user redirects it); its peak RSS (MB), time (ms) and output size. */
function runCli(args, work, label) {
  const rssFile = join(work, `${label}.rss`);
  const outFile = join(work, `${label}.out`);
  const out = openSync(outFile, 'w');
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--require', preload, cliMain, ...args], {
    cwd: work,
    env: { ...process.env, TAAWUN_BENCH_RSS_FILE: rssFile, TAAWUN_PROGRESS: 'never' },
    stdio: ['ignore', out, 'pipe'],
  });
  const ms = performance.now() - started;
  closeSync(out);
  if (run.status !== 0) throw new Error(`taawun ${args.join(' ')} exited ${run.status}: ${String(run.stderr).slice(0, 500)}`);
  return { peakRssMb: Math.round(Number(readFileSync(rssFile, 'utf8')) / 1048576), ms: Math.round(ms), outputBytes: statSync(outFile).size, outFile };
}

/**
 * @param {{ dbFile: string; formats?: string[] }} args the SQLite file the import workload wrote (copied: the original is left as
 * it is); `formats`: the whole participant list is also written in these (`json`, `csv`, `markdown`) besides the table
 */
export async function cliMemoryTaawun({ dbFile, formats = [] }) {
  const work = mkdtempSync(join(tmpdir(), 'taawun-cli-memory-'));
  try {
    const db = join(work, 'taawun.db');
    copyFileSync(dbFile, db);
    const store = ['--store', `sqlite:${db}`];
    const results = {};
    for (const [label, command] of [
      ['partners', ['partners']],
      ['participants', ['report', 'participants']],
      ['yearly', ['report', 'yearly']],
    ]) {
      // The first run builds the stored read model it answers from (catch-up); the next ones only query.
      results[`${label}CatchUp`] = runCli([...command, '--limit', '100', ...store], work, `${label}-catch-up`);
      results[`${label}Page`] = runCli([...command, '--limit', '100', ...store], work, `${label}-page`);
      results[`${label}All`] = runCli([...command, ...store], work, `${label}-all`);
    }
    for (const format of formats) {
      results[`participantsAll-${format}`] = runCli(['report', 'participants', '--format', format, ...store], work, `participants-all-${format}`);
    }
    results.export = runCli(['export', ...store], work, 'export');
    results.import = runCli(['import', results.export.outFile, '--store', `sqlite:${join(work, 'imported.db')}`], work, 'import');
    for (const result of Object.values(results)) delete result.outFile;
    return { results };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
