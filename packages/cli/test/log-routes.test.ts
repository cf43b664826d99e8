import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { refusalsFileOf } from '@taawun/runtime';
import { processIo, witnessLocationOf } from '../src/io.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, taawun, temporaryFolder } from './support.js';
import { rewriteSqliteLog } from './tamper-cases.js';

let folder: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  folder = await temporaryFolder('log-routes');
});
afterAll(() => folder.remove());

describe('GET /log/… for auditors', () => {
  it('serves the signed checkpoint and proofs that verify offline and with taawun verify --against', async () => {
    const run = (args: string[]) => taawun(args, { cwd: folder.path });
    expect((await run(['seed'])).code).toBe(0);
    const auditor = (await run(['keys', 'add', 'auditor-court', '--role', 'auditor'])).stdout.trim();
    const publicKey = (await run(['key', 'export'])).stdout.trim();
    const server = await serve(['serve'], { cwd: folder.path });
    try {
      const get = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${auditor}` } });
      const checkpoint = await get('/log/checkpoint');
      expect(checkpoint.status).toBe(200);
      const note = await checkpoint.text();
      expect(note).toMatch(/^taawun\/[0-9a-f]{8}\/taawun-[0-9a-f]{12}\n\d+\n[A-Za-z0-9+/]{43}=\n\n\u2014 taawun\/[0-9a-f]{8} \S+\n$/);
      writeFileSync(join(folder.path, 'kept.checkpoint'), note);

      const inclusion = await get('/log/proof/inclusion?position=3&size=20');
      expect(inclusion.status).toBe(200);
      writeFileSync(join(folder.path, 'inclusion.json'), await inclusion.text());
      expect((await run(['verify-proof', 'inclusion.json', '--key', publicKey])).stdout).toMatch(/^holds: the event at position 3 .* of size 20/);

      const consistency = await get('/log/proof/consistency?first=10');
      writeFileSync(join(folder.path, 'consistency.json'), await consistency.text());
      expect((await run(['verify-proof', 'consistency.json', '--key', publicKey, '--checkpoint', 'kept.checkpoint', 'kept.checkpoint'])).code).toBe(1); // size 10 is not among them
      expect((await run(['verify-proof', 'consistency.json', '--key', publicKey])).stdout).toMatch(/of size \d+ extends its log of size 10 unchanged/);

      expect((await get('/log/proof/inclusion?position=100000')).status).toBe(400);
      expect((await fetch(`${server.url}/log/checkpoint`)).status).toBe(401);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
    expect(await run(['verify', '--against', 'kept.checkpoint'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/proven by \d+ signed checkpoint\(s\) kept outside the log, through position \d+/) });
  }, 120_000);

  it('does not sign a log rewritten under it: the checkpoint and the proofs are refused, the witness keeps its checkpoint', async () => {
    const cwd = join(folder.path, 'rewritten');
    mkdirSync(cwd);
    const run = (args: string[]) => taawun(args, { cwd });
    expect((await run(['seed'])).code).toBe(0);
    const auditor = (await run(['keys', 'add', 'auditor-court', '--role', 'auditor'])).stdout.trim();
    // An intruder who can write the file, not the key: the actor of event 10 changed, the chain and the tree rebuilt.
    rewriteSqliteLog(join(cwd, 'data', 'taawun.db'), (rows) => rows.map((r) => (r.position === 10n ? { ...r, metadataJson: r.metadataJson.replace(/"actor":"[^"]*"/, '"actor":"mallory"') } : r)));
    const server = await serve(['serve'], { cwd });
    try {
      const get = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${auditor}` } });
      for (const path of ['/log/checkpoint', '/log/proof/inclusion?position=10', '/log/proof/consistency?first=10', '/log/checkpoint', '/log/checkpoint']) {
        const refused = await get(path);
        expect(refused.status, path).toBe(500);
        // The reason names the witness: it goes to the server's log, the auditor is told what was refused.
        expect(await refused.json(), path).toMatchObject({ code: 'log-not-witnessed', detail: expect.stringMatching(/no longer extends the checkpoint its witness keeps .*nothing of it is signed/) });
      }
    } finally {
      const stopped = await server.stop();
      expect(stopped.stderr).toMatch(/GET \/log\/checkpoint: the log's checkpoint is not signed: the log no longer extends the checkpoint of size \d+ in the witness file .*: its history was rewritten/);
    }
    expect((await run(['verify'])).code).toBe(1);
    // One refusal kept as evidence, at the server's start: the same head offered again is not refused again, read after read.
    const witness = witnessLocationOf({}, { ...processIo(), cwd, env: {} })!.witnessFile;
    expect(readFileSync(refusalsFileOf(witness), 'utf8').match(/^# refused /gm)).toHaveLength(1);
  }, 120_000);
});

