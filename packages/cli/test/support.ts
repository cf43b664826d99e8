import { execFile } from 'node:child_process';
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

/** A fresh temporary folder, removed by the returned function. */
export async function temporaryFolder(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `taawun-cli-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** No stack trace: no "    at " frame lines and no file:line references of our code. */
export const hasNoStackTrace = (text: string): boolean => !/^\s+at .+/m.test(text) && !/\.(ts|js):\d+:\d+/.test(text);
