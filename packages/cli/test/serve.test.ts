import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, taawun, temporaryFolder } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  folder = await temporaryFolder('serve');
});
afterAll(() => folder.remove());

const serving = (args: string[], env: Record<string, string> = {}) => serve(args, { cwd: folder.path, env });

const keyIn = (text: string): string => /^ {2}(taawun_[A-Za-z0-9_-]{43})$/m.exec(text)![1]!;

describe('taawun start (npm start)', () => {
  let key: string;

  it('on first start: seeds the record, creates an admin key, prints the URL and the key, and serves the API and the report', async () => {
    const server = await serving(['start']);
    const out = server.output();
    expect(out).toMatch(/^The institute's record \(facts F1-F18\) in SQLite file .*\/data\/taawun\.db: \d+ commands recorded, 0 already present\.$/m);
    expect(out).toContain('An admin API key was created; it is shown this once');
    key = keyIn(out);
    const api = await fetch(`${server.url}/read-models/partner-history?partnerId=enm-france`, { headers: { authorization: `Bearer ${key}` } });
    expect(api.status).toBe(200);
    const answer = (await api.json()) as { result: { entries: { record: { id: string } }[] } };
    expect(answer.result.entries.map((e) => e.record.id)).toContain('enm-new-judges-course-2021');
    const report = await fetch(`${server.url}/report/partners/enm-france`, { headers: { authorization: `Basic ${Buffer.from(`me:${key}`).toString('base64')}` } });
    expect(report.status).toBe(200);
    expect(await report.text()).toContain('المدرسة الوطنية للقضاء بفرنسا');
    expect((await fetch(`${server.url}/read-models/partner-history?partnerId=enm-france`)).status).toBe(401);
    // Once the stored read models are current, a report page asked past any list (2^63, 1e20) is answered, not a 500.
    for (let waited = 0; (await fetch(`${server.url}/health/ready`)).status !== 200 && waited < 30_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
    for (const path of ['/report?offset=9223372036854775808', '/report/read-models/partners?offset=1e20']) {
      const page = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      expect(page.status, path).toBe(200);
    }
    const stopped = await server.stop('SIGINT');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('Stopping (SIGINT).');
  });

  it('on the next start: no seeding and no new key; the old key still works', async () => {
    const server = await serving(['start']);
    expect(server.output()).not.toContain('commands recorded');
    expect(server.output()).toMatch(/API keys: 1 configured in .*\/data\/taawun\.json/);
    expect((await fetch(`${server.url}/read-models/agreements-register`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await server.stop('SIGTERM')).code).toBe(0);
  });

  it('keys add / list / revoke manage the same file', async () => {
    const added = await taawun(['keys', 'add', 'clerk-rabat', '--role', 'clerk'], { cwd: folder.path });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^taawun_[A-Za-z0-9_-]{43}\n$/);
    expect((await taawun(['keys', 'list'], { cwd: folder.path })).stdout).toBe('admin\tadmin\nclerk-rabat\tclerk\n');
    const again = await taawun(['keys', 'add', 'clerk-rabat', '--role', 'clerk'], { cwd: folder.path });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already has a key named "clerk-rabat"');
    expect((await taawun(['keys', 'revoke', 'clerk-rabat'], { cwd: folder.path })).code).toBe(0);
    expect((await taawun(['keys', 'revoke', 'clerk-rabat'], { cwd: folder.path })).code).toBe(1);
    expect((await taawun(['keys', 'add', 'x', '--role', 'boss'], { cwd: folder.path })).code).toBe(2);
  });
});

describe('taawun serve', () => {
  it('serves another store without seeding, and says when no key is configured', async () => {
    const server = await serving(['serve', '--store', `sqlite:${folder.path}/other.db`, '--config', `${folder.path}/none.json`]);
    expect(server.output()).toMatch(/^taawun is serving SQLite file .*\/other\.db$/m);
    // A --config file that is not there (mistyped?) is named, and the hint writes the key into it.
    expect(server.output()).toContain(`No API key is configured (${folder.path}/none.json does not exist): every protected route answers 401. Create one with: taawun keys add admin --role admin --config ${folder.path}/none.json`);
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(200);
    expect((await server.stop()).code).toBe(0);
  });

  it('a port in use is one line and exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await taawun(['serve', '--port', String(port)], { cwd: folder.path });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`taawun: port ${port} on 127.0.0.1 is already in use: choose another with --port (0 picks a free one) or TAAWUN_PORT\n`);
    } finally {
      blocker.close();
    }
  });

  it('a broken configuration file is bad usage, named in one line', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${folder.path}/broken.json`, '{ "port": "eighty" }');
    const result = await taawun(['serve', '--config', 'broken.json'], { cwd: folder.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^taawun: the config file .*broken\.json is invalid: port: /);
  });
});
