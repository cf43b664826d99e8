import { createHash } from 'node:crypto';
import { InMemoryEventStore } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { exportActiveModel } from '../engine/model-reader.js';
import { ProjectionRunner } from '../engine/runner.js';
import { builtInReadModels } from './built-in.js';
import { projectionsOf } from './define.js';

/*
 * What each built-in projection stores for the institute's record, pinned to
 * its version: a change of what a projection stores (a document's shape, an
 * index entry's value) without a new version would leave the models stored by
 * the version before as they are, mixed with the new ones, and `verify
 * --read-models` would call them tampered with. Changed on purpose: raise the
 * projection's version and write its new digest here.
 */
const pinned: Readonly<Record<string, { readonly version: number; readonly sha256: string }>> = {
  'partner-history': { version: 4, sha256: 'bd47c537656bf6066297688c57bf189874b9b9df9e0e915a72934bbc79d9652b' },
  'agreements-register': { version: 2, sha256: '8493972446a8050abf59ba2a55cda355e848f154ce8fe42343e15976f9b5ad9f' },
  'yearly-activity-report': { version: 4, sha256: '5f10ceb8f7ffeca38dec0626e895c4858fcfe759149d8d6c5927babd2763acdc' },
  'activity-register': { version: 3, sha256: 'f59ec2a9e1badfd5a7c6096873229cfd8c8bc65dbf4866f765c303db4ba6321b' },
  'participant-record': { version: 2, sha256: 'a4abf85774aa8001c04f516bd8fcc49651401f7e2224e413c6a780674152f03a' },
  'record-streams': { version: 6, sha256: '8fe50ab016f1b31f3e8f1c531e00cc3d3a849255681706ef8232021194294c58' },
};

describe('what each built-in projection stores, pinned to its version', () => {
  it('is the same for the institute\'s record until the version is raised', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const found: Record<string, { version: number; sha256: string }> = {};
    for (const projection of projectionsOf(builtInReadModels)) {
      const storage = new InMemoryReadModelStorage();
      await new ProjectionRunner(projection, { store, storage }).rebuild();
      found[projection.name] = { version: projection.version, sha256: createHash('sha256').update((await exportActiveModel(storage, projection.name))!).digest('hex') };
    }
    expect(found).toEqual(pinned);
  });
});
