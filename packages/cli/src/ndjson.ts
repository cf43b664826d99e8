import { decodeEvent, storedEventJsonSchema, storedEventToJson, type EventStore, type EventToAppend, type StoredEvent } from '@taawun/domain';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { CliError } from './errors.js';

/**
 * The log as NDJSON: one event per line in the `storedEventToJson` shape of
 * `@taawun/domain` (positions as decimal strings). Export streams page by
 * page; import checks the whole file before it writes anything.
 */

/** Write every event of the log to `out`, one line each, waiting whenever `out` is full: memory stays flat. */
export async function exportEvents(store: EventStore, out: Writable): Promise<{ events: number }> {
  let events = 0;
  for await (const event of store.readAll()) {
    if (!out.write(`${JSON.stringify(storedEventToJson(event))}\n`)) await drained(out);
    events++;
  }
  return { events };
}

async function drained(out: Writable): Promise<void> {
  // `error` rejects the wait (a closed pipe), `drain` resolves it.
  await once(out, 'drain');
}

/** One event of the file, where it was found. */
interface FileEvent {
  readonly line: number;
  readonly event: StoredEvent;
}

/** A file's line that is not an event: the whole import is refused. */
export class ImportRejected extends CliError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}: line ${line}: ${reason}; nothing was imported`);
  }
}

/** Parse one line: the envelope by its schema, then the event by its own (`decodeEvent`, upcasting old versions). */
export function parseEventLine(text: string): { ok: true; event: StoredEvent } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
  const envelope = storedEventJsonSchema.safeParse(json);
  if (!envelope.success) {
    const issues = envelope.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
    return { ok: false, reason: `not a stored event: ${issues}` };
  }
  // Keep what the file holds, as written (data at its stored schema version, metadata with any extra keys).
  const raw = json as { data: unknown; metadata: StoredEvent['metadata'] };
  const event: StoredEvent = { ...envelope.data, data: raw.data, metadata: raw.metadata };
  const decoded = decodeEvent(event);
  if (!decoded.ok) return { ok: false, reason: `${decoded.error.code}: ${decoded.error.message}` };
  return { ok: true, event };
}

async function* fileEvents(path: string, file: string): AsyncGenerator<FileEvent> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim().length === 0) continue; // NDJSON readers may skip empty lines
      const parsed = parseEventLine(text);
      if (!parsed.ok) throw new ImportRejected(file, line, parsed.reason);
      yield { line, event: parsed.event };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

interface Seen {
  readonly line: number;
  readonly stream: string;
  readonly revision: number;
}

export interface ImportCheck {
  readonly events: number;
  /** Per stream: the first revision and line in the file. */
  readonly streams: ReadonlyMap<string, { readonly firstRevision: number; readonly firstLine: number; readonly lastRevision: number }>;
  readonly ids: ReadonlyMap<string, Seen>;
}

/**
 * First pass: every line parses, ids are unique, each stream's revisions follow
 * one another and positions increase, as in an export. Throws `ImportRejected`.
 */
export async function checkImportFile(path: string, file = path): Promise<ImportCheck> {
  const ids = new Map<string, Seen>();
  const streams = new Map<string, { firstRevision: number; firstLine: number; lastRevision: number }>();
  let lastPosition: bigint | undefined;
  let events = 0;
  for await (const { line, event } of fileEvents(path, file)) {
    const earlier = ids.get(event.id);
    if (earlier) throw new ImportRejected(file, line, `event id ${event.id} already appears on line ${earlier.line}`);
    if (lastPosition !== undefined && event.position <= lastPosition) {
      throw new ImportRejected(file, line, `position ${event.position} does not come after ${lastPosition}: lines must be in log order`);
    }
    const stream = streams.get(event.stream);
    if (stream && event.revision !== stream.lastRevision + 1) {
      throw new ImportRejected(file, line, `stream ${event.stream} goes from revision ${stream.lastRevision} to ${event.revision}; revisions must follow one another`);
    }
    if (stream) stream.lastRevision = event.revision;
    else streams.set(event.stream, { firstRevision: event.revision, firstLine: line, lastRevision: event.revision });
    ids.set(event.id, { line, stream: event.stream, revision: event.revision });
    lastPosition = event.position;
    events++;
  }
  return { events, streams, ids };
}

/**
 * Compare the file with what the target already holds, stream by stream: the
 * file must continue each stream where the target is (or repeat events it
 * already has, unchanged). Returns each stream's revision in the target.
 */
async function checkAgainstTarget(store: EventStore, file: string, check: ImportCheck): Promise<Map<string, number>> {
  const current = new Map<string, number>();
  for (const [stream, { firstRevision, firstLine, lastRevision }] of check.streams) {
    const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const targetRevision = last?.revision ?? -1;
    if (targetRevision < firstRevision - 1) {
      const has = targetRevision < 0 ? 'does not have that stream' : `ends it at revision ${targetRevision}`;
      throw new ImportRejected(file, firstLine, `stream ${stream} starts at revision ${firstRevision}, but the target store ${has}`);
    }
    if (targetRevision >= firstRevision) {
      const overlap = await store.readStream(stream, { fromRevision: firstRevision, maxCount: Math.min(targetRevision, lastRevision) - firstRevision + 1 });
      for (const stored of overlap) {
        const inFile = check.ids.get(stored.id);
        if (!inFile || inFile.stream !== stream || inFile.revision !== stored.revision) {
          const line = [...check.ids.values()].find((s) => s.stream === stream && s.revision === stored.revision)?.line ?? firstLine;
          throw new ImportRejected(file, line, `the target store already holds a different event (${stored.id}) at ${stream} revision ${stored.revision}`);
        }
      }
    }
    current.set(stream, targetRevision);
  }
  return current;
}

export interface ImportReport {
  readonly events: number;
  readonly appended: number;
  readonly alreadyPresent: number;
  readonly streams: number;
}

const BATCH = 500;

/**
 * Import an NDJSON export: check every line (nothing is written if one is bad),
 * check the file continues what the target holds, then append in file order,
 * each stream at the revision the file gives it. Ids, `recordedAt` and metadata
 * are kept; positions are the target's own. Importing a file twice adds nothing.
 */
export async function importEvents(store: EventStore, path: string, shownAs = path): Promise<ImportReport> {
  const file = shownAs;
  const check = await checkImportFile(path, shownAs);
  const targetRevisions = await checkAgainstTarget(store, file, check);

  let appended = 0;
  let batch: FileEvent[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const first = batch[0]!;
    const toAppend: EventToAppend[] = batch.map(({ event }) => ({
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata,
      recordedAt: event.recordedAt,
    }));
    const expectedRevision = first.event.revision === 0 ? 'no-stream' : first.event.revision - 1;
    const result = await store.append(first.event.stream, toAppend, { expectedRevision });
    if (!result.ok) {
      throw new CliError(
        `${file}: line ${first.line}: ${first.event.stream} is at revision ${String(result.error.actual)} in the target, not ${String(expectedRevision)} (another writer?); ${appended} events were imported before it`,
      );
    }
    appended += batch.length;
    batch = [];
  };

  for await (const item of fileEvents(path, shownAs)) {
    const seen = check.ids.get(item.event.id);
    if (!seen || seen.line !== item.line) throw new CliError(`${file} changed while it was being imported (line ${item.line}); ${appended} events were imported`);
    if (item.event.revision <= targetRevisions.get(item.event.stream)!) continue; // already there, unchanged (checked)
    if (batch.length >= BATCH || (batch.length > 0 && batch[0]!.event.stream !== item.event.stream)) await flush();
    batch.push(item);
  }
  await flush();
  return { events: check.events, appended, alreadyPresent: check.events - appended, streams: check.streams.size };
}
