import { EventStoreError } from '@taawun/domain';

/** Where the store connects, as people should read it in messages (never with the password). */
export interface EventStoreDbTarget {
  /** `esdb+discover://`: the host names a DNS entry (or seed) for the cluster's gossip. */
  readonly discover: boolean;
  readonly hosts: readonly { readonly address: string; readonly port: number }[];
  /** `?tls=false` turns TLS off (an insecure dev server); it is on by default. */
  readonly tls: boolean;
  readonly description: string;
}

const DEFAULT_PORT = 2113;
const SCHEMES = 'esdb:// (one node, or a comma-separated list of cluster nodes) or esdb+discover:// (a cluster found through DNS)';
const EXAMPLE = 'esdb://localhost:2113?tls=false';

/** The client compares option names ignoring case, `-` and `_`; so do we. */
const flat = (key: string): string => key.trim().toLowerCase().replace(/[_-]/g, '');

const invalid = (shown: string, problem: string): EventStoreError =>
  new EventStoreError('invalid-configuration', `"${shown}" is not a usable EventStoreDB connection string: ${problem}. Use ${SCHEMES}, e.g. ${EXAMPLE}`);

/** The connection string with any password replaced by `***`. */
export const redactConnectionString = (connectionString: string): string =>
  connectionString.replace(/^([a-z+]+:\/\/[^:@/?]+):[^@/?]*@/i, '$1:***@');

const describe = (discover: boolean, hosts: EventStoreDbTarget['hosts']): string => {
  const list = hosts.map((h) => `${h.address}:${h.port}`).join(', ');
  if (discover) return `the EventStoreDB cluster discovered through ${list}`;
  return hosts.length === 1 ? `EventStoreDB at ${list}` : `the EventStoreDB cluster ${list}`;
};

const queryOptions = (query: string | undefined): Map<string, string> =>
  new Map(
    (query ?? '')
      .split('&')
      .filter((pair) => pair.length > 0)
      .map((pair) => {
        const at = pair.indexOf('=');
        return at < 0 ? [flat(pair), ''] : [flat(pair.slice(0, at)), pair.slice(at + 1).trim()];
      }),
  );

/**
 * Check the shape of a connection string and say where it points. The client
 * parses it again to connect; this pass exists so that a wrong string fails
 * with a message naming the schemes, hosts and options we support.
 */
export function parseConnectionString(connectionString: string): EventStoreDbTarget {
  const shown = redactConnectionString(String(connectionString).trim());
  const match = /^(esdb|esdb\+discover):\/\/(?:[^@/?]+@)?([^?]*)(?:\?(.*))?$/.exec(String(connectionString).trim());
  if (!match) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(shown)?.[1];
    throw invalid(shown, scheme ? `the scheme "${scheme}://" is not supported` : 'it does not start with a scheme');
  }
  const discover = match[1] === 'esdb+discover';
  const hostList = match[2]!.replace(/\/+$/, '');
  if (hostList.length === 0) throw invalid(shown, 'it names no host');
  const hosts = hostList.split(',').map((entry) => {
    const [address = '', port, ...rest] = entry.trim().split(':');
    if (address.length === 0 || rest.length > 0) throw invalid(shown, `"${entry}" is not host or host:port`);
    const number = port === undefined ? DEFAULT_PORT : Number(port);
    if (!Number.isInteger(number) || number < 1 || number > 65_535) throw invalid(shown, `"${port}" is not a port number (1-65535)`);
    return { address, port: number };
  });
  const options = queryOptions(match[3]);
  const tls = options.get('tls');
  if (tls !== undefined && tls !== 'true' && tls !== 'false') throw invalid(shown, `tls must be true or false, not "${tls}"`);
  if (options.get('throwonappendfailure') === 'false') {
    throw invalid(shown, 'throwOnAppendFailure=false is not supported (the store reads conflicts from the errors the client throws)');
  }
  return { discover, hosts, tls: tls !== 'false', description: describe(discover, hosts) };
}

/** Client settings the store chooses unless the connection string sets them itself. */
export interface ClientDefaults {
  readonly defaultDeadline?: number;
  readonly keepAliveInterval?: number;
  readonly keepAliveTimeout?: number;
}

/** Append `key=value` options the connection string does not already set. */
export function withClientDefaults(connectionString: string, defaults: ClientDefaults): string {
  const given = connectionString.trim();
  // `host:2113/` and `host:2113/?tls=false` both work; keep the slash out of a query we add.
  const trimmed = given.includes('?') ? given : given.replace(/\/+$/, '');
  const queryAt = trimmed.indexOf('?');
  const present = queryOptions(queryAt < 0 ? undefined : trimmed.slice(queryAt + 1));
  const missing = Object.entries(defaults)
    .filter(([key, value]) => value !== undefined && !present.has(flat(key)))
    .map(([key, value]) => `${key}=${value as number}`);
  if (missing.length === 0) return trimmed;
  const separator = queryAt < 0 ? '?' : trimmed.endsWith('?') || trimmed.endsWith('&') ? '' : '&';
  return `${trimmed}${separator}${missing.join('&')}`;
}
