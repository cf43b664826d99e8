/**
 * The time-lens workload alone, at one size, without the rest of the bench:
 *
 *   node bench/lens.mjs --size 100000 [--seed 42] [--repeat 20] [--replays 2] [--reuse]
 *
 * Generates (or reuses from bench/.cache) the bench's log, imports it into a
 * fresh SQLite file under bench/work/lens-n<size>/, then runs
 * `workloads/lens.mjs` in its own process and prints its result as JSON.
 * `--reuse` keeps the file of an earlier run (its models are caught up).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureLog } from './lib/log.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { size: { type: 'string', default: '100000' }, seed: { type: 'string', default: '42' }, repeat: { type: 'string', default: '20' }, replays: { type: 'string', default: '2' }, reuse: { type: 'boolean', default: false } } });
const events = Number(values.size);
const generated = ensureLog({ seed: Number(values.seed), events, sample: 2000, cacheDir: join(benchDir, '.cache'), log: (line) => process.stderr.write(`${line}\n`) });
const work = join(benchDir, 'work', `lens-n${events}`);
const dbFile = join(work, 'taawun.db');
const reuse = values.reuse && existsSync(dbFile);
if (!reuse) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
}

/** One workload in its own process (lib/child.mjs): its result. */
function child(module, fn, args) {
  const out = execFileSync(process.execPath, [join(benchDir, 'lib', 'child.mjs'), join(benchDir, module), fn, JSON.stringify(args)], { cwd: benchDir, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  const last = out.trim().split('\n').at(-1) ?? '';
  if (!last.startsWith('RESULT ')) throw new Error(`${fn}: ${last}`);
  return JSON.parse(last.slice(7));
}

if (!reuse) {
  process.stderr.write(`importing ${events.toLocaleString('en')} events into ${dbFile}\n`);
  const imported = child('workloads/taawun.mjs', 'importTaawun', { logFile: generated.file, dbFile, maxBatch: 500, headHash: generated.headHash });
  process.stderr.write(`imported in ${(imported.ms / 1000).toFixed(1)} s\n`);
}
process.stderr.write('timing the lenses\n');
const partners = ['enm-france', 'giz', 'aecid', 'enabel', 'ssm-italy'];
const result = child('workloads/lens.mjs', 'lensTaawun', { dbFile, partners, repeat: Number(values.repeat), replays: Number(values.replays) });
process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), command: `node bench/lens.mjs --size ${events}`, ...result }, null, 2)}\n`);
