import {
  AccessDeniedError,
  CancelledError,
  convertToCommandError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type CurrentRevision,
} from '@eventstore/db-client';
import { EventStoreError, isEventStoreError, type ExpectedRevision, type StreamRevision, type WrongExpectedRevision } from '@taawun/domain';
import type { EventStoreDbTarget } from './connection-string.js';

/** What was being done, for the message: `appending 3 events to "partner-1"`. */
export interface ErrorContext {
  readonly target: EventStoreDbTarget;
  readonly doing: string;
}

/** A revision from the server as the port's number (revisions stay far below 2^53 in practice; if not, say so). */
export function toRevisionNumber(revision: bigint): number {
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new EventStoreError('corrupt', `EventStoreDB returned the stream revision ${revision}, which is not a revision this library can represent (0 .. 2^53-1)`);
  }
  return Number(revision);
}

/** The client's current revision (`no_stream` or a bigint; -1 from older servers also means no stream). */
export const toStreamRevision = (current: CurrentRevision | undefined): StreamRevision =>
  current === undefined || current === 'no_stream' || current < 0n ? 'no-stream' : toRevisionNumber(current);

/** A conflict as the port's value. The expected revision is the caller's, in the port's terms. */
export const toWrongExpectedRevision = (error: WrongExpectedVersionError, stream: string, expected: ExpectedRevision): WrongExpectedRevision => ({
  code: 'wrong-expected-revision',
  stream,
  expected,
  actual: toStreamRevision(error.actualVersion),
});

export const isStreamNotFound = (error: unknown): error is StreamNotFoundError => error instanceof StreamNotFoundError;

const DISCOVERY_FAILED = /^Failed to discover after (\d+) attempts?/;

/** Why a connection failed, in words, from the gRPC details the client passes on. */
function unavailableReason(error: Error): string {
  const detail = error.message ?? '';
  if (error instanceof DeadlineExceededError) return 'the server did not answer within the deadline';
  if (error instanceof NotLeaderError) return `the node is not the cluster leader (the leader is ${error.leader.address}:${error.leader.port}); the client reconnects to it on the next call`;
  if (error instanceof TimeoutError) return 'the server timed out before committing (the write may or may not have happened: retry with the same event ids)';
  if (error instanceof CancelledError) return 'the server cancelled the call';
  const discovery = DISCOVERY_FAILED.exec(detail);
  if (discovery) return `no cluster node answered the gossip request after ${discovery[1]} attempts`;
  if (/ECONNREFUSED/.test(detail)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN/.test(detail)) return 'host name not found';
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/.test(detail)) return 'host unreachable';
  if (/ECONNRESET|write after end/.test(detail)) return 'the connection was reset';
  const trimmed = detail.replace(/\s*Resolution note:\s*$/, '').trim();
  return trimmed.length > 0 ? trimmed : 'no connection could be established';
}

const tlsHint = (target: EventStoreDbTarget): string =>
  target.tls
    ? 'Check that the server is running and reachable, and that it uses TLS (for an insecure dev server add ?tls=false).'
    : 'Check that the server is running and reachable, and that it runs insecure (the connection string has ?tls=false).';

const isUnavailable = (error: Error): boolean =>
  error instanceof UnavailableError ||
  error instanceof DeadlineExceededError ||
  error instanceof CancelledError ||
  error instanceof TimeoutError ||
  error instanceof NotLeaderError ||
  DISCOVERY_FAILED.test(error.message ?? '');

/**
 * Turn whatever the client threw into an `EventStoreError` naming the server,
 * what was being done and the problem. The client's own message is often empty
 * (errors built from a batch-append reply carry none), so ours never relies on it;
 * the original stays reachable as `cause`.
 */
export function toEventStoreError(thrown: unknown, context: ErrorContext): EventStoreError {
  if (isEventStoreError(thrown)) return thrown as EventStoreError;
  const { target, doing } = context;
  // Raw gRPC errors (the client throws UNAVAILABLE from appendToStream unconverted) become the client's classes first.
  const error = thrown instanceof Error ? convertToCommandError(thrown) : new Error(String(thrown));
  const detail = (error.message ?? '').trim();
  const withDetail = (text: string) => (detail.length > 0 ? `${text} (${detail})` : text);

  if (isUnavailable(error)) {
    return new EventStoreError('unavailable', `${target.description} is unavailable: ${doing} failed: ${unavailableReason(error)}. ${tlsHint(target)}`, { cause: thrown });
  }
  if (error instanceof StreamDeletedError) {
    const name = error.streamName ? `stream "${error.streamName}"` : 'the stream';
    return new EventStoreError('stream-deleted', `${target.description}: ${doing} failed: ${name} has been deleted for good (tombstoned) and can never be written or read again`, { cause: thrown });
  }
  if (error instanceof MaxAppendSizeExceededError) {
    const limit = Number.isFinite(error.maxAppendSize) ? `${error.maxAppendSize} bytes, ` : '';
    return new EventStoreError('too-large', `${target.description}: ${doing} failed: the batch is larger than the server accepts in one append (${limit}its MaxAppendSize setting). Raise MaxAppendSize on the server or append fewer events at a time`, { cause: thrown });
  }
  if (error instanceof WrongExpectedVersionError) {
    return new EventStoreError('failure', `${target.description}: ${doing} failed: stream "${error.streamName}" is at revision ${String(error.actualVersion)}, not ${String(error.expectedVersion)}`, { cause: thrown });
  }
  if (error instanceof AccessDeniedError) {
    return new EventStoreError('failure', withDetail(`${target.description}: ${doing} failed: access denied. Check the user and password in the connection string (esdb://user:password@host:2113) and the user's stream permissions`), { cause: thrown });
  }
  if (error instanceof StreamNotFoundError) {
    return new EventStoreError('failure', `${target.description}: ${doing} failed: stream "${error.streamName}" does not exist`, { cause: thrown });
  }
  return new EventStoreError('failure', detail.length > 0 ? `${target.description}: ${doing} failed: ${detail}` : `${target.description}: ${doing} failed for an unknown reason (the client gave no message)`, { cause: thrown });
}
