/**
 * HTTP load on keep-alive connections through undici's `Pool`, each
 * connection sending its next request as soon as its last answer has been
 * read. Answers are read as bytes and dropped, never decoded: autocannon 8
 * appends every body chunk to a string (`req.body += chunk`), a UTF-8
 * decoding that costs 8-15 ns a byte above 16 KB, so on a machine whose cores
 * it shares with the server it spends more CPU on a compressed page than the
 * server does, and its rate measures itself (bench/README.md, "Stored pages
 * against the server's floor"). The result has the fields of the bench's HTTP
 * rows (requests, rate, p50 and p99 latency, non-2xx answers, errors).
 */
import { createRequire } from 'node:module';
import { percentile } from './measure.mjs';

const require = createRequire(import.meta.url);

/**
 * @param {{ url: string; connections: number; durationSeconds: number; headers: Record<string, string>;
 *   method?: string; path: () => string; body?: () => string }} options
 */
export async function httpLoad({ url, connections, durationSeconds, headers, method = 'GET', path, body }) {
  const { Pool } = require('undici');
  const pool = new Pool(url, { connections, pipelining: 1 });
  const latencies = [];
  const statuses = new Map();
  let errors = 0;
  let bytes = 0;
  const deadline = performance.now() + durationSeconds * 1000;
  const connection = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const answer = await pool.request({ path: path(), method, headers, ...(body ? { body: body() } : {}) });
        bytes += (await answer.body.arrayBuffer()).byteLength;
        statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
        latencies.push(performance.now() - started);
      } catch {
        errors += 1;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  const non2xx = [...statuses].reduce((n, [status, count]) => (status >= 200 && status < 300 ? n : n + count), 0);
  return {
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    non2xx,
    errors,
    timeouts: 0,
    bytesRead: bytes,
  };
}
