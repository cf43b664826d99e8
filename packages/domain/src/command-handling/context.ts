import type { StateCache } from './state-cache.js';
import type { StoredEvent } from '../store/envelope.js';
import type { ExpectedRevision, StreamRevision } from '../store/port.js';

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
  /**
   * Folded states kept between commands: by default one bounded cache per
   * store object (`stateCacheOf`); `false` folds every stream from its first event.
   */
  readonly stateCache?: StateCache | false;
}

export interface CommandOutcome {
  readonly stream: string;
  readonly events: readonly StoredEvent[];
  /** The stream's revision after the command: the caller's next expected revision (HTTP ETag). */
  readonly revision: StreamRevision;
  /** True when an idempotency key matched a command already stored: nothing new was written. */
  readonly alreadyApplied: boolean;
}
