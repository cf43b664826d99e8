import { ImportedEvents } from './import-index.js';
import {
  InMemoryEventStore,
  assertValidBatch,
  decodeEvent,
  erasedFormOf,
  eventDefinition,
  isEventStoreError,
  looksSealed,
  storedEventJsonSchema,
  storedEventToJson,
  streamOfEvent,
  type EventStore,
  type EventToAppend,
  type KeyStore,
  type RecordedEvent,
  type StoredEvent,
} from '@taawun/domain';
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
export async function exportEvents(store: EventStore, out: Writable, onProgress?: (events: number) => void): Promise<{ events: number }> {
  let events = 0;
  for await (const event of store.readAll()) {
    if (!out.write(`${JSON.stringify(storedEventToJson(event))}\n`)) await drained(out);
    if (++events % PROGRESS_EVERY === 0) onProgress?.(events);
  }
  onProgress?.(events);
  return { events };
}

async function drained(out: Writable): Promise<void> {
  // `error` rejects the wait (a closed pipe), `drain` resolves it.
  await once(out, 'drain');
}

/** Events between two progress reports: often enough for a display, rarely enough to cost nothing. */
const PROGRESS_EVERY = 1000;

/** One event of the file, where it was found. */
interface FileEvent {
  readonly line: number;
  readonly event: StoredEvent;
  readonly decoded: RecordedEvent;
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
export function parseEventLine(text: string): { ok: true; event: StoredEvent; decoded: RecordedEvent } | { ok: false; reason: string } {
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
  // What every store checks before it writes (a uuid id, a valid recordedAt, a stream name it accepts).
  try {
    assertValidBatch(event.stream, [toAppend(event)], 'any');
  } catch (error) {
    return { ok: false, reason: `the store would refuse it: ${(error as Error).message.replace(/^event 0 /, 'the event ')}` };
  }
  return { ok: true, event, decoded: decoded.value };
}

const toAppend = (event: StoredEvent): EventToAppend => ({
  id: event.id,
  type: event.type,
  schemaVersion: event.schemaVersion,
  data: event.data,
  metadata: event.metadata,
  recordedAt: event.recordedAt,
});

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The personal fields an event carries in clear (as the encrypting store would
 * seal them): present and not in their erased form, which is what an export
 * writes for an erased participant.
 */
function personalFieldsCarried(event: StoredEvent): { participantId: unknown; fields: string[] } | undefined {
  const definition = eventDefinition(event.type);
  if (!definition || definition.personalFields.length === 0 || !isRecord(event.data)) return undefined;
  const data = event.data;
  const fields = definition.personalFields.filter((field) => {
    if (data[field] === undefined) return false;
    const erased = erasedFormOf(definition, field);
    return erased.omit || JSON.stringify(data[field]) !== JSON.stringify(erased.value);
  });
  return fields.length === 0 ? undefined : { participantId: data.participantId, fields };
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
      yield { line, event: parsed.event, decoded: parsed.decoded };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** A correction whose corrected event is not in the file: it must be earlier in the same stream of the target. */
export interface PendingCorrection {
  readonly line: number;
  readonly stream: string;
  readonly revision: number;
  readonly correctedEventId: string;
  readonly correctedEventType: string;
}

/** An event carrying a participant's personal data in clear: the target must not have erased them. */
export interface PersonalEvent {
  readonly line: number;
  readonly stream: string;
  readonly revision: number;
  readonly participantId: string;
}

export interface ImportCheck {
  readonly events: number;
  /** Per stream: the first revision and line in the file. */
  readonly streams: ReadonlyMap<string, { readonly firstRevision: number; readonly firstLine: number; readonly lastRevision: number }>;
  /** Every event of the file by id, compactly (a million events in tens of megabytes). */
  readonly ids: ImportedEvents;
  readonly corrections: readonly PendingCorrection[];
  readonly personal: readonly PersonalEvent[];
}

/**
 * First pass: every line parses and is an event the store accepts, ids are
 * unique, each stream's revisions follow one another and positions increase,
 * as in an export; every event sits in the stream its data names
 * (`streamOfEvent`), a correction in the stream of the event it corrects,
 * after it; no personal data follows the erasure of its participant, and none
 * is encrypted. Throws `ImportRejected`.
 */
export async function checkImportFile(path: string, file = path, onProgress?: (events: number) => void): Promise<ImportCheck> {
  const ids = new ImportedEvents();
  const streams = new Map<string, { firstRevision: number; firstLine: number; lastRevision: number }>();
  const corrections = new Map<string, PendingCorrection[]>();
  const personal: PersonalEvent[] = [];
  const erasedOnLine = new Map<string, number>();
  let lastPosition: bigint | undefined;
  let events = 0;
  for await (const { line, event, decoded } of fileEvents(path, file)) {
    if (events % PROGRESS_EVERY === 0) onProgress?.(events);
    const earlier = ids.get(event.id);
    if (earlier) throw new ImportRejected(file, line, `event id ${event.id} already appears on line ${earlier.line}`);
    const correcting = corrections.get(event.id);
    if (correcting) {
      throw new ImportRejected(file, correcting[0]!.line, `RecordCorrected corrects event ${event.id}, which comes after it (line ${line}): a correction follows what it corrects`);
    }
    const belongs = streamOfEvent(decoded);
    if (belongs !== undefined && belongs !== event.stream) {
      throw new ImportRejected(file, line, `${event.type} ${event.id} belongs in stream ${belongs} (its data says so), not ${event.stream}`);
    }
    if (decoded.type === 'RecordCorrected') {
      const { correctedEventId, correctedEventType } = decoded.data;
      const corrected = ids.get(correctedEventId);
      if (corrected && corrected.stream !== event.stream) {
        throw new ImportRejected(file, line, `RecordCorrected corrects event ${correctedEventId}, which is in stream ${corrected.stream} (line ${corrected.line}), not ${event.stream}: a correction sits in the stream of the event it corrects`);
      }
      if (corrected && corrected.type !== correctedEventType) {
        throw new ImportRejected(file, line, `RecordCorrected says event ${correctedEventId} is a ${correctedEventType}, but line ${corrected.line} holds a ${corrected.type}`);
      }
      if (!corrected) {
        const pending = { line, stream: event.stream, revision: event.revision, correctedEventId, correctedEventType };
        corrections.set(correctedEventId, [...(corrections.get(correctedEventId) ?? []), pending]);
      }
    }
    const carried = personalFieldsCarried(event);
    if (carried) {
      const participantId = String(carried.participantId);
      const sealed = carried.fields.find((field) => looksSealed((event.data as Record<string, unknown>)[field]));
      if (sealed) throw new ImportRejected(file, line, `${event.type}.${sealed} is encrypted: an import takes personal data in clear, as taawun export writes it`);
      const erasedOn = erasedOnLine.get(participantId);
      if (erasedOn !== undefined) {
        throw new ImportRejected(file, line, `${event.type} carries personal data of participant ${participantId}, whose data line ${erasedOn} erased: the store refuses it`);
      }
      personal.push({ line, stream: event.stream, revision: event.revision, participantId });
    }
    if (decoded.type === 'ParticipantDataErased' && !erasedOnLine.has(decoded.data.participantId)) erasedOnLine.set(decoded.data.participantId, line);
    if (lastPosition !== undefined && event.position <= lastPosition) {
      throw new ImportRejected(file, line, `position ${event.position} does not come after ${lastPosition}: lines must be in log order`);
    }
    const stream = streams.get(event.stream);
    if (stream && event.revision !== stream.lastRevision + 1) {
      throw new ImportRejected(file, line, `stream ${event.stream} goes from revision ${stream.lastRevision} to ${event.revision}; revisions must follow one another`);
    }
    if (stream) stream.lastRevision = event.revision;
    else streams.set(event.stream, { firstRevision: event.revision, firstLine: line, lastRevision: event.revision });
    ids.add(event.id, { line, stream: event.stream, revision: event.revision, type: event.type });
    lastPosition = event.position;
    events++;
  }
  return { events, streams, ids, corrections: [...corrections.values()].flat().sort((a, b) => a.line - b.line), personal };
}

/**
 * Compare the file with what the target already holds, stream by stream: the
 * file must continue each stream where the target is (or repeat events it
 * already has, unchanged). Returns each stream's revision in the target.
 */
async function checkStreamsAgainstTarget(store: EventStore, file: string, check: ImportCheck): Promise<Map<string, number>> {
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
          const line = check.ids.lineAt(stream, stored.revision) ?? firstLine;
          throw new ImportRejected(file, line, `the target store already holds a different event (${stored.id}) at ${stream} revision ${stored.revision}`);
        }
      }
    }
    current.set(stream, targetRevision);
  }
  return current;
}

