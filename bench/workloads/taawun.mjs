/**
 * taawun's own workloads, through its public API only: the SQLite event store,
 * the command handler, the projections runner and its SQLite read-model storage.
 */
import { decodeEvent, handleUnknown } from '@taawun/domain';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { batches, readCommands, readRows } from '../lib/log.mjs';
import { Stopwatch, perSecond, percentile, reportProgress } from '../lib/measure.mjs';

/**
 * Batched appends of the log into a fresh file, each batch at the revision the log gives it.
 * `merkleLog: false` opens the store without its Merkle tree, to measure what the tree costs.
 * @param {{ logFile: string; dbFile: string; maxBatch: number; headHash: string; merkleLog?: boolean }} args
 */
export async function importTaawun({ logFile, dbFile, maxBatch, headHash, merkleLog = true }) {
  const store = await openSqliteEventStore(dbFile, { merkleLog });
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
    transactions++;
  }
  // The store must hold exactly the rows the generator computed, hash chain included.
  const head = await store.checkpoint();
  await store.close();
  if (head.headHash !== headHash) throw new Error(`import: head hash ${head.headHash} differs from the generated log's ${headHash}`);
  return { events, transactions, ms: watch.ms, eventsPerSecond: perSecond(events, watch.ms), headHashMatches: true };
}

/**
 * Per-stream read-and-aggregate, the same work the peer does: read each stream,
 * decode every event (upcast + schema), fold it with the domain's own decider.
 * @param {{ logFile: string; dbFile: string }} args
 */
export async function aggregateTaawun({ logFile, dbFile }) {
  const streams = await streamNames(logFile);
  const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
  const started = performance.now();
  let events = 0;
  for (const stream of streams) {
    const stored = await store.readStream(stream);
    let state = 0;
    for (const e of stored) {
      const decoded = decodeEvent(e);
      if (!decoded.ok) throw new Error(decoded.error.message);
      state += decoded.value.revision >= 0 ? 1 : 0;
    }
    events += state;
  }
  const ms = performance.now() - started;
  await store.close();
  return { streams: streams.length, events, ms, eventsPerSecond: perSecond(events, ms) };
}

/** Every stream of the log, in the order they first appear. @param {string} logFile */
export async function streamNames(logFile) {
  const seen = new Set();
  for await (const row of readRows(logFile)) seen.add(row.stream);
  return [...seen];
}

/**
 * The commands that follow the log (JSON from a file), sent one at a time through `handleUnknown`: parse,
 * references, load and fold the stream, decide, append in one transaction.
 * @param {{ commandsFile: string; dbFile: string; count: number; merkleLog?: boolean }} args
 */
