import { expect } from 'vitest';
import { taawun, temporaryFolder, type Outcome } from '../support.js';

/*
 * Questions about the 18 facts, asked as a user asks them: the seeded record
 * in a SQLite file, each question one `taawun` command, its answer read twice:
 * as JSON (the answer itself) and as the table a person reads.
 */

export interface Asked {
  /** `--format json`: the answer object. */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The table as printed. */
  readonly table: string;
}

export interface Record {
  /** One question, both ways: exit 0 each. The record is only read, so a question asked again is answered once. */
  ask(...args: string[]): Promise<Asked>;
  /** Run as it is (for errors). */
  run(...args: string[]): Promise<Outcome>;
  remove(): Promise<void>;
}

/** The institute's record seeded into a fresh SQLite file. */
export async function seededRecord(label: string): Promise<Record> {
  const folder = await temporaryFolder(label);
  const run = (...args: string[]) => taawun([...args, '--store', `sqlite:${folder.path}/taawun.db`], { cwd: folder.path });
  expect((await run('seed')).code).toBe(0);
  const asked = new Map<string, Promise<Asked>>();
  const answer = async (args: string[]): Promise<Asked> => {
    // Two readers of the seeded file at once: the second core is otherwise idle while the test waits.
    const [json, table] = await Promise.all([run(...args, '--format', 'json'), run(...args)]);
    expect([json.code, json.stderr, table.code, table.stderr]).toEqual([0, '', 0, '']);
    return { json: JSON.parse(json.stdout), table: table.stdout };
  };
  return {
    run,
    ask(...args) {
      const key = JSON.stringify(args);
      if (!asked.has(key)) asked.set(key, answer(args));
      return asked.get(key)!;
    },
    remove: folder.remove,
  };
}

/** The line of a table that holds `text`. */
export const lineWith = (table: string, text: string): string => table.split('\n').find((l) => l.includes(text)) ?? '';
