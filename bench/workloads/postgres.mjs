/**
 * The PostgreSQL workloads: taawun's PostgreSQL adapter (bulk import, single
 * commands, rebuild) against a floor of raw `pg` on the same rows: batched
 * multi-row INSERTs into a table made `LIKE` the store's own (same columns,
 * keys and constraints, so they cannot drift), one transaction per batch, and
 * a SELECT of every row in order with the driver's JSON parsing. Each size
 * runs in a throwaway database, created by the parent and dropped at the end.
 */
import pg from 'pg';
import { handleUnknown } from '@taawun/domain';
import { openPostgresEventStore, openPostgresReadModelStorage } from '@taawun/adapter-postgres';
import { batches, readCommands } from '../lib/log.mjs';
import { Stopwatch, perSecond, percentile, reportProgress } from '../lib/measure.mjs';

const withDatabase = (url, name) => {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
};

/** Run `work` on one connection to the server's maintenance database (`url`), closed afterwards. */
async function onServer(url, work, connectionTimeoutMillis) {
  const client = new pg.Client({ connectionString: url, ...(connectionTimeoutMillis ? { connectionTimeoutMillis } : {}) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database on the server of `url` (its own database is only used to create it), or why not. @param {string} url @param {string} name */
export async function createDatabase(url, name) {
  return onServer(
    url,
    async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      await client.query(`CREATE DATABASE ${name}`);
      const { rows } = await client.query('SHOW server_version');
      return { url: withDatabase(url, name), serverVersion: rows[0].server_version };
    },
    3000,
  );
}

/** @param {string} url @param {string} name */
export async function dropDatabase(url, name) {
  await onServer(url, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * Write out what the server still holds dirty (`CHECKPOINT`), so that a step
 * does not pay for the steps before it: a 1M import fills the WAL, and a
 * checkpoint the server starts on its own then writes back for minutes, under
 * whatever runs next. The PostgreSQL analogue of the SQLite files' fsync before
 * each step. Needs superuser or `pg_checkpoint`; the refusal is returned, not thrown.
 * @param {string} url
 * @returns {Promise<string | undefined>} why it could not, or nothing
 */
export async function checkpoint(url) {
  return onServer(url, (client) =>
    client.query('CHECKPOINT').then(
      () => undefined,
      (error) => error.message,
    ),
  );
}

/**
 * Appends of the log in the importer's batches, each at the revision the log gives it.
 * `adapter`: another build's adapter module (its `dist/index.js`), whose schema version the tables then have.
 * @param {{ logFile: string; url: string; maxBatch: number; headHash: string; adapter?: string }} args
 */
export async function importPgTaawun({ logFile, url, maxBatch, headHash, adapter }) {
  const open = adapter ? (await import(adapter)).openPostgresEventStore : openPostgresEventStore;
  const store = await open(url, { listen: false });
  const watch = new Stopwatch();
  let events = 0;
  let transactions = 0;
  for await (const batch of batches(logFile, maxBatch)) {
    const toAppend = batch.map(({ id, type, schemaVersion, data, metadata, recordedAt }) => ({ id, type, schemaVersion, data, metadata, recordedAt }));
    const first = batch[0];
    const expectedRevision = first.revision === 0 ? 'no-stream' : first.revision - 1;
    const result = await watch.time(() => store.append(first.stream, toAppend, { expectedRevision }));
    if (!result.ok) throw new Error(`import: ${first.stream} is at ${result.error.actual}, expected ${String(expectedRevision)}`);
    events += batch.length;
    if (++transactions % 500 === 0) reportProgress({ eventsDone: events, elapsedMs: Math.round(watch.ms) });
  }
  const head = await store.checkpoint();
  await store.close();
  if (head.headHash !== headHash) throw new Error(`import: head hash ${head.headHash} differs from the generated log's ${headHash}`);
  return { events, transactions, ms: watch.ms, eventsPerSecond: perSecond(events, watch.ms), headHashMatches: true };
}

/** Raw batched inserts of the same rows into `floor.events`, made LIKE the store's table. @param {{ logFile: string; url: string; maxBatch: number }} args */
export async function importPgFloor({ logFile, url, maxBatch }) {
  // The store creates its schema; the floor's table copies its columns, keys and constraints.
  const store = await openPostgresEventStore(url, { schema: 'floor_template', listen: false });
  await store.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE SCHEMA floor; CREATE TABLE floor.events (LIKE floor_template.events INCLUDING ALL)');
  const watch = new Stopwatch();
  let events = 0;
  let transactions = 0;
  for await (const batch of batches(logFile, maxBatch)) {
    // Rows and the statement as the server receives them, prepared outside the timed part.
    const values = [];
    const tuples = batch.map((e, i) => {
      values.push(String(e.position), e.stream, e.revision, e.id, e.type, e.schemaVersion, e.recordedAt, JSON.stringify(e.data), JSON.stringify(e.metadata), e.hash);
      return `(${Array.from({ length: 10 }, (_, c) => `$${i * 10 + c + 1}`).join(', ')})`;
    });
    const sql = `INSERT INTO floor.events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash) VALUES ${tuples.join(', ')}`;
    await watch.time(async () => {
      await client.query('BEGIN');
      await client.query(sql, values);
      await client.query('COMMIT');
    });
    events += batch.length;
    transactions++;
  }
  const { rows } = await client.query('SHOW synchronous_commit');
  await client.end();
  return { events, transactions, ms: watch.ms, eventsPerSecond: perSecond(events, watch.ms), synchronousCommit: rows[0].synchronous_commit };
}

/** A SELECT of every row of the store's table in log order, pages of 5,000, the driver parsing data and metadata (json columns). @param {{ url: string }} args */
export async function readPgFloor({ url }) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  let events = 0;
  let after = '0';
  for (;;) {
    const { rows } = await client.query('SELECT position, stream, revision, id, type, schema_version, recorded_at, data, metadata FROM taawun.events WHERE position > $1 ORDER BY position LIMIT 5000', [after]);
    for (const row of rows) if (row.data !== undefined && row.metadata) events++;
    if (rows.length < 5000) break;
    after = rows.at(-1).position;
  }
  const ms = performance.now() - started;
  await client.end();
  return { events, ms, eventsPerSecond: perSecond(events, ms) };
}

/** One command of the generated log through `handleUnknown`, with the actor, clock and id the log gives it. */
const handleItem = (store, item) =>
  handleUnknown(store, item.command, { actor: item.actor, now: () => new Date(item.at), newId: () => item.id, ...(item.sourceRef ? { sourceRef: item.sourceRef } : {}) });

/** The commands that follow the log, one at a time through `handleUnknown`, one transaction each. @param {{ commandsFile: string; url: string; count: number }} args */
export async function commandsPgTaawun({ commandsFile, url, count }) {
  const items = readCommands(commandsFile).slice(0, count);
  const store = await openPostgresEventStore(url, { listen: false });
  const latencies = [];
  const failures = {};
  const started = performance.now();
  for (const item of items) {
    const t = performance.now();
    const result = await handleItem(store, item);
    latencies.push(performance.now() - t);
    if (!result.ok) failures[result.error.code] = (failures[result.error.code] ?? 0) + 1;
  }
  const ms = performance.now() - started;
  await store.close();
  if (Object.keys(failures).length > 0) throw new Error(`commands refused: ${JSON.stringify(failures)}`);
  return { commands: items.length, ms, commandsPerSecond: perSecond(items.length, ms), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/**
 * The same commands sent to taawun's PostgreSQL store and to emmett-postgresql in turn (which side
 * goes first alternates command by command), in one process on one server: whatever the server is
 * still doing after the workloads before (autovacuum, checkpoints) weighs on both sides alike. Each
 * side on its own tables of the same log; a side's rate is its commands over the sum of its own latencies.
 * @param {{ commandsFile: string; url: string; count: number }} args
 */
export async function commandsPgSideBySide({ commandsFile, url, count }) {
  const { openEmmettPostgres, emmettCommandStep, checkStreamExists } = await import('./emmett.mjs');
  const items = readCommands(commandsFile).slice(0, count);
  const store = await openPostgresEventStore(url, { listen: false });
  const peer = await openEmmettPostgres(url);
  const findings = await checkStreamExists(peer.store, items);
  const peerStep = emmettCommandStep(peer.store);
  const sides = {
    taawun: async (item) => {
      const result = await handleItem(store, item);
      return result.ok ? undefined : result.error.code;
    },
    peer: peerStep,
  };
  const latencies = { taawun: [], peer: [] };
  const errors = { taawun: [], peer: [] };
  for (const [i, item] of items.entries()) {
    for (const side of i % 2 === 0 ? ['taawun', 'peer'] : ['peer', 'taawun']) {
      const t = performance.now();
      const error = await sides[side](item);
      latencies[side].push(performance.now() - t);
      if (error) errors[side].push(error);
    }
  }
  await store.close();
  await peer.close();
  if (errors.taawun.length > 0) throw new Error(`commands refused: ${errors.taawun.slice(0, 5).join(', ')}`);
  const figures = (side) => {
    const ms = latencies[side].reduce((a, b) => a + b, 0);
    return { commands: items.length, ms, commandsPerSecond: perSecond(items.length, ms), p50Ms: percentile(latencies[side], 50), p99Ms: percentile(latencies[side], 99), sideBySide: true };
  };
  return { taawun: figures('taawun'), peer: { ...figures('peer'), errors: errors.peer.slice(0, 5), errorCount: errors.peer.length, findings } };
}

const projectionNames = { 'partner-history': 'partnerHistoryProjection', 'yearly-report': 'yearlyActivityReportProjection' };

/** `ProjectionRunner.rebuild()` of one read model from the PostgreSQL log into the read-model tables beside it. @param {{ url: string; projection: keyof typeof projectionNames }} args */
export async function rebuildPgTaawun({ url, projection }) {
  const api = await import('@taawun/projections');
  const store = await openPostgresEventStore(url, { listen: false });
  const storage = await openPostgresReadModelStorage(store);
  const definition = api[projectionNames[projection]];
  let lastReport = 0;
  const runner = new api.ProjectionRunner(definition, {
    store,
    storage,
    onProgress: (p) => {
      if (p.done || performance.now() - lastReport > 1000) {
        lastReport = performance.now();
        reportProgress({ eventsDone: p.eventsDone, eventsTotal: p.eventsTotal, elapsedMs: Math.round(p.elapsedMs) });
      }
    },
  });
  const started = performance.now();
  const result = await runner.rebuild({ fromScratch: true });
  const ms = performance.now() - started;
  const head = Number(await store.lastPosition());
  await storage.close?.();
  await store.close();
  return { projection: definition.name, events: head, eventsApplied: result.eventsApplied, ms, eventsPerSecond: perSecond(head, ms) };
}
