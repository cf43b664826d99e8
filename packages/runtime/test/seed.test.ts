import { afterAll, describe, expect, it } from 'vitest';
import * as recordOnly from '../src/institute-record/index.js';
import { instituteRecord, loadInstituteRecord, openRuntime } from '../src/index.js';
import { clerk, temporaryFolders } from './support.js';

const folders = temporaryFolders();
afterAll(() => folders.removeAll());

describe("the institute's record, loaded through the runtime", () => {
  it('is data: one entry per command, each naming its fact and a stable key', () => {
    expect(instituteRecord.length).toBeGreaterThan(18);
    expect(new Set(instituteRecord.map((entry) => entry.key)).size).toBe(instituteRecord.length);
    // Each names the fact of the text it encodes, or, for what the text does not say, another source (the partners' registry).
    expect(instituteRecord.every((entry) => /^(F([1-9]|1[0-8])|registry:[a-z-]+)$/.test(entry.fact) && entry.key.startsWith(`institute-record/${entry.fact}/`))).toBe(true);
    expect(instituteRecord.filter((entry) => !entry.fact.startsWith('F')).map((entry) => entry.key)).toEqual(['institute-record/registry:partners/enabel-acronym']);
    // The same data under the subpath that loads no adapter.
    expect(recordOnly.instituteRecord).toBe(instituteRecord);
  });

  it('into a SQLite file: every command recorded once, and a second load (another process, later) adds nothing', async () => {
    const folder = await folders.make('seed');
    const first = await openRuntime('sqlite:taawun.db', { cwd: folder });
    let head: bigint | undefined;
    try {
      expect(await loadInstituteRecord(first.store, clerk('seed'))).toEqual({ recorded: instituteRecord.length, alreadyPresent: 0, failures: [] });
      head = await first.store.lastPosition();
    } finally {
      await first.close();
    }
    const second = await openRuntime('sqlite:taawun.db', { cwd: folder, mustExist: true });
    try {
      expect(await loadInstituteRecord(second.store, clerk('seed'))).toEqual({ recorded: 0, alreadyPresent: instituteRecord.length, failures: [] });
      expect(await second.store.lastPosition()).toBe(head);
      expect(await second.chain!.verify()).toMatchObject({ intact: true, events: Number(head) });
    } finally {
      await second.close();
    }
  });
});
