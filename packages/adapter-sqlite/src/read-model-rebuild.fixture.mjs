// Child process of the read-model crash test: rebuilds one projection into the
// SQLite read-model storage, reporting every commit on stdout, until done or killed.
import { writeSync } from 'node:fs';
import { ProjectionRunner, projections } from '@taawun/projections';
import { openSqliteEventStore, openSqliteReadModelStorage } from '../dist/index.js';

const [path, name, batchSize] = process.argv.slice(2);
const report = (message) => writeSync(1, `${JSON.stringify(message)}\n`);

const store = await openSqliteEventStore(path);
const storage = await openSqliteReadModelStorage(store);
const runner = new ProjectionRunner(projections[name], {
  store,
  storage,
  batchSize: Number(batchSize),
  onCommit: (info) => report({ kind: 'commit', position: String(info.position), eventsApplied: info.eventsApplied }),
});
const result = await runner.rebuild();
report({ kind: 'done', resumedFrom: result.resumedFrom === undefined ? null : String(result.resumedFrom), generation: result.generation, eventsApplied: result.eventsApplied });
await store.close();
