import {
  BACKWARDS,
  END,
  eventTypeFilter,
  excludeSystemEvents,
  START,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Direction,
  type EventStoreDBClient,
  type Filter,
  type ReadPosition,
} from '@eventstore/db-client';
// The client's own request classes and stream plumbing: `readAll` in 6.2.1 (the last 6.x release)
// always sends `noFilter`, although the server filters reads of $all since 20.6. These paths are the
// files `readAll` itself uses; the package has no export map, so they resolve as they are.
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream.js';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent.js';
import type { EventFilter } from '@taawun/domain';
import type { CallOptions, ClientReadableStream, Metadata } from '@grpc/grpc-js';

/** What the server filters on: one criterion per request (stream names or event types), as the protocol allows. */
export type ServerFilter =
  | { readonly on: 'stream-name'; readonly prefixes: readonly string[] }
  | { readonly on: 'event-type'; readonly regex: string };

/** The server's regex dialect is .NET's; these characters need a backslash in both. */
const escapeRegex = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/**
 * The server-side part of a port filter, or `nothing` when the filter excludes
 * everything (an empty list). Stream prefixes go to the server when given (types
 * are then checked here); otherwise exact types, otherwise "no system events".
 * The store checks every event against the full filter again.
 */
export function serverFilterFor(filter: EventFilter | undefined): ServerFilter | 'nothing' {
  if (filter?.types?.length === 0 || filter?.streamPrefixes?.length === 0) return 'nothing';
  if (filter?.streamPrefixes) return { on: 'stream-name', prefixes: [...filter.streamPrefixes] };
  if (filter?.types) return { on: 'event-type', regex: `^(?:${filter.types.map(escapeRegex).join('|')})$` };
  return { on: 'event-type', regex: excludeSystemEvents().regex };
}

/** The same filter in the client's terms, for `subscribeToAll`. */
export const toClientFilter = (filter: ServerFilter): Filter =>
  filter.on === 'stream-name' ? streamNameFilter({ prefixes: [...filter.prefixes] }) : eventTypeFilter({ regex: filter.regex });

export interface ReadAllRequest {
  readonly from: ReadPosition;
  readonly direction: Direction;
  readonly maxCount: number;
  readonly filter: ServerFilter;
}

/** A read of $all with a server-side filter: `readAll`'s request with `filter` in place of `noFilter`. */
export function buildReadAllRequest(request: ReadAllRequest): streamsPb.ReadReq {
  const { Empty } = sharedPb;
  const { ReadReq } = streamsPb;
  const all = new ReadReq.Options.AllOptions();
  if (request.from === START) all.setStart(new Empty());
  else if (request.from === END) all.setEnd(new Empty());
  else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(request.from.commit.toString(10));
    position.setPreparePosition(request.from.prepare.toString(10));
    all.setPosition(position);
  }
  const expression = new ReadReq.Options.FilterOptions.Expression();
  if (request.filter.on === 'stream-name') expression.setPrefixList([...request.filter.prefixes]);
  else expression.setRegex(request.filter.regex);
  const filter = new ReadReq.Options.FilterOptions();
  if (request.filter.on === 'stream-name') filter.setStreamIdentifier(expression);
  else filter.setEventType(expression);
  // No search window: the server scans until it has `count` matches or reaches the end.
  filter.setCount(new Empty());
  filter.setCheckpointintervalmultiplier(1);

  const uuid = new ReadReq.Options.UUIDOption();
  uuid.setString(new Empty());
  const options = new ReadReq.Options();
  options.setAll(all);
  options.setResolveLinks(false);
  options.setCount(String(request.maxCount));
  options.setUuidOption(uuid);
  options.setFilter(filter);
  options.setReadDirection(request.direction === BACKWARDS ? ReadReq.Options.ReadDirection.BACKWARDS : ReadReq.Options.ReadDirection.FORWARDS);
  const read = new ReadReq();
  read.setOptions(options);
  return read;
}

/** The client members `readAll` itself uses; protected in its declarations, public at run time. */
interface ClientPlumbing {
  readonly GRPCStreamCreator: (
    client: typeof streamsGrpc.StreamsClient,
    debugName: string,
    creator: (grpc: streamsGrpc.StreamsClient) => ClientReadableStream<streamsPb.ReadResp>,
  ) => () => Promise<ClientReadableStream<streamsPb.ReadResp>>;
  readonly callArguments: (options: object, callOptions?: CallOptions) => [Metadata, CallOptions];
}

/** Run the request through the client's connection handling (discovery, reconnects, credentials), as `readAll` does. */
export function readAllFiltered(client: EventStoreDBClient, request: ReadAllRequest): ReadStream<AllStreamResolvedEvent> {
  const plumbing = client as unknown as ClientPlumbing;
  const req = buildReadAllRequest(request);
  const createStream = plumbing.GRPCStreamCreator(streamsGrpc.StreamsClient, 'readAll', (grpc) =>
    grpc.read(req, ...plumbing.callArguments({}, { deadline: Infinity })),
  );
  return new ReadStream<AllStreamResolvedEvent>(createStream, (event) => convertGrpcEvent<AllStreamResolvedEvent>(event), {});
}
