import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  decodeSigningKey,
  encodeSigningKey,
  openSignedCheckpoint,
  signCheckpoint,
  signingKeyFromSeed,
  verifyConsistency,
  type AppendResult,
  type CheckpointSigner,
  type Checkpoint,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type FollowOptions,
  type MerkleLog,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SigningKey,
  type StoredEvent,
  type VerifierKey,
} from '@taawun/domain';

/** Where the institute's signing key and a log's witness are kept: outside the log, by default beside the configuration. */
export interface WitnessLocation {
  /** The Ed25519 signing key (signed-note text form), created at the first write if missing. */
  readonly signingKeyFile: string;
  /** The latest signed checkpoint of this log. */
  readonly witnessFile: string;
}

export const isMerkleLog = (value: unknown): value is MerkleLog =>
  typeof (value as Partial<MerkleLog> | null)?.treeHead === 'function' && typeof (value as Partial<MerkleLog>).consistencyProof === 'function';

/** The signing key in `file`; with `create`, a new one (mode 0600) when there is none. */
export function loadSigningKey(file: string, create: boolean): SigningKey | undefined {
  if (existsSync(file)) return decodeSigningKey(readFileSync(file, 'utf8'));
  if (!create) return undefined;
  const key = signingKeyFromSeed(`taawun/${randomBytes(4).toString('hex')}`, randomBytes(32));
  mkdirSync(dirname(file), { recursive: true });
  // `wx`: two processes making the key at once keep the first one.
  try {
    writeFileSync(file, `${encodeSigningKey(key)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return decodeSigningKey(readFileSync(file, 'utf8'));
    throw error;
  }
  return key;
}

/** The log's origin line: the key's name and the witness file's name, so one key can sign several logs. */
export const originOf = (key: { name: string }, witnessFile: string): string => `${key.name}/${basename(witnessFile).replace(/\.checkpoint$/, '')}`;

/** Signs tree heads of this log with the institute's key (made now if missing): what `GET /log/checkpoint` serves. */
export const checkpointSigner =
  (location: WitnessLocation): CheckpointSigner =>
  (head) => {
    const key = loadSigningKey(location.signingKeyFile, true)!;
    return signCheckpoint({ origin: originOf(key, location.witnessFile), ...head }, key);
  };

/** The witness file's checkpoint, checked against `key`; undefined when there is none. */
export function readWitness(file: string, key: VerifierKey): { note: string; checkpoint?: Checkpoint; problem?: string } | undefined {
  if (!existsSync(file)) return undefined;
  const note = readFileSync(file, 'utf8');
  const opened = openSignedCheckpoint(note, key);
  return opened.ok ? { note, checkpoint: opened.checkpoint } : { note, problem: opened.reason };
}

export type WitnessOutcome = 'recorded' | 'unchanged' | { readonly refused: string };

/**
 * Record the log's current tree head, signed, in the witness file, as a witness
 * does: only if it extends the checkpoint already there (a consistency proof
 * from the log, verified here). A log that shrank or was rewritten is refused,
 * and the old checkpoint, the evidence, is kept.
 */
export async function recordCheckpoint(log: MerkleLog, location: WitnessLocation): Promise<WitnessOutcome> {
  const key = loadSigningKey(location.signingKeyFile, true)!;
  const origin = originOf(key, location.witnessFile);
  const head = await log.treeHead();
  const previous = readWitness(location.witnessFile, key);
  if (previous?.problem) return { refused: `the witness file ${location.witnessFile} holds no valid checkpoint (${previous.problem}); it is left as it is` };
  const old = previous?.checkpoint;
  if (old && old.origin === origin) {
    if (old.size > head.size) return { refused: `the log has ${head.size} events but ${location.witnessFile} witnessed ${old.size}: events were removed` };
    const proof = await log.consistencyProof(old.size, head.size);
    if (!verifyConsistency(old.size, head.size, proof.proof, old.root, head.root)) {
      return { refused: `the log no longer extends the checkpoint of size ${old.size} in ${location.witnessFile}: its history was rewritten` };
    }
    if (old.size === head.size) return 'unchanged';
  }
  const note = signCheckpoint({ origin, size: head.size, root: head.root }, key);
  mkdirSync(dirname(location.witnessFile), { recursive: true });
  const temporary = `${location.witnessFile}.${process.pid}.tmp`;
  writeFileSync(temporary, note);
  renameSync(temporary, location.witnessFile);
  return 'recorded';
}

/**
 * The log, witnessing as it is written: after an append that wrote events, the
 * signed checkpoint goes to the witness file; under load at most once per
 * `intervalMs` (the rest when the interval ends, and at close).
 */
export class WitnessedLog implements EventStore, MerkleLog {
  private lastWrite = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: EventStore & MerkleLog,
    private readonly location: WitnessLocation,
    private readonly onRefused: (reason: string) => void,
    private readonly intervalMs = 1000,
  ) {}

  async append(stream: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const result = await this.log.append(stream, events, options);
    if (result.ok && events.length > 0) await this.witnessSoon();
    return result;
  }

  private async witnessSoon(): Promise<void> {
    const wait = this.lastWrite + this.intervalMs - Date.now();
    if (wait <= 0) return this.witnessNow();
    this.timer ??= setTimeout(() => void this.witnessNow(), wait).unref();
  }

  /** Record the checkpoint now (one at a time). */
  witnessNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastWrite = Date.now();
    const run = this.pending.then(async () => {
      const outcome = await recordCheckpoint(this.log, this.location);
      if (typeof outcome === 'object') this.onRefused(outcome.refused);
    });
    this.pending = run.catch((error: unknown) => this.onRefused(`the checkpoint could not be witnessed: ${(error as Error).message}`));
    return this.pending as Promise<void>;
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.log.readStream(stream, options);
  }
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent> {
    return this.log.readAll(options);
  }
  follow(options?: FollowOptions): AsyncIterable<StoredEvent> {
    return this.log.follow(options);
  }
  lastPosition(): Promise<bigint | undefined> {
    return this.log.lastPosition();
  }
  treeHead(size?: number) {
    return this.log.treeHead(size);
  }
  inclusionProof(position: bigint, size?: number) {
    return this.log.inclusionProof(position, size);
  }
  consistencyProof(first: number, second?: number) {
    return this.log.consistencyProof(first, second);
  }

  /** Write what is waiting for the interval to end. */
  async flush(): Promise<void> {
    if (this.timer) await this.witnessNow();
    await this.pending;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.log.close();
  }
}
