#!/usr/bin/env node
/**
 * node examples/institute-record/dist/main.js [partner-id] [store URL]
 *
 * Loads the institute's record (facts F1 to F18 of the source text) into the
 * store (default `memory:`; e.g. `sqlite:./data/taawun.db`) and prints the
 * partner's history (default `enm-france`).
 */
import { loadAndShowHistory } from './partner-history.js';

const [partnerId = 'enm-france', storeUrl = 'memory:'] = process.argv.slice(2);
try {
  const { loaded, lines } = await loadAndShowHistory(storeUrl, partnerId);
  console.log(`The institute's record: ${loaded.recorded} commands recorded, ${loaded.alreadyPresent} already present.`);
  console.log(`${partnerId}: ${lines.length} ${lines.length === 1 ? 'entry' : 'entries'}`);
  for (const line of lines) console.log(`  ${line}`);
} catch (error) {
  console.error(`institute-record: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = 1;
}
