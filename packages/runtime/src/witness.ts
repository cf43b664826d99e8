import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { WitnessDecision } from '@taawun/adapter-postgres';
import { openWitness, type Witness, type WitnessLocation, type WitnessOutcome } from './witness-places.js';

import {
  CheckpointRefused,
  EventStoreError,
  decodeSigningKey,
  encodeSigningKey,
  openSignedCheckpoint,
  signCheckpoint,
  signingKeyFromSeed,
  verifyConsistency,
  type AppendOptions,
  type AppendResult,
  type CheckpointSigner,
  type EventStore,
  type EventToAppend,
  type FollowOptions,
  type MerkleLog,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SigningKey,
  type StoredEvent,
  type TreeHead,
} from '@taawun/domain';

export * from './witness-places.js';

type Decision = WitnessDecision<WitnessOutcome>;

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

/**
 * Signs tree heads of this log with the institute's key (made now if missing),
 * what `GET /log/checkpoint` serves and `taawun prove` puts in its proofs, but
 * only heads of a log its witness holds: the log's current head is offered to
 * the witness first (`WitnessedLog.witnessHead`), and a log that shrank or was
 * rewritten since its last witnessed checkpoint is refused, nothing signed.
 * Else the key would sign two roots for one size, and a forged log would verify
 * against the checkpoint it was given.
 */
export const witnessedSigner =
  (log: WitnessedLog, location: WitnessLocation): CheckpointSigner =>
  async (head) => {
    const outcome = await log.witnessHead();
    if (typeof outcome === 'object') throw new CheckpointRefused(`the log's checkpoint is not signed: ${outcome.refused}`);
    const key = loadSigningKey(location.signingKeyFile, true)!;
    return signCheckpoint({ origin: originOf(key, location.witnessFile), ...head }, key);
  };

/**
 * Record the log's current tree head (or `head`, read from it just before),
 * signed, in the witness, as a witness does: only if it extends the checkpoint
 * already there (a consistency proof from the log, verified here). A log that
 * shrank or was rewritten is refused, the refusal is kept beside the witness,
 * and the old checkpoint, the evidence, stays the latest. `witness`: one
 * already open (else the location's is opened and closed). `onExtended` hears
 * the sizes a recorded checkpoint went from and to.
 */
