import { BACKWARDS, END, excludeSystemEvents, FORWARDS, START, type Filter } from '@eventstore/db-client';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { describe, expect, it } from 'vitest';
import { buildReadAllRequest, serverFilterFor, toClientFilter } from '../src/index.js';

const { ReadReq } = streamsPb;

describe('server-side filters', () => {
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

describe('the filtered read request', () => {
  it("is readAll's request with a filter instead of noFilter", () => {
    const request = buildReadAllRequest({ from: START, direction: FORWARDS, maxCount: 500, filter: { on: 'stream-name', prefixes: ['partner-'] } });
    const wire = ReadReq.deserializeBinary(request.serializeBinary());
    const options = wire.getOptions()!;
    expect(options.getStreamOptionCase()).toBe(ReadReq.Options.StreamOptionCase.ALL);
    expect(options.getCountOptionCase()).toBe(ReadReq.Options.CountOptionCase.COUNT);
    expect(options.getFilterOptionCase()).toBe(ReadReq.Options.FilterOptionCase.FILTER);
    expect(options.getAll()!.getAllOptionCase()).toBe(ReadReq.Options.AllOptions.AllOptionCase.START);
    expect(options.getCount()).toBe('500');
    expect(options.getReadDirection()).toBe(ReadReq.Options.ReadDirection.FORWARDS);
    expect(options.getResolveLinks()).toBe(false);
    expect(options.getUuidOption()!.getContentCase()).toBe(ReadReq.Options.UUIDOption.ContentCase.STRING);
    const filter = options.getFilter()!;
    expect(filter.getFilterCase()).toBe(ReadReq.Options.FilterOptions.FilterCase.STREAM_IDENTIFIER);
    expect(filter.getStreamIdentifier()!.getPrefixList()).toEqual(['partner-']);
    expect(filter.getWindowCase()).toBe(ReadReq.Options.FilterOptions.WindowCase.COUNT);
    expect(filter.getCheckpointintervalmultiplier()).toBe(1);
  });

  it('carries a position as its commit and prepare halves, and reads backwards by event type', () => {
    const commit = (1n << 62n) + 12_345n;
    const request = buildReadAllRequest({ from: { commit, prepare: commit - 7n }, direction: BACKWARDS, maxCount: 1, filter: { on: 'event-type', regex: '^[^$].*' } });
    const options = ReadReq.deserializeBinary(request.serializeBinary()).getOptions()!;
    expect(options.getAll()!.getPosition()!.toObject()).toEqual({ commitPosition: commit.toString(), preparePosition: (commit - 7n).toString() });
    expect(options.getReadDirection()).toBe(ReadReq.Options.ReadDirection.BACKWARDS);
    expect(options.getFilter()!.getFilterCase()).toBe(ReadReq.Options.FilterOptions.FilterCase.EVENT_TYPE);
    expect(options.getFilter()!.getEventType()!.getRegex()).toBe('^[^$].*');
    const fromEnd = buildReadAllRequest({ from: END, direction: BACKWARDS, maxCount: 1, filter: { on: 'event-type', regex: '^A$' } });
    expect(fromEnd.getOptions()!.getAll()!.getAllOptionCase()).toBe(ReadReq.Options.AllOptions.AllOptionCase.END);
  });
});
