#!/usr/bin/env node
/**
 * node examples/embed/dist/main.js [sqlite file]
 *
 * Records a workshop with ENM (idempotently: run it twice, it is stored once)
 * and prints ENM's history, read back from the log.
 */
import { pickText } from '@taawun/domain';
import { openTrainingOffice, workshop } from './training-office.js';

const file = process.argv[2] ?? './data/taawun.db';
try {
  const office = await openTrainingOffice(file, 'training-office-system');
  try {
    for (const { key, command } of workshop) console.log(`${command.type}: ${await office.record(command, key)}`);
    const { partner, entries } = await office.history('enm-france');
    console.log(`\n${partner.acronym ?? partner.partnerId}: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`);
    for (const entry of entries) console.log(`  ${entry.date.label.padEnd(22)} ${entry.what.padEnd(30)} ${pickText(entry.title ?? { en: entry.record.id }, 'en')}`);
  } finally {
    await office.close();
  }
} catch (error) {
  console.error(`embed: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = 1;
}
