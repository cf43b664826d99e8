import { participantDataErased } from '../aggregates/participant/events.js';
import { domainError, type DomainError } from '../errors.js';
import type { CommandOf } from '../catalogue/commands.js';
import { executeCommand, handle, prepareParsedCommand, type CommandContext, type CommandOutcome } from '../command-handling/index.js';
import { err, ok, type Result } from '../result.js';
import type { StoredEvent } from '../store/envelope.js';
import { isEventStoreError, type EventStore } from '../store/port.js';
import type { KeyLookup, KeyStore } from './key-store.js';

export interface ErasureOptions {
  /**
   * Runs after the key is destroyed, with the participant's id: purge or rebuild
   * every read model that may hold their plaintext (a projection rebuilt through
   * the encrypting store then reads them as erased). Must be safe to repeat.
   */
  readonly onErased?: (participantId: string) => Promise<void> | void;
}

export interface ErasureOutcome {
  readonly participantId: string;
  /** The `ParticipantDataErased` event recorded by this call; undefined when an earlier run had recorded it. */
  readonly event: StoredEvent | undefined;
  /** True when the log already said the participant was erased (a re-run, e.g. after a crash). */
  readonly alreadyRecorded: boolean;
  /** True when the participant had a key before this call (false: already destroyed, or nothing personal was ever sealed). */
  readonly keyDestroyedNow: boolean;
  /** False when a copy of the key's bytes may linger in the key store's storage until a later run (see `KeyDestruction`). */
  readonly residueCleared: boolean;
}

/**
 * Erase a participant's personal data: record `ParticipantDataErased` (who:
 * `context.actor`, when: `context.now()`, why: `reason`; nothing personal)
 * through the command handler, then destroy their key, then run `onErased`.
 *
 * Each step is idempotent, so after a crash between them, run it again: a
 * participant already recorded as erased is not refused but finished (key
 * destroyed, read models purged). Errors are values: `not-found` (no such
 * participant), `invalid-command` (empty reason, bad id), `store-failure`.
 * Pass the encrypting store (it destroys the key itself as soon as the event
 * is stored, narrowing the window), or the plain one: the result is the same.
 */
export async function eraseParticipant(
  store: EventStore,
  keys: KeyStore,
  participantId: string,
  reason: string,
  context: CommandContext,
  options: ErasureOptions = {},
): Promise<Result<ErasureOutcome, DomainError>> {
  return erase(keys, participantId, () => handle(store, { type: 'EraseParticipantData', participantId, reason }, context), options);
}

/**
 * `eraseParticipant` for a command an edge has already parsed (the HTTP route
 * validates the id and the reason with the command's own schemas): it is
 * routed and executed, not parsed again.
 */
export async function executeErasure(
  store: EventStore,
  keys: KeyStore,
  command: CommandOf<'EraseParticipantData'>,
  context: CommandContext,
  options: ErasureOptions = {},
): Promise<Result<ErasureOutcome, DomainError>> {
  return erase(keys, command.participantId, () => executeCommand(store, prepareParsedCommand(command), context), options);
}

async function erase(
  keys: KeyStore,
  participantId: string,
  record: () => Promise<Result<CommandOutcome, DomainError>>,
  options: ErasureOptions,
): Promise<Result<ErasureOutcome, DomainError>> {
  let before: KeyLookup;
  try {
    before = await keys.lookup(participantId);
  } catch (e) {
    return err(storeFailure(`the key store cannot be read (${(e as Error)?.message ?? String(e)}); nothing was erased`, e));
  }
  const recorded = await record();
  if (!recorded.ok && recorded.error.code !== 'participant-erased') return recorded;
  const event = recorded.ok && !recorded.value.alreadyApplied ? recorded.value.events.find((e) => e.type === participantDataErased.type) : undefined;

  const destroyed = await attempt('destroying the participant\'s key', () => keys.destroy(participantId));
  if (!destroyed.ok) return destroyed;
  if (options.onErased) {
    const purged = await attempt('purging read models', async () => options.onErased!(participantId));
    if (!purged.ok) return purged;
  }
  return ok({
    participantId,
    event,
    alreadyRecorded: event === undefined,
    keyDestroyedNow: before.state === 'active',
    residueCleared: destroyed.value.residueCleared,
  });
}

async function attempt<T>(doing: string, work: () => Promise<T>): Promise<Result<T, DomainError>> {
  try {
    return ok(await work());
  } catch (e) {
    return err(storeFailure(`the erasure is recorded, but ${doing} failed (${(e as Error)?.message ?? String(e)}); run it again, it is safe to repeat`, e));
  }
}

const storeFailure = (message: string, e: unknown): DomainError =>
  domainError(isEventStoreError(e) && e.code === 'unavailable' ? 'store-unavailable' : 'store-failure', message);

/**
 * Finish erasures the log records but the key store does not reflect (a crash
 * between the two steps, a key store restored from a backup): destroy the key
 * of every participant with a `ParticipantDataErased` event. Run it at start-up
 * and after restoring a backup. Returns the ids whose key it destroyed now.
 */
export async function completePendingErasures(store: EventStore, keys: KeyStore): Promise<string[]> {
  const finished: string[] = [];
  for await (const event of store.readAll({ filter: { types: [participantDataErased.type] } })) {
    const participantId = (event.data as { participantId?: unknown } | null)?.participantId;
    if (typeof participantId !== 'string' || (await keys.isDestroyed(participantId))) continue;
    await keys.destroy(participantId);
    finished.push(participantId);
  }
  return finished;
}

/**
 * Copies the erasure could not scrub yet: another process holds a read
 * snapshot of the database, so the pages or WAL frames that held them stay
 * until that reader closes. The erasure itself is done (recorded, key
 * destroyed: nothing can decrypt the sealed data); running it again once the
 * reader has closed finishes the scrub. Thrown by an `onErased` purge that
 * found a reader in its way; `copies` names each copy left, for people.
 */
export class ScrubPendingError extends Error {
  override readonly name = 'ScrubPendingError';
  readonly code = 'scrub-pending' as const;
  constructor(readonly copies: readonly string[]) {
    super(`not scrubbed yet, because another process holds a read snapshot: ${copies.join('; ')}`);
  }
}

export const isScrubPending = (value: unknown): value is ScrubPendingError =>
  value instanceof Error && (value as { code?: unknown }).code === 'scrub-pending' && Array.isArray((value as { copies?: unknown }).copies);
