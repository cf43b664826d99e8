import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { PROBLEM_CONTENT_TYPE, problem, problemTypes, type ProblemCode } from './http/problems.js';
import { createHttpApp, type HttpApp, type HttpAppOptions } from './app.js';

export interface StartServerOptions extends HttpAppOptions {
  /** Interface to listen on. Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 8787. */
  readonly port?: number;
}

export interface RunningServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly http: HttpApp;
  /** Stop accepting connections, end live feeds, wait for erasures' purges still running. The store and the read-model storage stay open. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * Serve the API, the audit feed and the report on `host:port`. Node's own
 * limits back the adapter's: a request must arrive in full within the request
 * timeout (slow uploads are cut off), and its headers within 10 seconds.
 *
 * Stored read models (`readModelStorage`) are answered as they are: keeping them
 * current while the server runs (the read-model followers) and purging them
 * after an erasure are the composition's work (`serveRuntime` in `@taawun/runtime`).
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
  answerClientErrors(server);
  paceHeapGrowth(http.limits.heapGrowingPercent);
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    http,
    // Once: a second call waits for the first.
    close: () => (closed ??= shutDown()),
  };
  async function shutDown(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      // No new connections; requests under way finish (drained), live feeds end with a final event.
      http.beginShutdown();
      // Connections become idle as their last answer ends (a kept-alive one too): close each then.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      // A request still running after its own timeout is cut.
      const cut = setTimeout(() => server.closeAllConnections(), http.limits.requestTimeoutMs + 1_000);
      server.close((error) => {
        clearInterval(idle);
        clearTimeout(cut);
        if (error) reject(error);
        else resolve();
      });
      server.closeIdleConnections();
    });
    // A purge still running in the background writes the storage the caller closes next; a page compressed
    // harder holds a thread of the pool: the server is closed when neither runs.
    await http.backgroundWork();
  }
}

/**
 * Every request leaves garbage (its parsing, its answer's text), and V8 lets its
 * old generation grow to up to four times what its last collection left before
 * the next: a server holding 28 MB live reached 220–240 MB resident under load,
 * at 10,000 events as at 1,000,000. With the growth at `percent` (100: twice)
 * it stayed at 161–164 MB, serving as many requests a second (bench/README.md).
 * V8's flag is the process's: one Node already started with is left as it is.
 */
function paceHeapGrowth(percent: number): void {
  const given = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((arg) => /^--heap[-_]growing[-_]percent/.test(arg));
  if (percent > 0 && !given) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** Node's own refusals (before the application sees a request), by the error's code. */
const clientErrorCodes: Readonly<Record<string, ProblemCode>> = {
  HPE_HEADER_OVERFLOW: 'header-fields-too-large',
  ERR_HTTP_REQUEST_TIMEOUT: 'client-timeout',
  ERR_HTTP_HEADERS_TIMEOUT: 'client-timeout',
};

/**
 * Node answers a request it cannot parse (a bad request line, headers too large,
 * too slow) with a bare status and no body. Here it is a problem like any other,
 * with no detail of the parser's: the error's text is the parser's and says nothing useful.
 */
function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }) => {
    // A response already under way cannot be replaced: only cut it.
    if (error.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const code = clientErrorCodes[error.code ?? ''] ?? 'bad-request';
    const answer = problem(code, code === 'bad-request' ? 'the request could not be parsed as HTTP/1.1' : problemTypes[code].description);
    const body = JSON.stringify(answer);
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
