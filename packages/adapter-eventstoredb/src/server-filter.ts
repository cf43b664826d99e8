import { eventTypeFilter, excludeSystemEvents, streamNameFilter, type Filter } from '@eventstore/db-client';
import type { EventFilter } from '@taawun/domain';

/** What the server filters on: one criterion per request (stream names or event types), as the protocol allows. */
export type ServerFilter =
  | { readonly on: 'stream-name'; readonly prefixes: readonly string[] }
  | { readonly on: 'event-type'; readonly regex: string };

/** The server's regex dialect is .NET's; these characters need a backslash in both. */
const escapeRegex = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/**
 * The server-side part of a port filter for `subscribeToAll`, or `nothing` when
 * the filter excludes everything (an empty list). Stream prefixes go to the
 * server when given (types are then checked here); otherwise exact types,
 * otherwise "no system events". The store checks every event against the full
 * filter again. (Reads of $all cannot carry a filter in the client's public
 * `readAll`: the store filters those itself, see the README.)
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
