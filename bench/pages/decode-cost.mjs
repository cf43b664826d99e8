// What the load generator pays for each response's body: autocannon 8 appends every body chunk to a string
// (`req.body += chunk`, in lib/pipelinedRequestsQueue.js), a UTF-8 decoding of the gzipped bytes. Its cost by size,
// on bytes like gzip's (random): `node decode-cost.mjs`. On Node 20 it jumps from ~2 to ~8 ns a byte between 12 and 16 kB.
import { randomBytes } from 'node:crypto';

for (const size of [1_000, 4_000, 8_000, 12_000, 14_000, 16_000, 20_000, 24_000, 32_000]) {
  const body = randomBytes(size);
  const rounds = 2_000;
  let chars = 0;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) chars += body.toString().length;
  const us = ((performance.now() - started) * 1000) / rounds;
  console.log(`${String(size).padStart(6)} bytes: ${us.toFixed(1).padStart(6)} µs a body, ${((us * 1000) / size).toFixed(2)} ns a byte${chars < 0 ? '' : ''}`);
}
