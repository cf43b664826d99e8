import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WitnessDecision } from '@taawun/adapter-postgres';
import { openSignedCheckpoint, type Checkpoint, type VerifierKey } from '@taawun/domain';
import { RuntimeError } from './errors.js';
import { parseStoreUrl, redact } from './store-url.js';

/*
 * Where a log's witness keeps its signed checkpoints, every one it accepted:
 * a file and its history, or an append-only table in another PostgreSQL
 * database. The witness's rule (what it accepts) is in witness.ts.
 */

/** Where the institute's signing key and a log's witness are kept: outside the log, by default beside the configuration. */
export interface WitnessLocation {
  /** The Ed25519 signing key (signed-note text form), created at the first write if missing. */
  readonly signingKeyFile: string;
  /**
   * The latest signed checkpoint of this log; every checkpoint accepted before
   * it is kept beside it, in `historyFileOf(witnessFile)`. Its name also names
   * the log in the checkpoints' origin line.
   */
  readonly witnessFile: string;
  /**
   * A PostgreSQL database (URL, `?schema=` allowed) other than the log's that
   * keeps the checkpoints instead of the witness file: an append-only table.
   */
  readonly witnessDatabase?: string;
}

/** The witness file's history: every checkpoint it accepted, oldest first (`x.checkpoint` → `x.checkpoints`). */
export const historyFileOf = (witnessFile: string): string => `${witnessFile.replace(/\.checkpoint$/, '')}.checkpoints`;
/** The checkpoints the witness file refused, each after the reason, kept as evidence. */
export const refusalsFileOf = (witnessFile: string): string => `${witnessFile.replace(/\.checkpoint$/, '')}.refused`;

/**
 * Signed notes one after the other, as a history file keeps them, split: a
 * note is its text lines up to a blank line, then its signature lines (`— `).
 */
export function splitNotes(text: string): string[] {
  const notes: string[] = [];
  let current: string[] = [];
  let signing = false;
  const close = () => {
    if (current.length > 0) notes.push(`${current.join('\n')}\n`);
    current = [];
    signing = false;
  };
  for (const line of text.split('\n')) {
    if (signing && !line.startsWith('\u2014 ')) close();
    if (line === '' && current.length === 0) continue;
    current.push(line);
    if (line === '') signing = true;
  }
  if (current.at(-1) === '') current.pop();
  close();
  return notes;
}

/** The witness file's checkpoint, checked against `key`; undefined when there is none. */
export function readWitness(file: string, key: VerifierKey): { note: string; checkpoint?: Checkpoint; problem?: string } | undefined {
  if (!existsSync(file)) return undefined;
  const note = readFileSync(file, 'utf8');
  const opened = openSignedCheckpoint(note, key);
  return opened.ok ? { note, checkpoint: opened.checkpoint } : { note, problem: opened.reason };
}

/** What a witness's rule decided about the tree head offered to it. */
type Decision = WitnessDecision<WitnessOutcome>;

/** A place that keeps a log's signed checkpoints outside the log: the witness file and its history, or a table in another database. */
export interface Witness {
  /** How messages name it ("the witness file /srv/w/taawun-….checkpoint"). */
  readonly description: string;
  /** Every checkpoint note it accepted for `origin`, oldest first. */
  notes(origin: string): Promise<string[]>;
  /** One decision at a time: the latest note for `origin` given to `decide`, whose note or refusal is then kept. */
  decide(origin: string, decide: (latest: string | undefined) => Promise<Decision>): Promise<WitnessOutcome>;
  close(): Promise<void>;
}

/** The witness file (latest) and its history file: the history is written first, so a crash between them loses nothing. */
function fileWitness(witnessFile: string): Witness {
  const history = historyFileOf(witnessFile);
  return {
    description: `the witness file ${witnessFile}`,
    notes: async () => {
      const kept = existsSync(history) ? splitNotes(readFileSync(history, 'utf8')) : [];
      // A witness file written before histories were kept, or a crash after the history: the latest counts too.
      const latest = existsSync(witnessFile) ? readFileSync(witnessFile, 'utf8') : undefined;
      return latest !== undefined && !kept.includes(latest) ? [...kept, latest] : kept;
    },
    decide: async (_origin, decide) => {
      const decision = await decide(existsSync(witnessFile) ? readFileSync(witnessFile, 'utf8') : undefined);
      mkdirSync(dirname(witnessFile), { recursive: true });
      if ('keep' in decision) {
        appendFileSync(history, decision.keep.note);
        const temporary = `${witnessFile}.${process.pid}.tmp`;
        writeFileSync(temporary, decision.keep.note);
        renameSync(temporary, witnessFile);
      } else if ('refuse' in decision) {
        appendFileSync(refusalsFileOf(witnessFile), `# refused ${new Date().toISOString()}: ${decision.refuse.reason}\n${decision.refuse.offered}`);
      }
      return decision.result;
    },
    close: async () => undefined,
  };
}

/** The witness at `location`: its table in another PostgreSQL database, or its file. `create`: a writer may make the tables. */
export async function openWitness(location: WitnessLocation, options: { create: boolean }): Promise<Witness> {
  if (location.witnessDatabase === undefined) return fileWitness(location.witnessFile);
  const where = parseStoreUrl(location.witnessDatabase);
  if (where.kind !== 'postgres') throw new RuntimeError('invalid-store-url', `a witness database must be a PostgreSQL URL (postgres://…), not ${redact(location.witnessDatabase)}`);
  const { openPostgresWitnessTable } = await import('@taawun/adapter-postgres');
  const table = await openPostgresWitnessTable(where.connectionString, { create: options.create, ...(where.schema === undefined ? {} : { schema: where.schema }) });
  return { description: table.description, notes: (origin) => table.notes(origin), decide: (origin, decide) => table.decide(origin, decide), close: () => table.close() };
}

/** Every checkpoint `witness` keeps for the log of `origin` (a database witness keeps several logs; a file, one), each checked against `key`; the first that fails names its place. */
export async function witnessedCheckpoints(witness: Witness, origin: string, key: VerifierKey): Promise<{ checkpoints: Checkpoint[]; problem?: string }> {
  const checkpoints: Checkpoint[] = [];
  const notes = await witness.notes(origin);
  for (const [index, note] of notes.entries()) {
    const opened = openSignedCheckpoint(note, key);
    if (!opened.ok) return { checkpoints, problem: `checkpoint ${index + 1} of ${notes.length} in ${witness.description}: ${opened.reason}` };
    checkpoints.push(opened.checkpoint);
  }
  return { checkpoints };
}

export type WitnessOutcome = 'recorded' | 'unchanged' | { readonly refused: string };

