import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHttpApp, type HttpApp, type HttpAppOptions } from './app.js';
import { ReadModelFollowers } from './read-model-followers.js';

export interface StartServerOptions extends HttpAppOptions {
  /** Interface to listen on. Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 8787. */
  readonly port?: number;
  /**
   * With \`readModelStorage\`: keep every stored read model current by following
   * the log (\`ProjectionRunner.follow\`, supervised: see \`ReadModelFollowers\`)
   * while the server runs. Default true; set false when another process keeps them current.
   */
  readonly followReadModels?: boolean;
  /** How often a follower checks that another runner did not replace or write its generation (ms). Default 1000. */
  readonly followerCheckIntervalMs?: number;
}

export interface RunningServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly http: HttpApp;
  /** Stop accepting connections, end live feeds, wait for erasures' purges still running, stop the followers. The store stays open. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * Serve the API, the audit feed and the report on `host:port`. Node's own
 * limits back the adapter's: a request must arrive in full within the request
 * timeout (slow uploads are cut off), and its headers within 10 seconds.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  let followers: ReadModelFollowers | undefined;
  // A purge rebuilds the models the followers write: they follow the new generations at once.
  const onErased = options.personalData?.onErased;
  const personalData = options.personalData && {
    ...options.personalData,
    ...(onErased
      ? {
          onErased: async (participantId: string) => {
            try {
              await onErased(participantId);
            } finally {
              followers?.resync();
            }
          },
        }
      : {}),
  };
  const http = createHttpApp({ ...options, ...(personalData ? { personalData } : {}) });
  const host = options.host ?? DEFAULT_HOST;
  const requestTimeout = http.limits.requestTimeoutMs + 1_000;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve(
      {
        fetch: http.app.fetch,
        hostname: host,
        port: options.port ?? DEFAULT_PORT,
        serverOptions: {
          requestTimeout,
          headersTimeout: Math.min(10_000, requestTimeout),
          connectionsCheckingInterval: Math.min(1_000, requestTimeout),
          maxHeaderSize: 16 * 1024,
        },
      },
      () => resolve(s as Server),
    ) as Server;
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  if (options.readModelStorage && options.followReadModels !== false) {
    followers = new ReadModelFollowers({
      store: options.store,
      storage: options.readModelStorage,
      projections: http.queries.projections(),
      log: options.log ?? ((message) => console.error(message)),
      ...(options.followerCheckIntervalMs === undefined ? {} : { checkIntervalMs: options.followerCheckIntervalMs }),
    });
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    http,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        http.closeLiveFeeds();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        // Live feeds end when aborted; anything still open after a moment is cut.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      // A purge still running in the background writes the storage the caller closes next.
      await http.backgroundWork();
      await followers?.close();
    },
  };
}
