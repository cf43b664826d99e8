/**
 * What the Merkle log costs (issue 17): the same bulk import and the same
 * single commands into two stores side by side in one process, one keeping
 * its Merkle tree (the default) and one opened with `merkleLog: false`. Each
 * batch (and each command) goes to both, the order alternating, so whatever
 * else the shared machine does weighs on both alike; the ratio of the two
 * rates is the figure (1.0: the tree costs nothing).
 */
import { handleUnknown } from '@taawun/domain';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { openPostgresEventStore } from '@taawun/adapter-postgres';
import { batches, readCommands } from '../lib/log.mjs';
import { Stopwatch, perSecond, percentile, reportProgress } from '../lib/measure.mjs';

const MODES = /** @type {const} */ (['withTree', 'withoutTree']);

/**
 * @param {Record<(typeof MODES)[number], import('@taawun/domain').EventStore>} stores
 * @param {{ logFile: string; maxBatch: number; headHash: string; commandsFile: string; count: number }} args
 */
async function sideBySide(stores, { logFile, maxBatch, headHash, commandsFile, count }) {
  const importWatch = { withTree: new Stopwatch(), withoutTree: new Stopwatch() };
  let events = 0;
  let transactions = 0;
  for await (const batch of batches(logFile, maxBatch)) {
    const toAppend = batch.map(({ id, type, schemaVersion, data, metadata, recordedAt }) => ({ id, type, schemaVersion, data, metadata, recordedAt }));
    const first = batch[0];
    const expectedRevision = first.revision === 0 ? 'no-stream' : first.revision - 1;
    for (const mode of transactions % 2 === 0 ? MODES : [...MODES].reverse()) {
      const result = await importWatch[mode].time(() => stores[mode].append(first.stream, toAppend, { expectedRevision }));
      if (!result.ok) throw new Error(`import (${mode}): ${first.stream} is at ${result.error.actual}, expected ${String(expectedRevision)}`);
    }
    events += batch.length;
    if (++transactions % 500 === 0) reportProgress({ eventsDone: events, elapsedMs: Math.round(importWatch.withTree.ms + importWatch.withoutTree.ms) });
  }
  for (const mode of MODES) {
    const head = await stores[mode].checkpoint();
    if (head.headHash !== headHash) throw new Error(`import (${mode}): head hash ${head.headHash} differs from the generated log's ${headHash}`);
  }

  const items = readCommands(commandsFile).slice(0, count);
  const latencies = { withTree: [], withoutTree: [] };
  for (const [i, item] of items.entries()) {
    for (const mode of i % 2 === 0 ? MODES : [...MODES].reverse()) {
      const started = performance.now();
      const result = await handleUnknown(stores[mode], item.command, {
        actor: item.actor,
        now: () => new Date(item.at),
        newId: () => item.id,
        ...(item.sourceRef ? { sourceRef: item.sourceRef } : {}),
      });
      latencies[mode].push(performance.now() - started);
      if (!result.ok) throw new Error(`command (${mode}) refused: ${result.error.code}`);
    }
  }
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const rates = Object.fromEntries(
    MODES.map((mode) => [
      mode,
      {
        importMs: importWatch[mode].ms,
        importEventsPerSecond: perSecond(events, importWatch[mode].ms),
        commandsPerSecond: perSecond(items.length, sum(latencies[mode])),
        commandsP50Ms: percentile(latencies[mode], 50),
      },
    ]),
  );
  return {
    events,
    transactions,
    commands: items.length,
    ...rates,
    importRatio: rates.withTree.importEventsPerSecond / rates.withoutTree.importEventsPerSecond,
    commandsRatio: rates.withTree.commandsPerSecond / rates.withoutTree.commandsPerSecond,
  };
}

/** SQLite: two fresh files. @param {{ logFile: string; maxBatch: number; headHash: string; commandsFile: string; count: number; dbFiles: { withTree: string; withoutTree: string }; control?: boolean }} args */
export async function merkleCostSqlite(args) {
  const stores = {
    // The control (`control: true`): both stores without the tree, so the ratio shows the harness's own noise.
    withTree: await openSqliteEventStore(args.dbFiles.withTree, args.control ? { merkleLog: false } : {}),
    withoutTree: await openSqliteEventStore(args.dbFiles.withoutTree, { merkleLog: false }),
  };
  try {
    return await sideBySide(stores, args);
  } finally {
    for (const store of Object.values(stores)) await store.close();
  }
}

/** PostgreSQL: two schemas of one throwaway database. @param {{ logFile: string; maxBatch: number; headHash: string; commandsFile: string; count: number; url: string; control?: boolean }} args */
export async function merkleCostPostgres(args) {
  const stores = {
    withTree: await openPostgresEventStore(args.url, { schema: 'merkle_with_tree', listen: false, ...(args.control ? { merkleLog: false } : {}) }),
    withoutTree: await openPostgresEventStore(args.url, { schema: 'merkle_without_tree', listen: false, merkleLog: false }),
  };
  try {
    return await sideBySide(stores, args);
  } finally {
    for (const store of Object.values(stores)) await store.close();
  }
}
