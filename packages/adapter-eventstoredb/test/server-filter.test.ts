import { BACKWARDS, END, excludeSystemEvents, FORWARDS, START, type EventStoreDBClient, type Filter, type ReadAllOptions } from '@eventstore/db-client';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { encodePosition, isLastPage, isPastCursor, pageRequest, serverFilterFor, toClientFilter } from '../src/index.js';

describe('server-side filters of subscriptions', () => {
  it('stream prefixes go to the server as a stream-name prefix filter', () => {
    expect(serverFilterFor({ streamPrefixes: ['partner-', 'session-'] })).toEqual({ on: 'stream-name', prefixes: ['partner-', 'session-'] });
    // Types are then checked by the store: the protocol filters on one criterion per request.
    expect(serverFilterFor({ streamPrefixes: ['partner-'], types: ['PartnerRegistered'] })).toEqual({ on: 'stream-name', prefixes: ['partner-'] });
  });

  it('types alone become an exact, escaped event-type regex', () => {
    const filter = serverFilterFor({ types: ['PartnerRegistered', 'v2.Session(Held)+'] });
    expect(filter).toEqual({ on: 'event-type', regex: '^(?:PartnerRegistered|v2\\.Session\\(Held\\)\\+)$' });
    const regex = new RegExp((filter as { regex: string }).regex);
    expect(['PartnerRegistered', 'v2.Session(Held)+'].every((t) => regex.test(t))).toBe(true);
    expect(['PartnerRegisteredX', 'XPartnerRegistered', 'v2xSession(Held)+', 'v2.SessionHeld'].some((t) => regex.test(t))).toBe(false);
  });

  it("no filter still leaves the server's system events out, with the client's own regex", () => {
    expect(serverFilterFor(undefined)).toEqual({ on: 'event-type', regex: excludeSystemEvents().regex });
    expect(serverFilterFor({})).toEqual({ on: 'event-type', regex: excludeSystemEvents().regex });
  });

  it('an empty list matches nothing, so nothing is asked of the server', () => {
    expect(serverFilterFor({ types: [] })).toBe('nothing');
    expect(serverFilterFor({ streamPrefixes: [] })).toBe('nothing');
  });

  it("becomes the client's Filter for subscribeToAll", () => {
    const byStream: Filter = toClientFilter({ on: 'stream-name', prefixes: ['partner-'] });
    expect(byStream).toMatchObject({ filterOn: 'streamName', prefixes: ['partner-'], checkpointInterval: 1 });
    expect(toClientFilter({ on: 'event-type', regex: '^A$' })).toMatchObject({ filterOn: 'eventType', regex: '^A$' });
  });
});

describe('reads of $all, page by page through the public readAll', () => {
  it('start at the start (forwards) or the end (backwards), with no filter and no link resolution', () => {
    expect(pageRequest(FORWARDS, undefined, 500)).toEqual({ fromPosition: START, direction: FORWARDS, maxCount: 500, resolveLinkTos: false });
    expect(pageRequest(BACKWARDS, undefined, 32)).toEqual({ fromPosition: END, direction: BACKWARDS, maxCount: 32, resolveLinkTos: false });
  });

  it('resume at the cursor as its commit and prepare halves, one more event asked for: the one there comes back again', () => {
    const commit = (1n << 62n) + 12_345n;
    const cursor = encodePosition({ commit, prepare: commit - 7n });
    expect(pageRequest(FORWARDS, cursor, 500)).toEqual({ fromPosition: { commit, prepare: commit - 7n }, direction: FORWARDS, maxCount: 501, resolveLinkTos: false });
    expect(isPastCursor(cursor, cursor, FORWARDS)).toBe(false);
    expect(isPastCursor(cursor + 1n, cursor, FORWARDS)).toBe(true);
    expect(isPastCursor(cursor - 1n, cursor, FORWARDS)).toBe(false);
    expect(isPastCursor(cursor - 1n, cursor, BACKWARDS)).toBe(true);
    expect(isPastCursor(cursor, cursor, BACKWARDS)).toBe(false);
    expect(isPastCursor(0n, undefined, FORWARDS)).toBe(true);
  });

  it('a page with fewer new events than asked for is the last', () => {
    expect(isLastPage(499, 500)).toBe(true);
    expect(isLastPage(500, 500)).toBe(false);
  });

  it("the request is the client's own readAll options, and its readAll takes it", () => {
    expectTypeOf(pageRequest).returns.toEqualTypeOf<ReadAllOptions>();
    expectTypeOf<EventStoreDBClient['readAll']>().parameter(0).toEqualTypeOf<ReadAllOptions | undefined>();
  });
});
