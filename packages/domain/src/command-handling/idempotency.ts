import { createHash } from 'node:crypto';
import type { Command } from '../catalogue/commands.js';
import { domainError, type DomainError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import type { StoredEvent } from '../store/envelope.js';
import { idempotentEventId } from '../values/ids.js';
import type { CommandOutcome } from './context.js';
import type { StreamRevision } from '../store/port.js';

/**
 * Idempotency keys: the events of a command sent with a key get ids derived
 * from it (uuid v5), so a retry finds what the first attempt stored, and a key
 * reused for another command is refused.
 */

/**
 * A digest of the command, so a key reused with another command is refused.
 * Personal fields are left out: metadata must not carry anything derived from a name.
 */
export function commandFingerprint(command: Command): string {
  const { personal: _personal, ...rest } = command as Command & { personal?: unknown };
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 32);
}

/**
 * The events an earlier command with this idempotency key stored in the stream, if any.
 * `raw` may be the stream from the key's first event on; `revision` is the stream's current one.
 */
export function earlierOutcome(raw: readonly StoredEvent[], stream: string, command: Command, key: string, revision: StreamRevision): Result<CommandOutcome, DomainError> | undefined {
  const firstId = idempotentEventId(key, 0);
  const start = raw.findIndex((e) => e.id === firstId);
  if (start === -1) return undefined;
  const first = raw[start]!.metadata;
  const fingerprint = first.commandFingerprint;
  if (first.commandType !== command.type || (typeof fingerprint === 'string' && fingerprint !== commandFingerprint(command))) {
    return err(domainError('invalid-command', `idempotency key ${key} was already used for a different ${String(first.commandType)} command`, { fields: ['idempotencyKey'] }));
  }
  const events = raw.slice(start).filter((e) => e.metadata.idempotencyKey === key);
  return ok({ stream, events, revision, alreadyApplied: true });
}

/** Ids derived from a key that an earlier command used on another record collide in the store: say so. */
export const keyUsedOnAnotherRecord = (key: string): DomainError =>
  domainError('invalid-command', `idempotency key ${key} was already used for a command on another record`, { fields: ['idempotencyKey'] });
