import pg, { type PoolConfig } from 'pg';

/** One server of a multi-host connection string. */
interface Host {
  readonly host: string;
  readonly port: number;
}

const MULTI_HOST = /^(postgres(?:ql)?:\/\/)([^@/?]*@)?([^/?]*)(.*)$/;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * A libpq-style multi-host connection string
 * (`postgres://u@db1:5432,db2:5432/taawun?target_session_attrs=read-write`) as
 * a pool configuration: `pg` itself connects to one host only, so its clients
 * are given the server to use when they connect: the first of the list that
 * answers (and, with `target_session_attrs=read-write`, accepts writes: not a
 * standby), asked again once a connection to it fails (after a failover, the
 * promoted standby). Undefined for a string naming one host without
 * `target_session_attrs`, which `pg` reads as it is.
 */
export function multiHostConfig(connectionString: string): PoolConfig | undefined {
  const match = MULTI_HOST.exec(connectionString);
  if (!match) return undefined;
  const [, scheme, auth = '', hostList = '', rest = ''] = match;
  const [path = '', query = ''] = splitOnce(rest, '?');
  const params = new URLSearchParams(query);
  const attrs = params.get('target_session_attrs');
  if (!hostList.includes(',') && attrs === null) return undefined;
  params.delete('target_session_attrs');
  if (attrs !== null && attrs !== 'any' && attrs !== 'read-write') throw new Error(`target_session_attrs=${attrs}: taawun knows read-write (the primary) and any`);
  const hosts = hostList.split(',').map((h): Host => {
    const at = h.lastIndexOf(':');
    return at > 0 && !h.endsWith(']') ? { host: h.slice(0, at), port: Number(h.slice(at + 1)) } : { host: h, port: 5432 };
  });
  const search = params.toString();
  const stringFor = (host: Host) => `${scheme}${auth}${host.host.includes(':') ? `[${host.host}]` : host.host}:${host.port}${path}${search ? `?${search}` : ''}`;
  return { connectionString: stringFor(hosts[0]!), Client: failoverClient(hosts, attrs === 'read-write', stringFor) };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * A `pg.Client` that, when it connects, asks which host to use: the one chosen
 * last, else the first that answers (and accepts writes, when asked). A failed
 * connection forgets the choice, so the next one looks again.
 */
function failoverClient(hosts: readonly Host[], readWrite: boolean, stringFor: (host: Host) => string): typeof pg.Client {
  let chosen: Promise<Host> | undefined;
  const choose = () => (chosen ??= firstUsable(hosts, readWrite, stringFor).catch((error: unknown) => {
    chosen = undefined;
    throw error;
  }));
  // pg's own connect (not in its types): it connects to this.host:this.port, read only then.
  const connect = (pg.Client.prototype as unknown as { _connect(this: pg.Client, callback: (error?: Error) => void): void })._connect;
  return class FailoverClient extends pg.Client {
    _connect(callback: (error?: Error) => void): void {
      choose().then(
        (host) => {
          const self = this as unknown as { host: string; port: number };
          self.host = host.host;
          self.port = host.port;
          connect.call(this, (error?: Error) => {
            if (error) chosen = undefined;
            callback(error);
          });
        },
        (error: Error) => callback(error),
      );
    }
  } as typeof pg.Client;
}

async function firstUsable(hosts: readonly Host[], readWrite: boolean, stringFor: (host: Host) => string): Promise<Host> {
  const seen: string[] = [];
  for (const host of hosts) {
    const client = new pg.Client({ connectionString: stringFor(host), connectionTimeoutMillis: PROBE_TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if (!readWrite) return host;
      const { rows } = await client.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
      if (rows[0]?.standby === false) return host;
      seen.push(`${host.host}:${host.port} is a standby`);
    } catch (error) {
      seen.push(`${host.host}:${host.port}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const error = new Error(`no server of ${hosts.map((h) => `${h.host}:${h.port}`).join(',')} ${readWrite ? 'accepts writes' : 'answers'} (${seen.join('; ')})`);
  (error as Error & { code: string }).code = 'EHOSTUNREACH';
  throw error;
}
