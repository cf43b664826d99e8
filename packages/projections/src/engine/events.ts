import { decodeEvent, type DomainEventType, type StoredEvent } from '@taawun/domain';
import { ProjectionError } from './errors.js';
import type { EventOfType, Projection } from './projection.js';

/** Decode a stored event for a projection, or fail with a message naming where it lies. */
export function decodeFor<S, T extends DomainEventType>(projection: Projection<S, T>, stored: StoredEvent): EventOfType<T> {
  const decoded = decodeEvent(stored);
  if (!decoded.ok) {
    throw new ProjectionError(
      'undecodable-event',
      `projection ${projection.name} cannot read the event at position ${stored.position} (${stored.type} in ${stored.stream}): ${decoded.error.message}`,
    );
  }
  return decoded.value as EventOfType<T>;
}
