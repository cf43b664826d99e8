/**
 * Runs one workload in its own process, so that its time, heap and peak RSS are
 * its own: `node lib/child.mjs <module> <function> '<json arguments>'`. The
 * result is the last stdout line, `RESULT <json>`; a failure is `FAILED <json>`.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { peakRssMb } from './measure.mjs';

const [modulePath, name, json] = process.argv.slice(2);
try {
  const module = await import(pathToFileURL(resolve(modulePath)).href);
  const result = await module[name](JSON.parse(json ?? '{}'));
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, peakRssMb: peakRssMb() })}\n`);
  process.exit(0);
} catch (error) {
  process.stdout.write(`FAILED ${JSON.stringify({ message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined })}\n`);
  process.exit(1);
}