export interface ImportOptions {
  /** The target's key store (`OpenedStore.keys`): personal data of a participant it has erased is refused before anything is written. */
  readonly keys?: KeyStore | undefined;
  /** The target as it holds the log (`OpenedStore.inner`): its ids are scanned without decrypting anything. Default: the store. */
  readonly raw?: EventStore;
  /** How far the import is: `checking` the file (events read, no total yet), then `appending` (events of the file handled, of all of them). */
  readonly onProgress?: (phase: 'checking' | 'appending', done: number, total?: number) => void;
  /** The file as `checkImportFile` checked it already (before the store was opened or created): not read twice for it. */
  readonly checked?: ImportCheck;
}

/**
 * Everything appending could still refuse, checked before anything is written:
 * the streams continue the target's; each correction not in the file corrects
 * an event earlier in the same stream of the target; no personal data is for a
 * participant the target erased; no new event's id is already stored in
 * another stream (or at another revision) of the target. The port has no
 * look-up by id, so that last check reads the target's whole log, once, when
 * it is not empty. Returns each stream's revision in the target.
 */
/** What a new, empty target would refuse of a checked file (a correction of an event the file does not hold), thrown as `importEvents` throws it: checked before the store is created. */
export async function checkAgainstEmptyTarget(file: string, check: ImportCheck): Promise<void> {
  await checkAgainstTarget(new InMemoryEventStore(), file, check, {});
}

