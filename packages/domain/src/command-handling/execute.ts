import { domainError, type DomainError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import { isEventStoreError, type EventStore } from '../store/port.js';
import { latestDayAt } from '../values/partial-date.js';
import type { CommandContext, CommandOutcome } from './context.js';
import { earlierOutcome, keyUsedOnAnotherRecord } from './idempotency.js';
import type { PreparedCommand } from './prepare.js';
import { checkReferences } from './references.js';
import { checkExpectedRevision, loadStream } from './stream.js';
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
 */
export async function executeCommand(store: EventStore, prepared: PreparedCommand, context: CommandContext): Promise<Result<CommandOutcome, DomainError>> {
  const { command, stream } = prepared;
  try {
    const referenced = await checkReferences(store, prepared.references);
    if (!referenced.ok) return referenced;
    const attempts = context.maxAttempts ?? 5;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const loaded = await loadStream(store, stream);
      if (!loaded.ok) return loaded;
      const { events, raw, revision } = loaded.value;
      if (context.idempotencyKey) {
        const earlier = earlierOutcome(raw, stream, command, context.idempotencyKey);
        if (earlier) return earlier;
      }
      const expected = checkExpectedRevision(stream, context.expectedRevision, revision);
      if (!expected.ok) return expected;
      const now = context.now();
      const decision = prepared.decide(events, { today: latestDayAt(now) });
      if (!decision.ok) return decision;
      const toStore = toAppend(decision.value, command, context, now.toISOString());
      if (!toStore.ok) return toStore;
      const appended = await store.append(stream, toStore.value, { expectedRevision: revision });
      if (appended.ok) {
        return ok({ stream, events: appended.events, revision: appended.nextExpectedRevision, alreadyApplied: false });
      }
      // The caller pinned a revision: another write in between is their conflict, not ours to retry.
      if (context.expectedRevision !== undefined && context.expectedRevision !== 'any') {
        return err(domainError('wrong-expected-revision', `${stream} changed while the command was decided (now at ${String(appended.error.actual)})`, {
          details: { stream, expected: context.expectedRevision, actual: appended.error.actual },
        }));
      }
    }
    return err(domainError('concurrency-retries-exhausted', `${stream} kept changing: gave up after ${attempts} attempts`));
  } catch (e) {
    if (context.idempotencyKey && isEventStoreError(e) && e.code === 'duplicate-event-id') return err(keyUsedOnAnotherRecord(context.idempotencyKey));
    return err(storeFailure(e));
  }
}
