/**
 * The peer: Emmett (`@event-driven-io/emmett` in memory, `@event-driven-io/emmett-sqlite`
 * on node-sqlite3) doing the same appends and per-stream aggregation on the same
 * generated log. Its errors are findings, reported, never retried away.
 *
 * Emmett-sqlite is given one ambient connection (`connectionOptions.singleton`),
 * its fastest configuration: by default it opens and closes a connection per
 * call. The connection is in WAL mode (Emmett sets it) and the bench sets
 * `synchronous = FULL` and reads both back, so its commits are as durable as ours.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandHandler, STREAM_DOES_NOT_EXIST, getInMemoryEventStore } from '@event-driven-io/emmett';
import { getSQLiteEventStore, sqliteConnection } from '@event-driven-io/emmett-sqlite';
import * as ourDomain from '@taawun/domain';

const { decodeEvent, parseCommand, routeCommand } = ourDomain;
import { batches, readCommands } from '../lib/log.mjs';
import { Stopwatch, perSecond, percentile, reportProgress } from '../lib/measure.mjs';
import { streamNames } from './taawun.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The versions in use, for the results. */
export function emmettVersions() {
  const version = (name) => JSON.parse(readFileSync(join(here, '..', 'node_modules', name, 'package.json'), 'utf8')).version;
  const optional = (name) => {
    try {
      return version(name);
    } catch {
      return undefined;
    }
  };
  return { emmett: version('@event-driven-io/emmett'), emmettSqlite: version('@event-driven-io/emmett-sqlite'), emmettPostgresql: optional('@event-driven-io/emmett-postgresql'), sqlite3: version('sqlite3') };
}

/** @param {'memory' | 'sqlite' | 'postgres'} mode @param {string} [dbFile] @param {string} [url] PostgreSQL */
async function openEmmett(mode, dbFile, url) {
  if (mode === 'memory') return { store: getInMemoryEventStore(), pragmas: {}, close: async () => {} };
  if (mode === 'postgres') {
    // Loaded only here: the SQLite runs need nothing of it.
    const { getPostgreSQLEventStore } = await import('@event-driven-io/emmett-postgresql');
    const store = getPostgreSQLEventStore(url);
    await store.schema.migrate();
    return { store, pragmas: {}, close: async () => store.close() };
  }
  const connection = sqliteConnection({ fileName: dbFile });
  await connection.command('PRAGMA synchronous = FULL');
  const pragmas = {
    journalMode: (await connection.querySingle('PRAGMA journal_mode')).journal_mode,
    synchronous: (await connection.querySingle('PRAGMA synchronous')).synchronous,
  };
  const store = getSQLiteEventStore({ fileName: dbFile, connectionOptions: { connection, singleton: true } });
  return { store, pragmas, close: async () => connection.close() };
}

/** An event as Emmett stores it: type, data, and our envelope fields in its metadata. */
const toEmmett = (e) => ({ type: e.type, data: e.data, metadata: { ...e.metadata, eventId: e.id, recordedAt: e.recordedAt, schemaVersion: e.schemaVersion } });

/** Emmett's expected version: the number of events already in the stream (STREAM_DOES_NOT_EXIST for none). */
const expectedVersion = (revision) => (revision === 0 ? STREAM_DOES_NOT_EXIST : BigInt(revision));

/**
 * The log appended in the same batches as ours, each with its expected version.
 * @param {{ logFile: string; mode: 'memory' | 'sqlite'; dbFile?: string; maxBatch: number }} args
 */
export async function importEmmett({ logFile, mode, dbFile, url, maxBatch }) {
  const { store, pragmas, close } = await openEmmett(mode, dbFile, url);
  if (mode === 'sqlite') await store.schema.migrate();
  const watch = new Stopwatch();
  let events = 0;
  let transactions = 0;
  let lastReport = performance.now();
  for await (const batch of batches(logFile, maxBatch)) {
    const messages = batch.map(toEmmett);
    await watch.time(() => store.appendToStream(batch[0].stream, messages, { expectedStreamVersion: expectedVersion(batch[0].revision) }));
    events += batch.length;
    transactions++;
    if (performance.now() - lastReport > 2000) {
      lastReport = performance.now();
      reportProgress({ eventsDone: events, elapsedMs: Math.round(watch.ms) });
    }
  }
  await close();
  return { mode, events, transactions, ms: watch.ms, eventsPerSecond: perSecond(events, watch.ms), pragmas };
}

/**
 * Per-stream read-and-aggregate with `aggregateStream`, folding with the same work
 * as ours: decode each event (upcast + schema) and count it.
 * @param {{ logFile: string; dbFile: string }} args
 */
export async function aggregateEmmett({ logFile, dbFile, mode = 'sqlite', url }) {
  const streams = await streamNames(logFile);
  const { store, close } = await openEmmett(mode, dbFile, url);
  const started = performance.now();
  let events = 0;
  let lastReport = started;
  for (const stream of streams) {
    const { state } = await store.aggregateStream(stream, { initialState: () => 0, evolve: (count, e) => count + (decodeEvent(fromEmmett(e, stream, count)).ok ? 1 : 0) });
    events += state;
    if (performance.now() - lastReport > 2000) {
      lastReport = performance.now();
      reportProgress({ eventsDone: events, elapsedMs: Math.round(lastReport - started) });
    }
  }
  const ms = performance.now() - started;
  await close();
  return { streams: streams.length, events, ms, eventsPerSecond: perSecond(events, ms) };
}