async function checkAgainstTarget(store: EventStore, file: string, check: ImportCheck, options: ImportOptions): Promise<Map<string, number>> {
  const raw = options.raw ?? store;
  const targetRevisions = await checkStreamsAgainstTarget(raw, file, check);
  const isNew = (stream: string, revision: number) => revision > (targetRevisions.get(stream) ?? -1);

  const before = new Map<string, Map<string, { revision: number; type: string }>>();
  for (const correction of check.corrections) {
    const { stream, correctedEventId, correctedEventType } = correction;
    let held = before.get(stream);
    if (!held) {
      // The part of the target's stream before the file's: what the file does not hold.
      const firstRevision = check.streams.get(stream)!.firstRevision;
      const prefix = firstRevision === 0 ? [] : await raw.readStream(stream, { fromRevision: 0, maxCount: firstRevision });
      held = new Map(prefix.map((e) => [e.id, { revision: e.revision, type: e.type }]));
      before.set(stream, held);
    }
    const corrected = held.get(correctedEventId);
    if (!corrected) {
      throw new ImportRejected(file, correction.line, `RecordCorrected corrects event ${correctedEventId}, which is neither earlier in stream ${stream} in the file nor in that stream of the target store`);
    }
    if (corrected.type !== correctedEventType) {
      throw new ImportRejected(file, correction.line, `RecordCorrected says event ${correctedEventId} is a ${correctedEventType}, but the target store holds a ${corrected.type}`);
    }
  }

  if (options.keys) {
    const checked = new Set<string>();
    for (const event of check.personal) {
      if (!isNew(event.stream, event.revision) || checked.has(event.participantId)) continue;
      checked.add(event.participantId);
      if ((await options.keys.lookup(event.participantId)).state === 'destroyed') {
        throw new ImportRejected(file, event.line, `participant ${event.participantId}'s personal data was erased in the target store: it cannot take their personal data again`);
      }
    }
  }

  const anyNew = [...check.streams].some(([stream, { lastRevision }]) => isNew(stream, lastRevision));
  if (anyNew && (await raw.lastPosition()) !== undefined) {
    for await (const stored of raw.readAll()) {
      const inFile = check.ids.get(stored.id);
      if (inFile && (inFile.stream !== stored.stream || inFile.revision !== stored.revision)) {
        throw new ImportRejected(file, inFile.line, `event id ${stored.id} is already stored in the target, in stream ${stored.stream} at revision ${stored.revision}: an id names one event in the whole log`);
      }
    }
  }
  return targetRevisions;
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
 * check the file against what the target holds (see `checkAgainstTarget`:
 * nothing is written if it would be refused), then append in file order, each
 * stream at the revision the file gives it. Ids, `recordedAt` and metadata are
 * kept; positions are the target's own. Importing a file twice adds nothing.
 * What no check can foresee (another writer, a store failure) stops the import
 * with the number of events written; importing the file again continues.
 */
export async function importEvents(store: EventStore, path: string, shownAs = path, options: ImportOptions = {}): Promise<ImportReport> {
  const file = shownAs;
  const check = options.checked ?? (await checkImportFile(path, shownAs, options.onProgress && ((done) => options.onProgress!('checking', done))));
  const targetRevisions = await checkAgainstTarget(store, file, check, options);

  let appended = 0;
  let batch: FileEvent[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const first = batch[0]!;
    const expectedRevision = first.event.revision === 0 ? 'no-stream' : first.event.revision - 1;
    const stopped = `${appended} events were imported before it; importing the file again continues from there`;
    let result;
    try {
      result = await store.append(first.event.stream, batch.map(({ event }) => toAppend(event)), { expectedRevision });
    } catch (error) {
      const reason = isEventStoreError(error) ? `${error.message} (store: ${error.code})` : (error as Error)?.message ?? String(error);
      throw new CliError(`${file}: line ${first.line}: appending to ${first.event.stream} failed: ${reason.split('\n')[0]}; ${stopped}`);
    }
    if (!result.ok) {
      throw new CliError(`${file}: line ${first.line}: ${first.event.stream} is at revision ${String(result.error.actual)} in the target, not ${String(expectedRevision)} (another writer?); ${stopped}`);
    }
    appended += batch.length;
    batch = [];
  };

  let handled = 0;
  for await (const item of fileEvents(path, shownAs)) {
    if (handled++ % PROGRESS_EVERY === 0) options.onProgress?.('appending', handled - 1, check.events);
    const seen = check.ids.get(item.event.id);
    if (!seen || seen.line !== item.line) throw new CliError(`${file} changed while it was being imported (line ${item.line}); ${appended} events were imported`);
    if (item.event.revision <= targetRevisions.get(item.event.stream)!) continue; // already there, unchanged (checked)
    if (batch.length >= BATCH || (batch.length > 0 && batch[0]!.event.stream !== item.event.stream)) await flush();
    batch.push(item);
  }
  await flush();
  options.onProgress?.('appending', check.events, check.events);
  return { events: check.events, appended, alreadyPresent: check.events - appended, streams: check.streams.size };
}
