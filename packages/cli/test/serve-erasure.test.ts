import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliMain, taawun, temporaryFolder } from './support.js';

/**
 * `taawun erase-participant` while `taawun serve` runs on the same file: the
 * erasure's purge rebuilds the stored read models and deletes the generations
 * the server's followers write. The server must notice and follow the new
 * ones, or everything recorded after the erasure is missing from its answers.
 */

let folder: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  folder = await temporaryFolder('serve-erasure');
});
afterAll(() => folder.remove());

function serve(args: string[]): Promise<{ url: string; stop: () => Promise<{ code: number | null; stderr: string }> }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAAWUN_')));
  const child = spawn(process.execPath, [cliMain, 'serve', ...args, '--port', '0'], { cwd: folder.path, env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not serving after 20 s: ${stdout} ${stderr}`)), 20_000);
    void exited.then((r) => reject(new Error(`exited with ${r.code}: ${r.stderr}`)));
    child.stdout.on('data', () => {
      if (!stdout.includes('Press Ctrl+C to stop.')) return;
      clearTimeout(timer);
      resolve({
        url: /API: +(http:\/\/\S+)\/docs/.exec(stdout)![1]!,
        stop: () => {
          child.kill('SIGINT');
          return exited;
        },
      });
    });
  });
}

describe('taawun erase-participant while taawun serve runs', () => {
  it('the server follows the purged read models: a participant registered after the erasure is found in the stored model', async () => {
    const store = `sqlite:${folder.path}/taawun.db`;
    const config = `${folder.path}/taawun.json`;
    const added = await taawun(['keys', 'add', 'admin', '--role', 'admin', '--config', config], { cwd: folder.path });
    expect(added.code).toBe(0);
    const key = added.stdout.trim();
    const server = await serve(['--store', store, '--config', config]);
    const call = (path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const register = async (participantId: string, name: string) =>
      expect((await call('/commands/register-participant', { participantId, kind: 'judicial-attache', cohort: 41, personal: { fullName: { fr: name } } })).status).toBe(200);
    const inStoredModel = (participantId: string) =>
      expect
        .poll(async () => {
          const response = await call(`/read-models/participant-record?participantId=${participantId}`);
          const body = (await response.json()) as { source?: { kind: string } };
          return `${response.status} ${body.source?.kind}`;
        }, { timeout: 15_000, interval: 200 })
        .toBe('200 stored');
    let stopped: { code: number | null; stderr: string } | undefined;
    try {
      await register('attache-41-a', 'Amina El Alaoui');
      await inStoredModel('attache-41-a');

      const erased = await taawun(['erase-participant', 'attache-41-a', '--reason', 'request of 2024-05-28, file DPO-2024-17', '--store', store], { cwd: folder.path });
      expect(erased.code).toBe(0);
      expect(erased.stdout).toContain('stored read models rebuilt: ');

      await register('attache-41-b', 'Karim Tazi');
      await inStoredModel('attache-41-b');
      const first = await (await call('/read-models/participant-record?participantId=attache-41-a')).text();
      expect(first).not.toContain('Amina');
    } finally {
      stopped = await server.stop();
    }
    expect(stopped.code).toBe(0);
    // The server said why its followers started again.
    expect(stopped.stderr).toMatch(/read model participant-record: (generation \d+ is no longer the active one|another runner replaced or wrote)/);
  }, 60_000);
});