/** Our StoredEvent from an Emmett event, for the domain's decoder and deciders. */
const fromEmmett = (e, stream, revision) => ({
  id: e.metadata.eventId,
  type: e.type,
  schemaVersion: e.metadata.schemaVersion,
  data: e.data,
  metadata: e.metadata,
  recordedAt: e.metadata.recordedAt,
  stream,
  revision,
  position: e.metadata.globalPosition,
});

/**
 * The same commands as ours, one at a time through Emmett's `CommandHandler`
 * (aggregate the stream, decide, append with the expected version, one
 * transaction each), deciding with the same domain code: parse the command,
 * decode the stream's events, the decider's decision, the event schema.
 * @param {{ commandsFile: string; dbFile: string; count: number }} args
 */
export async function commandsEmmett({ commandsFile, dbFile, count, mode = 'sqlite', url }) {
  const items = readCommands(commandsFile).slice(0, count);
  const { store, pragmas, close } = await openEmmett(mode, dbFile, url);
  const handleItem = emmettCommandStep(store);
  const latencies = [];
  const errors = [];
  const findings = await checkStreamExists(store, items);
  const started = performance.now();
  for (const item of items) {
    const t = performance.now();
    const error = await handleItem(item);
    if (error) errors.push(error);
    latencies.push(performance.now() - t);
  }
  const ms = performance.now() - started;
  await close();
  return { commands: items.length, ms, commandsPerSecond: perSecond(items.length, ms), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors: errors.slice(0, 5), errorCount: errors.length, pragmas, findings };
}

/** Emmett-sqlite opened as the commands workload opens it (one connection, `synchronous = FULL`), for side-by-side scripts. @param {string} dbFile */
export const openEmmettSqlite = (dbFile) => openEmmett('sqlite', dbFile);

/** emmett-postgresql opened as the commands workload opens it, for side-by-side scripts. @param {string} url */
export const openEmmettPostgres = (url) => openEmmett('postgres', undefined, url);

/**
 * One command through Emmett's `CommandHandler` (aggregate the stream, decide,
 * append with the expected version, one transaction), deciding with the same
 * domain code as ours: parse the command, check its references (read at most
 * one event each, as ours does when it reads), decode the stream's events, the
 * decider's decision, the event schema. Resolves to the error's message, or
 * undefined when the command was appended.
 */
export function emmettCommandStep(store, domain = ourDomain) {
  const { decodeEvent, eventDefinition, isoDayOf, parseCommand, routeCommand } = domain;
  const handleCommand = CommandHandler({
    initialState: () => [],
    evolve: (events, e) => {
      const decoded = decodeEvent(fromEmmett(e, e.metadata.streamName, events.length));
      if (!decoded.ok) throw new Error(decoded.error.message);
      events.push(decoded.value);
      return events;
    },
  });
  return async (item) => {
    const parsed = parseCommand(item.command);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const route = routeCommand(parsed.value);
    try {
      for (const reference of route.references) {
        if (!(await store.readStream(reference.stream, { maxCount: 1n })).streamExists) throw new Error(`unknown-reference: ${reference.stream}`);
      }
      await handleCommand(store, route.stream, (events) => {
        const decision = route.decide(events, { today: isoDayOf(new Date(item.at)) });
        if (!decision.ok) throw new Error(`${decision.error.code}: ${decision.error.message}`);
        return decision.value.map((event) => {
          const definition = eventDefinition(event.type);
          const data = definition.data.parse(event.data);
          const occurredOn = definition.occurredOn(data);
          return toEmmett({
            id: item.id,
            type: event.type,
            schemaVersion: definition.schemaVersion,
            data,
            recordedAt: new Date(item.at).toISOString(),
            metadata: { actor: item.actor, correlationId: item.id, causationId: item.id, commandType: item.command.type, ...(occurredOn ? { occurredOn } : {}) },
          });
        });
      });
      return undefined;
    } catch (error) {
      return String(error?.message ?? error).slice(0, 200);
    }
  };
}

/**
 * `streamExists` is the obvious call for the reference check; the bench does not
 * use it because it answers false for streams that exist (emmett-sqlite reads a
 * column named `exists` from an unaliased `SELECT EXISTS (...)`). Checked on each
 * run, so the finding goes away when Emmett fixes it.
 */
export async function checkStreamExists(store, items) {
  const stream = items.map((i) => routeCommand(parseCommand(i.command).value).references[0]?.stream).find(Boolean);
  if (!stream) return [];
  const read = await store.readStream(stream, { maxCount: 1n });
  const answer = await store.streamExists(stream);
  return read.streamExists && !answer ? [`streamExists('${stream}') answered ${String(answer)} for a stream that readStream finds (${emmettVersions().emmettSqlite})`] : [];
}
