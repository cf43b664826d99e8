#!/usr/bin/env node
/**
 * node examples/new-report/dist/main.js [sqlite file]
 *
 * Prints which cohorts of judicial attachés took part in which courses, from
 * the log of the given file (default ./data/taawun.db, e.g. after `taawun seed`).
 */
import { describePlacement } from './cohorts.js';
import { openInstituteFile, replayCohorts } from './replay-cohorts.js';

const file = process.argv[2] ?? './data/taawun.db';
try {
  const { store, close } = await openInstituteFile(file);
  try {
    let events = 0;
    const placements = await replayCohorts(store, (p) => {
      events = p.eventsDone;
    });
    console.log(`Cohort placements, replayed from ${events} events of ${file}:`);
    for (const placement of placements) console.log(`  ${describePlacement(placement)}`);
    if (placements.length === 0) console.log('  (no course names a cohort)');
  } finally {
    await close();
  }
} catch (error) {
  console.error(`new-report: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = 1;
}
