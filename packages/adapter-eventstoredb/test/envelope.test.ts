import { jsonEvent, binaryEvent, type EventData, type RecordedEvent } from '@eventstore/db-client';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { convertGrpcRecord } from '@eventstore/db-client/dist/utils/convertGrpcEvent.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEventStoreError, type EventToAppend } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import { assertStorableHere, encodePosition, fromRecordedEvent, isSystemEvent, toClientEvent, toServerMetadata } from '../src/index.js';

/**
 * What the server sends back for an event the client appended: the bytes the
 * client wrote (`appendToStream` JSON-stringifies data and metadata) inside the
 * gRPC message the server reads out, decoded by the client's own converter.
 * Only the server's storage is stood in for; every conversion is the package's.
 */
function asReadBack(data: EventData, at: { stream: string; revision: bigint; commit: bigint; prepare: bigint }): RecordedEvent {
  const id = new sharedPb.UUID();
  id.setString(data.id);
  const stream = new sharedPb.StreamIdentifier();
  stream.setStreamName(Buffer.from(at.stream, 'utf8'));
  const record = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  record.setId(id);
  record.setStreamIdentifier(stream);
  record.setStreamRevision(at.revision.toString());
  record.setCommitPosition(at.commit.toString());
  record.setPreparePosition(at.prepare.toString());
  record.getMetadataMap().set('type', data.type);
  record.getMetadataMap().set('content-type', data.contentType);
  record.getMetadataMap().set('created', '638000000000000000');
  record.setData(data.contentType === 'application/json' ? Buffer.from(JSON.stringify(data.data), 'utf8') : (data.data as Uint8Array));
  if (data.metadata !== undefined) record.setCustomMetadata(data.metadata instanceof Uint8Array ? data.metadata : Buffer.from(JSON.stringify(data.metadata), 'utf8'));
  return convertGrpcRecord(record);
}

const at = { stream: 'partner-7', revision: 3n, commit: 9_876_543n, prepare: 9_876_500n };
const thrown = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

