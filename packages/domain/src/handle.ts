import { createHash } from 'node:crypto';
import { commandSchema, type Command } from './commands.js';
import { domainError, type DomainError } from './errors.js';
import { err, ok, type Result } from './result.js';
import { routeCommand } from './routing.js';
import { decodeEvent, type RecordedEvent } from './schema/decode.js';
import { eventDefinition, type DomainEvent } from './schema/events.js';
import type { EventToAppend, StoredEvent } from './store/envelope.js';
import { isEventStoreError, type EventStore, type ExpectedRevision, type StreamRevision } from './store/port.js';
import { idempotentEventId } from './values/ids.js';
import { latestDayAt } from './values/partial-date.js';

/**
 * Everything a command needs from the outside world, passed in so that the
 * domain has no clock and no random source of its own.
 */
export interface CommandContext {
  /** Who records: an authenticated key or account name, never taken from the command body. */
  readonly actor: string;
  readonly now: () => Date;
  /** New event ids (uuid v7 in production, a counter in tests). */
  readonly newId: () => string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** Where the fact comes from (`F12`), kept in metadata. */
  readonly sourceRef?: string;
  /** The same key, the same events: a retried command is stored once. */
  readonly idempotencyKey?: string;
  /** The revision the caller last saw (HTTP If-Match). A mismatch is a conflict, not retried. */
  readonly expectedRevision?: ExpectedRevision;
  /** Reload-and-decide-again attempts on a concurrent write (default 5). */
  readonly maxAttempts?: number;
}

export interface CommandOutcome {
  readonly stream: string;
  readonly events: readonly StoredEvent[];
  /** The stream's revision after the command: the caller's next expected revision (HTTP ETag). */
  readonly revision: StreamRevision;
  /** True when an idempotency key matched a command already stored: nothing new was written. */
  readonly alreadyApplied: boolean;
}

const storeFailure = (e: unknown): DomainError =>
  isEventStoreError(e)
    ? domainError(e.code === 'unavailable' ? 'store-unavailable' : 'store-failure', e.message, { details: { storeCode: e.code } })
    : domainError('store-failure', `the event store failed: ${(e as Error)?.message ?? String(e)}`);

/** Parse input with the command schemas; the error names every offending field. */
export function parseCommand(input: unknown): Result<Command, DomainError> {
  const parsed = commandSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data as Command);
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'type'))];
  const message = parsed.error.issues.map((i) => `${i.path.join('.') || '(command)'}: ${i.message}`).join('; ');
  return err(domainError('invalid-command', message, { fields }));
}

async function loadStream(store: EventStore, stream: string): Promise<Result<{ events: RecordedEvent[]; raw: StoredEvent[] }, DomainError>> {
  const raw = await store.readStream(stream);
  const events: RecordedEvent[] = [];
  for (const stored of raw) {
    const decoded = decodeEvent(stored);
    if (!decoded.ok) return err(domainError('store-failure', `cannot read ${stream}: ${decoded.error.message}`));
    events.push(decoded.value);
  }
  return ok({ events, raw });
}

const revisionOf = (events: readonly unknown[]): StreamRevision => (events.length === 0 ? 'no-stream' : events.length - 1);

function toAppend(events: readonly DomainEvent[], command: Command, context: CommandContext, recordedAt: string): Result<EventToAppend[], DomainError> {
  const out: EventToAppend[] = [];
  for (const [index, event] of events.entries()) {
    const definition = eventDefinition(event.type)!;
    // Belt and braces: what leaves the decider is checked against the schema it will be read back with.
    const checked = definition.data.safeParse(event.data);
    if (!checked.success) return err(domainError('invalid-command', `${event.type} would be invalid: ${checked.error.message}`));
    const id = context.idempotencyKey ? idempotentEventId(context.idempotencyKey, index) : context.newId();
    const correlationId = context.correlationId ?? id;
    const occurredOn = definition.occurredOn(checked.data);
    out.push({
      id,
      type: event.type,
      schemaVersion: definition.schemaVersion,
      data: checked.data,
      recordedAt,
      metadata: {
        actor: context.actor,
        correlationId,
        causationId: context.causationId ?? correlationId,
        commandType: command.type,
        ...(occurredOn === undefined ? {} : { occurredOn }),
        ...(context.sourceRef ? { sourceRef: context.sourceRef } : {}),
        ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey, commandFingerprint: commandFingerprint(command) } : {}),
      },
    });
  }
  return ok(out);
}

