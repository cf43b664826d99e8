import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ProjectionRunner, projections, type AnyProjection } from '@taawun/projections';
import { createHttpApp, type HttpApp, type HttpAppOptions } from './app.js';

export interface StartServerOptions extends HttpAppOptions {
  /** Interface to listen on. Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 8787. */
  readonly port?: number;
  /**
   * With \`readModelStorage\`: keep every stored read model current by following
   * the log (\`ProjectionRunner.follow\`) while the server runs. Default true;
   * set false when another process keeps them current.
   */
  readonly followReadModels?: boolean;
}

export interface RunningServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly http: HttpApp;
  /** Stop accepting connections, end live feeds, and wait for the server to close. The store stays open. */
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
  const http = createHttpApp(options);
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
  const followers = new AbortController();
  const following =
    options.readModelStorage && options.followReadModels !== false
      ? (Object.values(projections) as AnyProjection[]).map((projection) =>
          new ProjectionRunner(projection, { store: options.store, storage: options.readModelStorage! })
            .follow({ signal: followers.signal })
            .catch((error: unknown) => (options.log ?? console.error)(`[taawun http] read model ${projection.name} stopped following: ${(error as Error)?.message ?? String(error)}`)),
        )
      : [];
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    http,
    close: async () => {
      followers.abort();
      await new Promise<void>((resolve, reject) => {
        http.closeLiveFeeds();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        // Live feeds end when aborted; anything still open after a moment is cut.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      await Promise.all(following);
    },
  };
}