describe('the envelope on the wire', () => {
  it("is built with the client's jsonEvent: same id, JSON content type, type and data", () => {
    const event = newTestEvent('PartnerRegistered', { name: { ar: 'المعهد', fr: 'Institut' } });
    const built = toClientEvent(event);
    expect(built).toEqual(jsonEvent({ id: event.id, type: event.type, data: event.data as never, metadata: toServerMetadata(event) }));
    expect(built).toMatchObject({ id: event.id, contentType: 'application/json', type: 'PartnerRegistered', data: event.data });
  });

  it("puts correlation and causation under the server's $correlationId / $causationId, the rest beside them", () => {
    const event = newTestEvent('SessionHeld', {}, {
      schemaVersion: 2,
      recordedAt: '2021-07-08T10:00:00.000Z',
      metadata: { actor: 'clerk:amina', correlationId: 'corr-1', causationId: 'cmd-9', occurredOn: '2021-05-25/2021-07-08', sourceRef: 'F12', idempotencyKey: 'k-1', commandType: 'RecordSession' },
    });
    expect(toServerMetadata(event)).toEqual({
      $correlationId: 'corr-1',
      $causationId: 'cmd-9',
      actor: 'clerk:amina',
      occurredOn: '2021-05-25/2021-07-08',
      sourceRef: 'F12',
      idempotencyKey: 'k-1',
      commandType: 'RecordSession',
      recordedAt: '2021-07-08T10:00:00.000Z',
      schemaVersion: 2,
    });
    expect(Object.keys(toServerMetadata(event))).not.toContain('correlationId');
  });

  it('reads back exactly what was written: id, type, data, metadata, schema version, recorded-at, stream, revision, position', () => {
    const event = newTestEvent('SessionHeld', { nested: { list: [1, 'two', null, true], n: 1.5 } }, {
      schemaVersion: 3,
      recordedAt: '2019-12-31T23:59:59.999Z',
      metadata: { actor: 'clerk:amina', correlationId: 'corr-42', causationId: 'cause-41', occurredOn: '2018-11-07/2018-11-08', sourceRef: 'F4', idempotencyKey: 'key-1', extra: { anything: ['kept'] } },
    });
    const stored = fromRecordedEvent(asReadBack(toClientEvent(event), at), 'EventStoreDB at test:2113');
    expect(stored).toEqual({ ...event, stream: 'partner-7', revision: 3, position: encodePosition({ commit: at.commit, prepare: at.prepare }) });
  });

  it('round-trips any JSON data and any envelope (property)', () => {
    const text = fc.string({ minLength: 1, maxLength: 20 });
    const extraKey = text.filter((k) => !k.startsWith('$') && !['actor', 'correlationId', 'causationId', 'recordedAt', 'schemaVersion', '__proto__'].includes(k));
    const envelope = fc.record(
      {
        actor: text,
        correlationId: text,
        causationId: text,
        occurredOn: fc.constantFrom('2018', '2018-11', '2018-11-07', '2021-05-25/2021-07-08'),
        sourceRef: text,
        idempotencyKey: text,
        commandType: text,
      },
      { requiredKeys: ['actor', 'correlationId', 'causationId'] },
    );
    const event = fc.record({
      id: fc.uuid().map((u) => u.toLowerCase()),
      type: text.filter((t) => !t.startsWith('$')),
      schemaVersion: fc.integer({ min: 1, max: 1_000 }),
      data: fc.jsonValue(),
      metadata: fc.tuple(envelope, fc.dictionary(extraKey, fc.jsonValue(), { maxKeys: 3 })).map(([m, extra]) => ({ ...extra, ...m })),
      recordedAt: fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    });
    const where = fc.record({
      stream: text.filter((s) => !s.startsWith('$')),
      revision: fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }),
      commit: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
      prepare: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
    });
    fc.assert(
      fc.property(event, where, (e: EventToAppend, w) => {
        assertStorableHere([e]);
        const stored = fromRecordedEvent(asReadBack(toClientEvent(e), w), 'test');
        const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
        expect(stored).toEqual({ ...asJson(e), stream: w.stream, revision: Number(w.revision), position: (w.commit << 64n) | w.prepare });
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips Arabic, French and mixed-direction text byte for byte', () => {
    const texts = { ar: 'اَلْمَعْهَدُ الْعَالِي لِلْقَضَاءِ', fr: 'E\u0301cole nationale — auditeurs', bidi: '\u200Fالفوج 39\u200E (cohort 39)', emoji: '⚖️👩🏽‍⚖️' };
    const event = newTestEvent('TextRecorded', texts, { metadata: { actor: 'كاتب الضبط', correlationId: 'ع-1', causationId: 'ع-1' } });
    const stored = fromRecordedEvent(asReadBack(toClientEvent(event), at), 'test');
    expect(stored.data).toEqual(texts);
    expect(stored.metadata.actor).toBe('كاتب الضبط');
  });
});

describe('what this store refuses to write', () => {
  it.each([
    [{ id: 'F3A1C2D4-0000-4000-8000-000000000001' }, /must be lowercase UUIDs/],
    [{ id: 'not-a-uuid' }, /must be lowercase UUIDs/],
    [{ type: '$metadata' }, /EventStoreDB's system events/],
    [{ metadata: { actor: 'a', correlationId: 'c', causationId: 'c', $correlationId: 'x' } }, /metadata key "\$correlationId"/],
    [{ metadata: { actor: 'a', correlationId: 'c', causationId: 'c', recordedAt: 'x' } }, /metadata key "recordedAt"/],
    [{ metadata: { actor: 'a', correlationId: 'c', causationId: 'c', schemaVersion: 2 } }, /metadata key "schemaVersion"/],
  ])('%j, with invalid-batch', (override, problem) => {
    const error = thrown(() => assertStorableHere([newTestEvent(), newTestEvent('X', {}, override as Partial<EventToAppend>)]));
    expect(isEventStoreError(error) && error.code).toBe('invalid-batch');
    expect((error as Error).message).toMatch(/^event 1 /);
    expect((error as Error).message).toMatch(problem);
  });

  it('data or metadata JSON cannot carry, with invalid-batch (before the client would throw a TypeError)', () => {
    for (const event of [newTestEvent('X', { n: 1n }), { ...newTestEvent('X'), data: undefined }, newTestEvent('X', {}, { metadata: { actor: 'a', correlationId: 'c', causationId: 'c', big: 2n } })]) {
      const error = thrown(() => toClientEvent(event));
      expect(isEventStoreError(error) && error.code).toBe('invalid-batch');
    }
  });
});

describe('what this store refuses to read', () => {
  it('an event without our envelope is corrupt, naming the stream, revision and field', () => {
    const foreign = asReadBack(jsonEvent({ type: 'OrderPlaced', data: { total: 3 }, metadata: { $correlationId: 'c' } }), at);
    const error = thrown(() => fromRecordedEvent(foreign, 'EventStoreDB at db:2113'));
    expect(isEventStoreError(error) && error.code).toBe('corrupt');
    expect((error as Error).message).toMatch(/^EventStoreDB at db:2113: the event at revision 3 of "partner-7" \(OrderPlaced\) does not carry this library's envelope: /);
  });

  it('a binary event, or one without metadata, is corrupt', () => {
    for (const data of [binaryEvent({ type: 'Blob', data: Uint8Array.from([1, 2, 3]) }), jsonEvent({ type: 'Bare', data: {} })]) {
      const error = thrown(() => fromRecordedEvent(asReadBack(data, at), 'test'));
      expect(isEventStoreError(error) && error.code).toBe('corrupt');
      expect((error as Error).message).toMatch(/not a JSON event|no JSON metadata object/);
    }
  });

  it('an event read without its position (servers before 22.6) is a failure naming the version needed', () => {
    const error = thrown(() => fromRecordedEvent(asReadBack(toClientEvent(newTestEvent()), { ...at, commit: 0n, prepare: 0n }), 'test'));
    expect(isEventStoreError(error) && error.code).toBe('failure');
    expect((error as Error).message).toContain('EventStoreDB 22.6 or later');
  });

  it('knows system events by a $ type or a $ stream', () => {
    expect(isSystemEvent({ type: '$>', streamId: '$ce-partner' })).toBe(true);
    expect(isSystemEvent({ type: '$streamDeleted', streamId: 'partner-1' })).toBe(true);
    expect(isSystemEvent({ type: 'PartnerRegistered', streamId: '$projections-x' })).toBe(true);
    expect(isSystemEvent({ type: 'PartnerRegistered', streamId: 'partner-1' })).toBe(false);
  });
});
