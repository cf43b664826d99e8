#!/usr/bin/env node
/**
 * The top functions of a V8 CPU profile (`node --cpu-prof`) by self time:
 * `node lib/profile-summary.mjs <file.cpuprofile> [count]`.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [file, count = '15'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const intervals = profile.timeDeltas;
profile.samples.forEach((id, i) => {
  const frame = nodes.get(id).callFrame;
  const where = frame.url ? `${relative(process.cwd(), frame.url.replace('file://', ''))}:${frame.lineNumber + 1}` : '(native)';
  const key = `${frame.functionName || '(anonymous)'} ${where}`;
  self.set(key, (self.get(key) ?? 0) + (intervals[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}\n`);
}
