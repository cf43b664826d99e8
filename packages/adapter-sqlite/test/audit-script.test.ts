import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { newTestEvent } from '@taawun/domain/testing';
import { openSqliteEventStore } from '../src/index.js';
import { fileAtVersion } from './old-files.js';
import { tempFolders } from './temp-files.js';

const newFolder = tempFolders();
const available = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const tools = ['bash', 'sqlite3', 'sha256sum', 'basenc'];
const missing = tools.filter((t) => !available(t));

/** The script as printed in the README, after the `audit-script` marker. */
function readmeScript(): string {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const match = /<!-- audit-script -->\s*```bash\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no audit script after <!-- audit-script -->');
  return match[1]!;
}

describe("the README's audit script (sqlite3 + sha256sum, no taawun code)", () => {
  it.skipIf(missing.length > 0)(`recomputes the head hash, and names the position of a changed event${missing.length ? ` (needs ${missing.join(', ')})` : ''}`, async () => {
    const folder = newFolder();
    const path = join(folder, 'taawun.db');
    const script = join(folder, 'audit.sh');
    writeFileSync(script, readmeScript(), { mode: 0o755 });
    const store = await openSqliteEventStore(path);
    for (let i = 0; i < 15; i++) {
      await store.append(i % 3 ? 'partner-enabel' : 'session-39', [
        newTestEvent('GuidePrepared', { i, title: 'دليل تكوين المكونين | "Vivre ensemble" \\ é', lines: 'a\nb' }, { metadata: { actor: 'كاتب الضبط', correlationId: 'c', causationId: 'c' } }),
      ], { expectedRevision: 'any' });
    }
    const checkpoint = await store.checkpoint();
    await store.close();

    const intact = spawnSync('bash', [script, path], { encoding: 'utf8' });
    expect(intact.stderr).toBe('');
    expect(intact.stdout.trim()).toBe(`intact: 15 events, head hash ${checkpoint.headHash}`);

    const db = new Database(path);
    db.exec(`DROP TRIGGER events_are_never_updated; UPDATE events SET data = replace(data, '"i":6', '"i":7') WHERE position = 7`);
    db.close();
    const tampered = spawnSync('bash', [script, path], { encoding: 'utf8' });
    expect(tampered.status).toBe(1);
    expect(tampered.stdout.trim()).toBe('position 7: content does not match its hash');
  });

  it.skipIf(missing.length > 0)(`checks a file written before version 5: its text-linked links, then the content-linked ones${missing.length ? ` (needs ${missing.join(', ')})` : ''}`, async () => {
    const folder = newFolder();
    const path = join(folder, 'taawun.db');
    const script = join(folder, 'audit.sh');
    writeFileSync(script, readmeScript(), { mode: 0o755 });
    fileAtVersion(path, 4, 6).close();
    const store = await openSqliteEventStore(path);
    await store.append('s0', [newTestEvent('New', { title: 'زيارة دراسية' }), newTestEvent('New', { i: 2 })], { expectedRevision: 'any' });
    const checkpoint = await store.checkpoint();
    await store.close();

    const intact = spawnSync('bash', [script, path], { encoding: 'utf8' });
    expect(intact.stdout.trim()).toBe(`intact: 8 events, head hash ${checkpoint.headHash}`);
    const db = new Database(path);
    db.exec(`DROP TRIGGER events_are_never_updated; UPDATE events SET data = '{"i":3}' WHERE position = 8`);
    db.close();
    expect(spawnSync('bash', [script, path], { encoding: 'utf8' }).stdout.trim()).toBe('position 8: content does not match its hash');
  });
});
