import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command line: spawned tests run what a user runs (`npx tsc -b` first; `npm test` does it). */
export const cliMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `node dist/main.js ...args` in `cwd`, with TAAWUN_* variables only from `env`. */
export function taawun(args: readonly string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number; script?: string }): Promise<Outcome> {
  const script = options.script ?? cliMain;
  if (!existsSync(script)) throw new Error(`${script} is missing: build first with "npx tsc -b"`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAAWUN_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: options.cwd, env: { ...env, ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * `ask` of every item, two at a time, the answers in the items' order: for commands that
 * only read, whose answers do not depend on one another (the machine has two cores, and
 * a test waiting on one child process leaves the other idle).
 */
export async function twoAtATime<const T extends readonly unknown[], A>(items: T, ask: (item: T[number]) => Promise<A>): Promise<{ -readonly [K in keyof T]: A }> {
  const answers: A[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) answers[i] = await ask(items[i]);
  };
  await Promise.all([lane(), lane()]);
  return answers as { -readonly [K in keyof T]: A };
}

/** A fresh temporary folder, removed by the returned function. */
export async function temporaryFolder(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `taawun-cli-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** No stack trace: no "    at " frame lines and no file:line references of our code. */
/**
 * Standard error without the witness's notice of positions a writer found unwitnessed at open (an embedding
 * program's appends through the library, without a witness, are: the next command that writes says so once).
 */
export const withoutWitnessNotices = (stderr: string): string => stderr.replace(/^taawun: witness: positions? \d+(–\d+)? (was|were) in no witnessed checkpoint .*\n/gm, '');

export const hasNoStackTrace = (text: string): boolean => !/^\s+at .+/m.test(text) && !/\.(ts|js):\d+:\d+/.test(text);

/**
 * Every read model's answer over a store, without where it came from: two stores
 * holding the same log must give equal ones.
 */
export async function everyReadModel(store: import('@taawun/domain').EventStore): Promise<Record<string, unknown>> {
  const projections = await import('@taawun/projections');
  const model = await projections.replay(store, projections.participantRecordProjection);
  const answers: Record<string, unknown> = {};
  const ask = async (name: string, params: Record<string, unknown>, lens = {}) => {
    const answer = await projections.queryReadModel({ store }, name, params, lens);
    if (!answer.ok) throw new Error(`${name} ${JSON.stringify(params)}: ${answer.error.message}`);
    answers[`${name} ${JSON.stringify(params)} ${JSON.stringify(lens)}`] = JSON.parse(JSON.stringify(answer.value.result));
  };
  for (const partnerId of await projections.recordIds(model, 'partners')) {
    await ask('partner-history', { partnerId });
    await ask('partner-history', { partnerId }, { asOf: '2016-12-31' });
  }
  for (const participantId of await projections.recordIds(model, 'participants')) await ask('participant-record', { participantId });
  await ask('agreements-register', {});
  await ask('yearly-activity-report', {});
  await ask('yearly-activity-report', {}, { asOf: '2018' });
  for (const stream of ['institute-ism', 'partner-enm-france', 'session-enm-new-judges-course-2016', 'visit-madrid-study-visit']) await ask('audit-trail', { stream });
  return answers;
}

export interface Served {
  readonly output: () => string;
  readonly url: string;
  readonly stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Spawn `taawun <args>` and wait until it says it serves; `stop` sends a signal and waits for the exit. */
export function serve(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<Served> {
  const child = spawn(process.execPath, [cliMain, ...args, '--port', '0'], { cwd: options.cwd, env: { ...process.env, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Press Ctrl+C" after 20 s: ${stdout} ${stderr}`)), 20_000);
    void exited.then((r) => reject(new Error(`exited with ${r.code}: ${r.stderr}`)));
    child.stdout.on('data', () => {
      if (!stdout.includes('Press Ctrl+C to stop.')) return;
      clearTimeout(timer);
      resolve({
        output: () => stdout,
        url: /report: +(http:\/\/\S+)\/report/.exec(stdout)![1]!,
        stop: (signal = 'SIGINT') => {
          child.kill(signal);
          return exited;
        },
      });
    });
  });
}

