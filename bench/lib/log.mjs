/**
 * From commands to the events the deciders produce, and a cache of generated
 * logs on disk so that every workload (ours, the floors, the peer) reads the
 * same rows without generating them again.
 *
 * Each command goes through the domain's own `parseCommand`, `routeCommand`
 * (references must exist, the decider decides on the stream's folded events)
 * and the event definitions' schemas, exactly as `handle` does, minus the
 * store; every event is then read back with `decodeEvent`. A command the
 * domain refuses is a bug in the generator and stops the run.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GENESIS_HASH, chainHash, decodeEvent, eventDefinition, isoDayOf, parseCommand, routeCommand, toJson } from '@taawun/domain';
import { institutionCommands } from './generator.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * @typedef {import('@taawun/domain').StoredEvent} StoredEvent
 * @typedef {import('./generator.mjs').CommandItem} CommandItem
 */

/**
 * The events the domain decides for these commands, with the streams,
 * revisions and positions a store starting empty would give them.
 * @param {Iterable<CommandItem>} items
 * @returns {Generator<{ item: CommandItem; event: StoredEvent }>}
 */
export function* decidedLog(items) {
  /** @type {Map<string, unknown[]>} events of the streams still open, as `handle` loads them */
  const open = new Map();
  /** @type {Set<string>} every stream written so far */
  const known = new Set();
  let position = 0n;
  for (const item of items) {
    const parsed = parseCommand(item.command);
    if (!parsed.ok) throw new Error(`the generator made an invalid ${item.command.type}: ${parsed.error.message}`);
    const route = routeCommand(parsed.value);
    for (const reference of route.references) {
      if (!known.has(reference.stream)) throw new Error(`the generator's ${item.command.type} refers to ${reference.stream}, not recorded yet`);
    }
    const history = open.get(route.stream) ?? [];
    const decision = route.decide(/** @type {any} */ (history), { today: isoDayOf(new Date(item.at)) });
    if (!decision.ok) throw new Error(`the domain refused the generator's ${item.command.type} on ${route.stream}: ${decision.error.code}: ${decision.error.message}`);
    if (decision.value.length !== 1) throw new Error(`${item.command.type} produced ${decision.value.length} events; the generator expects one`);
    const [decided] = decision.value;
    const definition = eventDefinition(decided.type);
    const data = definition.data.parse(decided.data);
    const occurredOn = definition.occurredOn(data);
    /** @type {StoredEvent} */
    const event = {
      id: item.id,
      type: decided.type,
      schemaVersion: definition.schemaVersion,
      data,
      recordedAt: new Date(item.at).toISOString(),
      metadata: {
        actor: item.actor,
        correlationId: item.id,
        causationId: item.id,
        commandType: item.command.type,
        ...(occurredOn === undefined ? {} : { occurredOn }),
        ...(item.sourceRef ? { sourceRef: item.sourceRef } : {}),
      },
      stream: route.stream,
      revision: history.length,
      position: ++position,
    };
    const decoded = decodeEvent(event);
    if (!decoded.ok) throw new Error(`a generated event does not decode: ${decoded.error.message}`);
    history.push(decoded.value);
    known.add(route.stream);
    if (item.ends === route.stream) open.delete(route.stream);
    else open.set(route.stream, history);
    yield { item, event };
  }
}

/** Source files whose change makes a cached log stale (the hash chain's definition too: the log holds its hashes). */
const generatorFingerprint = () => {
  const hash = createHash('sha256');
  for (const file of ['generator.mjs', 'vocabulary.mjs', 'log.mjs', 'random.mjs', '../../packages/domain/src/store/hash-chain.ts']) hash.update(readFileSync(join(here, file)));
  return hash.digest('hex').slice(0, 10);
};