export async function recordCheckpoint(
  log: MerkleLog,
  location: WitnessLocation,
  witness?: Witness,
  options: { readonly head?: TreeHead; readonly onExtended?: (from: number, to: number) => void } = {},
): Promise<WitnessOutcome> {
  const key = loadSigningKey(location.signingKeyFile, true)!;
  const origin = originOf(key, location.witnessFile);
  const head = options.head ?? (await log.treeHead());
  let extendedFrom = 0;
  const note = signCheckpoint({ origin, size: head.size, root: head.root }, key);
  const opened = witness ?? (await openWitness(location, { create: true }));
  const refuse = (reason: string): Decision => ({ refuse: { offered: note, reason }, result: { refused: reason } });
  try {
    const outcome = await opened.decide(origin, async (latest) => {
      if (latest === undefined) return { keep: { note, size: head.size }, result: 'recorded' };
      const previous = openSignedCheckpoint(latest, key);
      if (!previous.ok) return refuse(`${opened.description} holds no valid checkpoint (${previous.reason}); it is left as it is`);
      const old = previous.checkpoint;
      // Another log's (or another key's) checkpoints are not overwritten: that would erase the evidence they are.
      if (old.origin !== origin) {
        return refuse(`${opened.description} keeps the checkpoints of ${old.origin}, not of ${origin}; it is left as it is (move it away to start a new witness)`);
      }
      if (old.size > head.size) return refuse(`the log has ${head.size} events but ${opened.description} witnessed ${old.size}: events were removed`);
      const proof = await log.consistencyProof(old.size, head.size);
      if (!verifyConsistency(old.size, head.size, proof.proof, old.root, head.root)) {
        return refuse(`the log no longer extends the checkpoint of size ${old.size} in ${opened.description}: its history was rewritten`);
      }
      extendedFrom = old.size;
      return old.size === head.size ? { result: 'unchanged' } : { keep: { note, size: head.size }, result: 'recorded' };
    });
    if (outcome === 'recorded' && head.size > extendedFrom) options.onExtended?.(extendedFrom, head.size);
    return outcome;
  } finally {
    if (!witness) await opened.close();
  }
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
  /** Opened at the first checkpoint and kept (a database witness holds one connection) until `finish`. */
  private witness: Promise<Witness> | undefined;
  /** The last head offered to the witness (size and root) and what it decided. */
  private decided: { readonly head: string; readonly outcome: WitnessOutcome } | undefined;
  /** Set by `finish`: nothing more is offered to the witness, which is let go. */
  private finished = false;

  constructor(
    private readonly log: EventStore & MerkleLog,
    private readonly location: WitnessLocation,
    private readonly onRefused: (reason: string) => void,
    private readonly intervalMs = 1000,
  ) {}

  /** Appends pass through to the log: so does what it checks. */
  get checksAppendPreconditions(): boolean {
    return this.log.checksAppendPreconditions === true;
  }

  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const result = await this.log.append(stream, events, options);
    if (result.ok && events.length > 0) await this.witnessSoon();
    return result;
  }

  private async witnessSoon(): Promise<void> {
    const wait = this.lastWrite + this.intervalMs - Date.now();
    if (wait <= 0) return this.witnessNow();
    this.timer ??= setTimeout(() => void this.witnessNow(), wait).unref();
  }

  /** Record the checkpoint now (one at a time); a refusal, or a witness out of reach, is said through `onRefused`. */
  witnessNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastWrite = Date.now();
    const run = this.witnessHead().then((outcome) => {
      if (typeof outcome === 'object') this.onRefused(outcome.refused);
    });
    this.pending = run.catch((error: unknown) => this.onRefused(`the checkpoint could not be witnessed: ${(error as Error).message}`));
    return this.pending as Promise<void>;
  }

  /**
   * Offer the log's current head to the witness (after what is already on its
   * way), and say what it decided: recorded, unchanged, or refused with the
   * reason (the log shrank or was rewritten). A head offered before is not
   * offered again: its decision stands (an auditor's every read of
   * `/log/checkpoint` would otherwise add a refusal, and wait for the witness).
   * A witness out of reach throws; so does a log whose witness is let go.
   * `onExtended` hears the sizes a recorded checkpoint went from and to.
   */
  witnessHead(onExtended?: (from: number, to: number) => void): Promise<WitnessOutcome> {
    if (this.finished) return Promise.reject(new EventStoreError('closed', 'the log is closing: no checkpoint is offered to its witness now'));
    const run = this.pending.then(async () => {
      const head = await this.log.treeHead();
      const id = `${head.size}:${Buffer.from(head.root).toString('hex')}`;
      if (this.decided?.head === id) return this.decided.outcome;
      this.witness ??= openWitness(this.location, { create: true }).catch((error: unknown) => {
        this.witness = undefined; // unreachable now: try again at the next checkpoint
        throw error;
      });
      const outcome = await recordCheckpoint(this.log, this.location, await this.witness, { head, ...(onExtended ? { onExtended } : {}) });
      this.decided = { head: id, outcome };
      return outcome;
    });
    this.pending = run.catch(() => undefined);
    return run;
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

  /** Write what is waiting, then let the witness go (the log stays open). */
  async finish(): Promise<void> {
    try {
      await this.flush();
    } finally {
      // What was asked before now still runs with the witness open; nothing after.
      this.finished = true;
      await this.pending;
      const witness = this.witness;
      this.witness = undefined;
      await (await witness?.catch(() => undefined))?.close();
    }
  }

  async close(): Promise<void> {
    await this.finish();
    await this.log.close();
  }
}
