import { domainError, type DomainError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import type { StoredEvent } from '../store/envelope.js';
import { isEventStoreError, type AppendOptions, type EventStore } from '../store/port.js';
import { latestDayAt } from '../values/partial-date.js';
import { unreadableText } from '../values/visible-text.js';
import type { CommandContext, CommandOutcome } from './context.js';
import { earlierOutcome, keyUsedOnAnotherRecord } from './idempotency.js';
import type { PreparedCommand } from './prepare.js';
import { checkReferences } from './references.js';
import { stateCacheOf, type StateCache } from './state-cache.js';
import { checkExpectedRevision, decodeJustAppended, foldOnto, keptState, loadState, remember, type LoadedState } from './stream.js';
import { replayedDraws, type ReplayedDraws } from './replayed-draws.js';
import { toAppend } from './to-append.js';

const storeFailure = (e: unknown): DomainError =>
  isEventStoreError(e)
    ? domainError(e.code === 'unavailable' ? 'store-unavailable' : 'store-failure', e.message, { details: { storeCode: e.code } })
    : domainError('store-failure', `the event store failed: ${(e as Error)?.message ?? String(e)}`);

/**
 * Execute a prepared command: check what it refers to exists, load and fold
 * its stream, decide, and append at the revision it was decided on. A
 * concurrent write makes it reload and decide again, a bounded number of
 * times. Every failure is a value, store failures included.
 *
 * A stream whose state is kept, in a store that checks an append's
 * preconditions, is not read first, nor are the records the command names:
 * the command is decided on the kept state and appended after its revision and
 * last event, with the named records required to exist, all of which the store
 * checks under its lock. Only an append can come of that; anything else (a
 * refusal, a conflict, a missing record, a caller's revision that does not
 * match) is answered again as before, references first, from the stream as
 * read, so every answer but a write is given on what the store holds now.
 */
export async function executeCommand(store: EventStore, prepared: PreparedCommand, context: CommandContext): Promise<Result<CommandOutcome, DomainError>> {
  const { stream } = prepared;
  const unreadable = unreadableText(prepared.command);
  if (unreadable) return err(domainError('invalid-command', unreadable.message, { fields: [unreadable.field] }));
  try {
    const attempts = context.maxAttempts ?? 5;
    const cache = context.stateCache === false ? undefined : (context.stateCache ?? stateCacheOf(store));
    let draws: ReplayedDraws | undefined;
    const kept = keptState(store, stream, prepared.fold, cache, context);
    if (kept) {
      // The decision needs no other stream: the records the command names are checked by the append, under its lock.
      draws = replayedDraws(context);
      const preconditions = { expectedLastEventId: kept.lastEventId, existingStreams: prepared.references.map((r) => r.stream) };
      const unread = await decideAndAppend(store, prepared, draws.context, cache, kept, preconditions);
      if (unread?.ok) {
        cache!.stats.hits++;
        cache!.stats.unread++;
        return unread;
      }
      // The attempt on the kept state came to nothing: the one on the stream as read draws the same instant and ids.
      draws.rewind();
    }
    const referenced = await checkReferences(store, prepared.references);
    if (!referenced.ok) return referenced;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const loaded = await loadState(store, stream, prepared.fold, cache);
      if (!loaded.ok) return loaded;
      const { revision, keys } = loaded.value;
      const keyAt = context.idempotencyKey === undefined ? undefined : keys.get(context.idempotencyKey);
      if (keyAt !== undefined) {
        // A retry: read the stream from the key's first event only.
        const since = await store.readStream(stream, { fromRevision: keyAt });
        const earlier = earlierOutcome(since, stream, prepared.command, context.idempotencyKey!, revision);
        if (earlier) return earlier;
      }
      const outcome = await decideAndAppend(store, prepared, draws?.context ?? context, cache, loaded.value);
      if (outcome) return outcome;
    }
    return err(domainError('concurrency-retries-exhausted', `${stream} kept changing: gave up after ${attempts} attempts`));
  } catch (e) {
    if (context.idempotencyKey && isEventStoreError(e) && e.code === 'duplicate-event-id') return err(keyUsedOnAnotherRecord(context.idempotencyKey));
    return err(storeFailure(e));
  }
}

/**
 * Decide on `loaded` and append at its revision (and, for a kept state not
 * read again, with what the read would have checked: `preconditions`).
 * Undefined: the stream moved meanwhile, decide again.
 */
async function decideAndAppend(
  store: EventStore,
  prepared: PreparedCommand,
  context: CommandContext,
  cache: StateCache | undefined,
  loaded: LoadedState,
  preconditions: Omit<AppendOptions, 'expectedRevision'> = {},
): Promise<Result<CommandOutcome, DomainError> | undefined> {
  const { command, stream } = prepared;
  const { state, revision } = loaded;
  const expected = checkExpectedRevision(stream, context.expectedRevision, revision);
  if (!expected.ok) return expected;
  const now = context.now();
  const decision = prepared.decideOn(state, { today: latestDayAt(now) });
  if (!decision.ok) return decision;
  const toStore = toAppend(decision.value, command, context, now.toISOString());
  if (!toStore.ok) return toStore;
  const appended = await store.append(stream, toStore.value, { ...preconditions, expectedRevision: revision });
  if (appended.ok) {
    keepAppended(cache, stream, prepared, loaded, appended.events);
    return ok({ stream, events: appended.events, revision: appended.nextExpectedRevision, alreadyApplied: false });
  }
  // The caller pinned a revision: another write in between is their conflict, not ours to retry.
  if (context.expectedRevision !== undefined && context.expectedRevision !== 'any') {
    return err(domainError('wrong-expected-revision', `${stream} changed while the command was decided (now at ${String(appended.error.actual)})`, {
      details: { stream, expected: context.expectedRevision, actual: appended.error.actual },
    }));
  }
  return undefined;
}

/**
 * Carry the cached state over what was just appended, when it follows the revision decided on: the next command reads nothing it need not.
 * The events are folded without parsing their data again (`decodeJustAppended`): `toAppend` has just parsed it.
 */
function keepAppended(cache: StateCache | undefined, stream: string, prepared: PreparedCommand, loaded: LoadedState, events: readonly StoredEvent[]): void {
  if (!cache) return;
  const next = loaded.revision === 'no-stream' ? 0 : loaded.revision + 1;
  if (events[0]?.revision !== next) return;
  const folded = foldOnto(prepared.fold, stream, loaded, events, decodeJustAppended);
  if (folded.ok) remember(cache, stream, prepared.fold, folded.value);
}