export async function commandsTaawun({ commandsFile, dbFile, count, merkleLog = true }) {
  const items = readCommands(commandsFile).slice(0, count);
  const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none', merkleLog });
  const latencies = [];
  const failures = {};
  const started = performance.now();
  for (const item of items) {
    const t = performance.now();
    const result = await handleUnknown(store, item.command, {
      actor: item.actor,
      now: () => new Date(item.at),
      newId: () => item.id,
      ...(item.sourceRef ? { sourceRef: item.sourceRef } : {}),
    });
    latencies.push(performance.now() - t);
    if (!result.ok) failures[result.error.code] = (failures[result.error.code] ?? 0) + 1;
  }
  const ms = performance.now() - started;
  await store.close();
  if (Object.keys(failures).length > 0) throw new Error(`commands refused: ${JSON.stringify(failures)}`);
  return { commands: items.length, ms, commandsPerSecond: perSecond(items.length, ms), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/** The projections package, or why it cannot be used yet. */
async function projectionsApi() {
  const projections = await import('@taawun/projections');
  const sqlite = await import('@taawun/adapter-sqlite');
  if (typeof sqlite.openSqliteReadModelStorage !== 'function') throw new Error('@taawun/adapter-sqlite does not export openSqliteReadModelStorage yet');
  return { ...projections, openSqliteReadModelStorage: sqlite.openSqliteReadModelStorage, sqliteDecodingReader: sqlite.sqliteDecodingReader };
}

const projectionNames = { 'partner-history': 'partnerHistoryProjection', 'yearly-report': 'yearlyActivityReportProjection' };

/**
 * Rebuild one read model from the SQLite log into the SQLite read-model storage
 * in the same file, as `taawun replay` would. Progress lines let the parent
 * report how far a run got if it has to stop it.
 * @param {{ dbFile: string; projection: keyof typeof projectionNames }} args
 */
export async function rebuildTaawun({ dbFile, projection, decoding = 'runner-thread' }) {
  const api = await projectionsApi();
  const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
  const storage = await api.openSqliteReadModelStorage(store);
  const definition = api[projectionNames[projection]];
  let lastReport = 0;
  const runner = new api.ProjectionRunner(definition, {
    store,
    storage,
    // 'worker': the SQLite adapter reads and decodes the log in a worker thread while the runner folds and writes.
    ...(decoding === 'worker' ? { decodingReader: api.sqliteDecodingReader(store) } : {}),
    onProgress: (p) => {
      if (p.done || performance.now() - lastReport > 1000) {
        lastReport = performance.now();
        reportProgress({ eventsDone: p.eventsDone, eventsTotal: p.eventsTotal, elapsedMs: Math.round(p.elapsedMs), rssMb: Math.round(process.memoryUsage.rss() / 1048576) });
      }
    },
  });
  const started = performance.now();
  const result = await runner.rebuild({ fromScratch: true });
  const ms = performance.now() - started;
  const head = Number(await store.lastPosition());
  // The stored documents and index entries of the generation built.
  const model = `(SELECT id FROM read_model_generations WHERE name = ? AND generation = ?)`;
  const documentBytes = store.database.prepare(`SELECT sum(length(key) + length(value)) FROM read_model_documents WHERE model = ${model}`).pluck().get(definition.name, result.generation) ?? 0;
  const indexBytes = store.database.prepare(`SELECT sum(length(idx) + length(key) + length(sort) + length(document) + coalesce(length(value), 0)) FROM read_model_index WHERE model = ${model}`).pluck().get(definition.name, result.generation) ?? 0;
  const documents = store.database.prepare(`SELECT count(*) FROM read_model_documents WHERE model = ${model}`).pluck().get(definition.name, result.generation);
  await store.close();
  return {
    projection: definition.name,
    decoding,
    events: head,
    eventsApplied: result.eventsApplied,
    ms,
    eventsPerSecond: perSecond(head, ms),
    documents,
    stateMb: Math.round((Number(documentBytes) + Number(indexBytes)) / 1e6),
  };
}

/** One page of a partner's history from the stored model, timed; what it answered. */
async function queryPage(api, source, partnerId, pageSize) {
  const t = performance.now();
  const answer = await api.queryPartnerHistory(source, { partnerId }, {}, { offset: 0, limit: pageSize });
  const ms = performance.now() - t;
  if (answer.ok && answer.value.source.kind !== 'stored') throw new Error(`query: the partner-history read model is not stored (${answer.value.source.reason})`);
  if (!answer.ok) return { ms };
  // What a page answers besides its entries: the people each entry names, whose records are read too.
  return { ms, total: answer.value.page.total, people: answer.value.result.entries.reduce((n, e) => n + e.people.length, 0) };
}

/**
 * Query latency of the per-partner history once the read model is built: the
 * first page of one partner's history from the stored model, the way a query
 * endpoint asks for it. 20 entries a page: the partners asked about have 40 or
 * more entries at every size, so every size answers the same amount (at 10k a
 * page of 100 would hold only the 40-60 entries there are, and compare less work
 * with more).
 * @param {{ dbFile: string; partners: string[]; repeat: number; pageSize?: number }} args
 */
export async function queryTaawun({ dbFile, partners, repeat, pageSize = 20 }) {
  const api = await projectionsApi();
  const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
  const storage = await api.openSqliteReadModelStorage(store);
  const latencies = [];
  let found = 0;
  const entries = {};
  const peopleOnPage = {};
  for (let i = 0; i < repeat; i++) {
    const partnerId = partners[i % partners.length];
    const page = await queryPage(api, { store, storage }, partnerId, pageSize);
    latencies.push(page.ms);
    if (page.total !== undefined) {
      found++;
      entries[partnerId] = page.total;
      peopleOnPage[partnerId] = page.people;
    }
  }
  await store.close();
  return { queries: repeat, found, pageSize, entries, peopleOnPage, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/**
 * The same queries against the stored models of two sizes, alternating between
 * them in one process after a warm-up round, so both see the same machine.
 * @param {{ files: Record<string, string>; partners: string[]; rounds: number; pageSize?: number }} args
 */
export async function queryTaawunSideBySide({ files, partners, rounds, pageSize = 20 }) {
  const api = await projectionsApi();
  const opened = [];
  for (const [events, dbFile] of Object.entries(files)) {
    const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
    opened.push({ events, store, source: { store, storage: await api.openSqliteReadModelStorage(store) }, latencies: [], entries: {}, peopleOnPage: {} });
  }
  for (const size of opened) for (const partnerId of partners) await queryPage(api, size.source, partnerId, pageSize);
  for (let i = 0; i < rounds; i++) {
    const partnerId = partners[i % partners.length];
    // Alternate which size goes first, so neither always follows the other.
    for (const size of i % 2 === 0 ? opened : [...opened].reverse()) {
      const page = await queryPage(api, size.source, partnerId, pageSize);
      size.latencies.push(page.ms);
      size.entries[partnerId] = page.total;
      size.peopleOnPage[partnerId] = page.people;
    }
  }
  const sizes = {};
  for (const size of opened) {
    await size.store.close();
    sizes[size.events] = { queries: rounds, pageSize, entries: size.entries, peopleOnPage: size.peopleOnPage, p50Ms: percentile(size.latencies, 50), p99Ms: percentile(size.latencies, 99) };
  }
  return { sizes };
}

