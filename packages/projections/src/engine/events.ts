import { decodeEvent, type DecodeFailure, type DecodeResult, type DomainEventType, type StoredEvent } from '@taawun/domain';
import { ProjectionError } from './errors.js';
import type { EventOfType, Projection } from './projection.js';

/** Decode a stored event for a projection, or fail with a message naming where it lies. */
export function decodeFor<S, T extends DomainEventType>(projection: Projection<S, T>, stored: StoredEvent): EventOfType<T> {
  return decodedFor(projection, decodeEvent(stored));
}

/** A decoded event for a projection, or the failure to decode it as a `ProjectionError` naming where it lies. */
export function decodedFor<S, T extends DomainEventType>(projection: Projection<S, T>, decoded: DecodeResult): EventOfType<T> {
  if (!decoded.ok) throw undecodable(projection, decoded.error);
  return decoded.value as EventOfType<T>;
}

const undecodable = (projection: { readonly name: string }, failure: DecodeFailure): ProjectionError =>
  new ProjectionError(
    'undecodable-event',
    `projection ${projection.name} cannot read the event at position ${failure.event.position} (${failure.event.type} in ${failure.event.stream}): ${failure.message}`,
  );