/**
 * @typedef {object} GeneratedLog
 * @property {string} file         NDJSON, one stored row per line: position, stream, revision, id, type, schemaVersion, recordedAt, data, metadata, hash
 * @property {string} commandsFile NDJSON, the commands after the log (the single-command sample)
 * @property {number} events
 * @property {number} streams
 * @property {Record<string, number>} types  events per type
 * @property {string} headHash     the hash chain's head after the last event, as the SQLite store must compute it
 * @property {number} generatedMs
 */

/**
 * The log of `events` events for `seed` (generated once, then read from the cache)
 * and the `sample` commands that follow it.
 * @param {{ seed: number; events: number; sample: number; cacheDir: string; log?: (line: string) => void }} options
 * @returns {GeneratedLog}
 */
export function ensureLog({ seed, events, sample, cacheDir, log = () => {} }) {
  mkdirSync(cacheDir, { recursive: true });
  const base = join(cacheDir, `log-${generatorFingerprint()}-s${seed}-n${events}-c${sample}`);
  const metaFile = `${base}.json`;
  if (existsSync(metaFile)) return JSON.parse(readFileSync(metaFile, 'utf8'));

  log(`generating a log of ${events.toLocaleString('en')} events (seed ${seed}) into ${base}.ndjson`);
  const started = performance.now();
  const file = `${base}.ndjson`;
  const commandsFile = `${base}.commands.ndjson`;
  const out = openSync(`${file}.tmp`, 'w');
  let buffer = '';
  let headHash = GENESIS_HASH;
  const types = /** @type {Record<string, number>} */ ({});
  const streams = new Set();
  const commands = [];
  for (const { item, event } of decidedLog(institutionCommands({ seed, events }))) {
    if (event.position > BigInt(events)) {
      commands.push(JSON.stringify(item));
      if (commands.length >= sample) break;
      continue;
    }
    const dataJson = toJson(event.data, 'data');
    const metadataJson = toJson(event.metadata, 'metadata');
    headHash = chainHash(headHash, { ...event, dataJson, metadataJson });
    types[event.type] = (types[event.type] ?? 0) + 1;
    streams.add(event.stream);
    buffer += `${JSON.stringify({ ...event, position: Number(event.position), hash: headHash })}\n`;
    if (buffer.length > 1 << 20) {
      writeSync(out, buffer);
      buffer = '';
    }
  }
  writeSync(out, buffer);
  closeSync(out);
  writeFileSync(commandsFile, `${commands.join('\n')}\n`);
  renameSync(`${file}.tmp`, file);
  /** @type {GeneratedLog} */
  const meta = { file, commandsFile, events, streams: streams.size, types, headHash, generatedMs: Math.round(performance.now() - started) };
  writeFileSync(metaFile, JSON.stringify(meta, null, 2));
  return meta;
}

/**
 * @typedef {StoredEvent & { hash: string }} Row  a stored row as the cache holds it (position as a number there, a bigint here)
 */

/**
 * Rows of a cached log in order.
 * @param {string} file
 * @returns {AsyncGenerator<Row>}
 */
export async function* readRows(file) {
  const lines = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const row = JSON.parse(line);
    row.position = BigInt(row.position);
    yield row;
  }
}

/**
 * The log as an importer appends it (what `taawun import` does): runs of
 * consecutive events of one stream, at most `maxBatch` each, in log order.
 * @param {string} file
 * @param {number} [maxBatch]
 * @returns {AsyncGenerator<Row[]>}
 */
export async function* batches(file, maxBatch = 500) {
  /** @type {Row[]} */
  let batch = [];
  for await (const row of readRows(file)) {
    if (batch.length > 0 && (batch.length >= maxBatch || batch[0].stream !== row.stream)) {
      yield batch;
      batch = [];
    }
    batch.push(row);
  }
  if (batch.length > 0) yield batch;
}

/**
 * The commands that follow a cached log.
 * @param {string} commandsFile
 * @returns {CommandItem[]}
 */
export const readCommands = (commandsFile) =>
  readFileSync(commandsFile, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