/**
 * A digest of the command, so a key reused with another command is refused.
 * Personal fields are left out: metadata must not carry anything derived from a name.
 */
function commandFingerprint(command: Command): string {
  const { personal: _personal, ...rest } = command as Command & { personal?: unknown };
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 32);
}

/** The events an earlier command with this idempotency key stored in the stream, if any. */
function earlierOutcome(raw: readonly StoredEvent[], stream: string, command: Command, key: string): Result<CommandOutcome, DomainError> | undefined {
  const firstId = idempotentEventId(key, 0);
  const start = raw.findIndex((e) => e.id === firstId);
  if (start === -1) return undefined;
  const first = raw[start]!.metadata;
  const fingerprint = first.commandFingerprint;
  if (first.commandType !== command.type || (typeof fingerprint === 'string' && fingerprint !== commandFingerprint(command))) {
    return err(domainError('invalid-command', `idempotency key ${key} was already used for a different ${String(first.commandType)} command`, { fields: ['idempotencyKey'] }));
  }
  const events = raw.slice(start).filter((e) => e.metadata.idempotencyKey === key);
  return ok({ stream, events, revision: revisionOf(raw), alreadyApplied: true });
}

/**
 * Handle one command: parse it, check what it refers to exists, load and fold
 * its stream, decide, and append at the revision it was decided on. A
 * concurrent write makes it reload and decide again, a bounded number of times.
 */
export async function handle(store: EventStore, input: unknown, context: CommandContext): Promise<Result<CommandOutcome, DomainError>> {
  const parsed = parseCommand(input);
  if (!parsed.ok) return parsed;
  const command = parsed.value;
  const route = routeCommand(command);
  try {
    for (const reference of route.references) {
      const [found] = await store.readStream(reference.stream, { maxCount: 1 });
      if (!found) {
        return err(domainError('unknown-reference', `${reference.field} refers to ${reference.stream}, which is not recorded`, { fields: [reference.field] }));
      }
    }
    const attempts = context.maxAttempts ?? 5;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const loaded = await loadStream(store, route.stream);
      if (!loaded.ok) return loaded;
      const { events, raw } = loaded.value;
      if (context.idempotencyKey) {
        const earlier = earlierOutcome(raw, route.stream, command, context.idempotencyKey);
        if (earlier) return earlier;
      }
      const current = revisionOf(raw);
      if (context.expectedRevision !== undefined && context.expectedRevision !== 'any' && context.expectedRevision !== current) {
        if (!(context.expectedRevision === 'stream-exists' && current !== 'no-stream')) {
          return err(domainError('wrong-expected-revision', `${route.stream} is at revision ${current}, not ${String(context.expectedRevision)}`, {
            details: { stream: route.stream, expected: context.expectedRevision, actual: current },
          }));
        }
      }
      const now = context.now();
      const decision = route.decide(events, { today: latestDayAt(now) });
      if (!decision.ok) return decision;
      const toStore = toAppend(decision.value, command, context, now.toISOString());
      if (!toStore.ok) return toStore;
      const appended = await store.append(route.stream, toStore.value, { expectedRevision: current });
      if (appended.ok) {
        return ok({ stream: route.stream, events: appended.events, revision: appended.nextExpectedRevision, alreadyApplied: false });
      }
      if (context.expectedRevision !== undefined && context.expectedRevision !== 'any') {
        return err(domainError('wrong-expected-revision', `${route.stream} changed while the command was decided (now at ${String(appended.error.actual)})`, {
          details: { stream: route.stream, expected: context.expectedRevision, actual: appended.error.actual },
        }));
      }
    }
    return err(domainError('concurrency-retries-exhausted', `${route.stream} kept changing: gave up after ${attempts} attempts`));
  } catch (e) {
    // Ids derived from a key that an earlier command used on another record.
    if (context.idempotencyKey && isEventStoreError(e) && e.code === 'duplicate-event-id') {
      return err(domainError('invalid-command', `idempotency key ${context.idempotencyKey} was already used for a command on another record`, { fields: ['idempotencyKey'] }));
    }
    return err(storeFailure(e));
  }
}
