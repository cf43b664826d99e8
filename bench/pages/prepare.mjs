// A database of the bench's cached log with every read model built, for `measure.mjs`: `node prepare.mjs <events> <dbFile>`.
// Run from the code tree whose models the server will read (each tree builds its own models at its own versions).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteEventStore, openSqliteReadModelStorage } from '@taawun/adapter-sqlite';
import { ProjectionRunner, projections } from '@taawun/projections';
import { ensureLog } from '../lib/log.mjs';
import { importTaawun } from '../workloads/taawun.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const events = Number(process.argv[2]);
const dbFile = process.argv[3];
const log = ensureLog({ seed: 42, events, sample: 2000, cacheDir: join(here, '../.cache'), log: console.log });
if (!existsSync(dbFile)) console.log('import', JSON.stringify(await importTaawun({ logFile: log.file, dbFile, maxBatch: 500, headHash: log.headHash })));
const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
const storage = await openSqliteReadModelStorage(store);
for (const projection of Object.values(projections)) {
  const started = performance.now();
  await new ProjectionRunner(projection, { store, storage }).catchUp();
  console.log(`${projection.name} caught up in ${Math.round(performance.now() - started)} ms`);
}
await store.close();
