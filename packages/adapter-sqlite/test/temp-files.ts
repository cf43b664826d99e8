import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh folder under the system temp folder per call, removed after the test file. */
export function tempFolders(): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const folder of made) rmSync(folder, { recursive: true, force: true });
  });
  return () => {
    const folder = mkdtempSync(join(tmpdir(), 'taawun-sqlite-'));
    made.push(folder);
    return folder;
  };
}

/** A path for a database file that does not exist yet, in a fresh temp folder. */
export function tempDatabases(): () => string {
  const folder = tempFolders();
  return () => join(folder(), 'events.db');
}
