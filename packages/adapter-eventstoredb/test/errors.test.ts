import {
  AccessDeniedError,
  convertToCommandError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { unpackToCommandError } from '@eventstore/db-client/dist/streams/appendToStream/unpackError.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import { describe, expect, it } from 'vitest';
import { EventStoreError } from '@taawun/domain';
import { parseConnectionString, toEventStoreError, toStreamRevision, toWrongExpectedRevision } from '../src/index.js';

/**
 * The client's errors, made the ways the client makes them: from a batch-append
 * reply (`unpackToCommandError`, whose errors carry no message), from the
 * append reply's fields (`new WrongExpectedVersionError(null, ...)`), from a
 * read (`new StreamNotFoundError(null, name)`), and from a raw gRPC error with
 * the server's trailers (`convertToCommandError`).
 */
const target = parseConnectionString('esdb://db.example.org:2113');
const context = { target, doing: 'appending 2 events to "partner-1"' };

/** A batch-append error reply: google.rpc.Status with the detail packed in an Any. */
function batchAppendError(typeName: string, detail: { serializeBinary(): Uint8Array }): InstanceType<typeof statusPb.Status> {
  const any = new anyPb.Any();
  any.pack(detail.serializeBinary(), `event_store.client.${typeName}`);
  const status = new statusPb.Status();
  status.setMessage(typeName);
  status.setDetails(any);
  return status;
}

/** A gRPC error as @grpc/grpc-js raises it: code, details, message and the server's trailers. */
function serviceError(code: GrpcStatus, details: string, trailers: Record<string, string> = {}): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${details}`), { code, details, metadata });
}

describe('conflicts become WrongExpectedRevision values', () => {
  it('from a batch-append reply (no message in the client), current revision or no stream', () => {
    const atFour = new sharedPb.WrongExpectedVersion();
    atFour.setCurrentStreamRevision('4');
    atFour.setExpectedStreamPosition('2');
    const fromReply = unpackToCommandError(batchAppendError('WrongExpectedVersion', atFour), 'partner-1');
    expect(fromReply).toBeInstanceOf(WrongExpectedVersionError);
    expect(fromReply.message).toBe('');
    expect(toWrongExpectedRevision(fromReply as WrongExpectedVersionError, 'partner-1', 2)).toEqual({ code: 'wrong-expected-revision', stream: 'partner-1', expected: 2, actual: 4 });

    const missing = new sharedPb.WrongExpectedVersion();
    missing.setCurrentNoStream(new emptyPb.Empty());
    missing.setExpectedStreamExists(new emptyPb.Empty());
    const noStream = unpackToCommandError(batchAppendError('WrongExpectedVersion', missing), 'partner-2') as WrongExpectedVersionError;
    expect(noStream.actualVersion).toBe('no_stream');
    expect(toWrongExpectedRevision(noStream, 'partner-2', 'stream-exists')).toEqual({ code: 'wrong-expected-revision', stream: 'partner-2', expected: 'stream-exists', actual: 'no-stream' });
  });

  it('from an append reply and from server trailers (an absent actual version means no stream)', () => {
    const fromFields = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 'no_stream', current: 7n });
    expect(toWrongExpectedRevision(fromFields, 's', 'no-stream').actual).toBe(7);
    const fromTrailers = convertToCommandError(serviceError(GrpcStatus.FAILED_PRECONDITION, 'WrongExpectedVersion', { exception: 'wrong-expected-version', 'stream-name': 's', 'expected-version': '3' }));
    expect(fromTrailers).toBeInstanceOf(WrongExpectedVersionError);
    expect(toWrongExpectedRevision(fromTrailers as WrongExpectedVersionError, 's', 3).actual).toBe('no-stream');
  });

  it('maps the current revision: no_stream and -1 (older servers) to no-stream, bigints to numbers', () => {
    expect(toStreamRevision('no_stream')).toBe('no-stream');
    expect(toStreamRevision(-1n)).toBe('no-stream');
    expect(toStreamRevision(0n)).toBe(0);
    expect(toStreamRevision(9_007_199_254_740_991n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toStreamRevision(9_007_199_254_740_992n)).toThrow(/cannot represent|can represent/);
  });
});

describe('failures become EventStoreErrors with a stable code and a clear message', () => {
  it('a tombstoned stream: stream-deleted, from a batch-append reply with an empty message', () => {
    const error = unpackToCommandError(batchAppendError('StreamDeleted', new sharedPb.StreamDeleted()), 'partner-1');
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect(error.message).toBe('');
    const normalised = toEventStoreError(error, context);
    expect(normalised).toMatchObject({ name: 'EventStoreError', code: 'stream-deleted' });
    expect(normalised.message).toBe('EventStoreDB at db.example.org:2113: appending 2 events to "partner-1" failed: stream "partner-1" has been deleted for good (tombstoned) and can never be written or read again');
    expect(normalised.cause).toBe(error);
  });

  it('a tombstoned stream from server trailers too', () => {
    const error = convertToCommandError(serviceError(GrpcStatus.FAILED_PRECONDITION, 'Event stream was deleted', { exception: 'stream-deleted', 'stream-name': 'partner-9' }));
    expect(toEventStoreError(error, context)).toMatchObject({ code: 'stream-deleted', message: expect.stringContaining('stream "partner-9" has been deleted') as unknown });
  });

  it('a batch over the server limit: too-large, naming the limit', () => {
    const limit = new sharedPb.MaximumAppendSizeExceeded();
    limit.setMaxappendsize(1_048_576);
    const error = unpackToCommandError(batchAppendError('MaximumAppendSizeExceeded', limit), 'partner-1');
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
    expect(error.message).toBe('');
    const normalised = toEventStoreError(error, context);
    expect(normalised.code).toBe('too-large');
    expect(normalised.message).toContain('larger than the server accepts in one append (1048576 bytes, its MaxAppendSize setting)');
    const fromTrailers = convertToCommandError(serviceError(GrpcStatus.INVALID_ARGUMENT, 'Maximum Append Size of 1048576 Exceeded.', { exception: 'maximum-append-size-exceeded', 'maximum-append-size': '1048576' }));
    expect(toEventStoreError(fromTrailers, context).code).toBe('too-large');
  });

  it("the raw gRPC UNAVAILABLE appendToStream throws: unavailable, naming host and port and the cause", () => {
    const raw = serviceError(GrpcStatus.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 10.0.0.5:2113. Resolution note: ');
    const normalised = toEventStoreError(raw, context);
    expect(normalised.code).toBe('unavailable');
    expect(normalised.message).toBe(
      'EventStoreDB at db.example.org:2113 is unavailable: appending 2 events to "partner-1" failed: connection refused. Check that the server is running and reachable, and that it uses TLS (for an insecure dev server add ?tls=false).',
    );
    expect(normalised.cause).toBe(raw);
  });

  it.each([
    ['a deadline', serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'), 'the server did not answer within the deadline'],
    ['a server timeout (batch reply)', unpackToCommandError(batchAppendError('Timeout', new sharedPb.Timeout()), 's'), 'the server did not answer within the deadline'],
    ['a cancelled call', serviceError(GrpcStatus.CANCELLED, 'Call cancelled by server'), 'the server cancelled the call'],
    ['an unknown host', serviceError(GrpcStatus.UNAVAILABLE, 'Name resolution failed for target dns:nowhere:2113: getaddrinfo ENOTFOUND nowhere'), 'host name not found'],
    ['a follower', serviceError(GrpcStatus.NOT_FOUND, 'Leader info available', { exception: 'not-leader', 'leader-endpoint-host': 'node2', 'leader-endpoint-port': '2113' }), 'the node is not the cluster leader (the leader is node2:2113)'],
    ['a commit timeout', serviceError(GrpcStatus.ABORTED, 'Operation timed out'), 'the server timed out before committing (the write may or may not have happened: retry with the same event ids)'],
    ['discovery', new Error('Failed to discover after 10 attempts.'), 'no cluster node answered the gossip request after 10 attempts'],
  ])('%s: unavailable', (_, error, reason) => {
    const normalised = toEventStoreError(error, context);
    expect(normalised.code).toBe('unavailable');
    expect(normalised.message).toContain(`EventStoreDB at db.example.org:2113 is unavailable: appending 2 events to "partner-1" failed: ${reason}`);
  });

  it('access denied, with the empty message the client gives it: a failure that says what to check', () => {
    const error = unpackToCommandError(batchAppendError('AccessDenied', new sharedPb.AccessDenied()), 's');
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error.message).toBe('');
    const normalised = toEventStoreError(error, context);
    expect(normalised.code).toBe('failure');
    expect(normalised.message).toBe(
      "EventStoreDB at db.example.org:2113: appending 2 events to \"partner-1\" failed: access denied. Check the user and password in the connection string (esdb://user:password@host:2113) and the user's stream permissions",
    );
  });

  it('an unknown error with no message still gets a clear one', () => {
    const error = unpackToCommandError(batchAppendError('Unknown', new sharedPb.Unknown()), 's');
    expect(error).toBeInstanceOf(UnknownError);
    expect(error.message).toBe('');
    expect(toEventStoreError(error, context).message).toBe('EventStoreDB at db.example.org:2113: appending 2 events to "partner-1" failed for an unknown reason (the client gave no message)');
  });

  it('a missing stream outside a read (reads turn it into an empty result) names the stream', () => {
    const error = new StreamNotFoundError(undefined, Buffer.from('partner-404'));
    expect(error.streamName).toBe('partner-404');
    expect(toEventStoreError(error, context).message).toContain('stream "partner-404" does not exist');
  });

  it('anything else is a failure carrying its message; EventStoreErrors pass through unchanged', () => {
    expect(toEventStoreError(new TypeError('boom'), context)).toMatchObject({ code: 'failure', message: 'EventStoreDB at db.example.org:2113: appending 2 events to "partner-1" failed: boom' });
    expect(toEventStoreError('a string', context).message).toContain('failed: a string');
    const own = new EventStoreError('invalid-batch', 'no');
    expect(toEventStoreError(own, context)).toBe(own);
  });
});
