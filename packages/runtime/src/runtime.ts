import { completePendingErasures, encryptPersonalData, InMemoryKeyStore, withClientSideMerkleLog, type EventStore, type CheckpointSigner, type KeyStore, type MerkleLog } from '@taawun/domain';
import { existsSync } from 'node:fs';
import { builtInReadModels, projectionsOf, QueryService, type AnyReadModel, type QueryServiceOptions } from '@taawun/projections';
import { openBackend, type Backend, type CommitNotifier, type HashChain } from './backend.js';
import { RuntimeError } from './errors.js';
import { describeLocation, parseKeysUrl, parseStoreUrl, type KeyStoreLocation, type StoreLocation } from './store-url.js';
import { readModelsOf, type OpenedStorage } from './opened-storage.js';
import { WitnessedLog, isMerkleLog, witnessedSigner, type WitnessLocation } from './witness.js';

export interface RuntimeOptions {
  /** The folder relative SQLite paths are resolved against. Default: the process's. */
  readonly cwd?: string;
  /**
   * Where participants' keys are (the CLI's `--keys`): `sqlite:PATH` (a file of
   * their own) or `memory:`. By default they live with the events (SQLite,
   * `memory:`); PostgreSQL and EventStoreDB need one.
   */
  readonly keys?: string;
  /**
   * Read and write through the personal-data encryption (default true). Only a
   * check of the log as stored (`verify`) opens it without: it needs no keys.
   */
  readonly personalData?: boolean;
  /**
   * Refuse a store that does not exist yet instead of creating an empty one: a
   * missing SQLite file (or key file given with `keys`), a PostgreSQL schema
   * without the log. Nothing is created then; a mistyped path is an error, not
   * an empty store that reads as intact. Default false.
   */
  readonly mustExist?: boolean;
  /**
   * Read models of the program's own (reports written later, e.g. loaded with
   * `loadReadModels`), beside the built-in ones: queries answer them, a server
   * serves and follows them, an erasure purges their stored models.
   */
  readModels?: readonly AnyReadModel[];
  /**
   * Witness the log (stores keeping a Merkle tree): after appends, the signed
   * checkpoint is written to `witnessFile`, with the signing key in
   * `signingKeyFile` (made at the first write). `onRefused` hears when the log
   * no longer extends the witnessed checkpoint (default: standard error).
   * `atOpen`: a writer's open also offers the log's head as it is (when it
   * holds events), so that what a killed writer committed after its last
   * checkpoint is witnessed by the next one, if it extends that checkpoint;
   * `onNotice` (default: standard error) hears which positions were so.
   */
  readonly witness?: WitnessLocation & { readonly onRefused?: (reason: string) => void; readonly onNotice?: (line: string) => void; readonly atOpen?: boolean };
}

/** Everything a program needs from one store URL. Close it when done. */
export interface Runtime {
  readonly location: StoreLocation;
  /** The store as messages name it, never with a password. */
  readonly description: string;
  /** The store to use for everything: personal data sealed on append, opened on read. */
  readonly store: EventStore;
  /** The log as stored (personal data sealed), as its adapter keeps it: for `verify` and checks of what is stored. */
  readonly log: EventStore;
  /** Participants' keys (undefined with `personalData: false`). */
  readonly keys: KeyStore | undefined;
  /** The log's hash chain, when the store keeps one (SQLite, PostgreSQL). */
  readonly chain: HashChain | undefined;
  /** The log's Merkle tree with the institute's checkpoint signer, when witnessed (for `GET /log/…`). */
  readonly merkle: { readonly log: MerkleLog; readonly sign: CheckpointSigner } | undefined;
  /** A way to wake on commits, when the adapter has one (SQLite: this process's commits; PostgreSQL: any process's). */
  readonly notifier: CommitNotifier | undefined;
  /**
   * Open the read-model storage beside the log, when the adapter keeps one
   * (SQLite: the same file and connection; PostgreSQL: the same schema and
   * pool), with its purge after an erasure. Close it before the runtime.
   */
  openReadModelsBesideLog(): Promise<OpenedStorage | undefined>;
  /** The read models this program answers: the built-in ones, then its own. */
  readonly readModels: readonly AnyReadModel[];
  /** Its own read models only (`RuntimeOptions.readModels`). */
  readonly ownReadModels: readonly AnyReadModel[];
  /**
   * The query service over them, answering from the read models beside the log
   * when the store keeps them (`catchUp`: bring a stored model up to the log's
   * head before answering, for programs that run no followers). Close it before the runtime.
   */
  openQueries(options?: QueryServiceOptions): Promise<{ readonly queries: QueryService; close(): Promise<void> }>;
  /** Close the key store, then the log. */
  close(): Promise<void>;
}

/** Where a store's participants' keys are: `keys` (the CLI's `--keys`), else with the events; a PostgreSQL or EventStoreDB log needs them given (`keys-required`). */
export function keysLocation(keys: string | undefined, location: StoreLocation, cwd: string): KeyStoreLocation {
  if (keys !== undefined) return parseKeysUrl(keys, cwd);
  if (location.kind === 'postgres' || location.kind === 'eventstoredb') {
    const description = describeLocation(location);
    throw new RuntimeError(
      'keys-required',
      `${description} keeps no participants' keys: give a key store (sqlite:PATH), the file keeping their encryption keys, which must be the same every time this log is used`,
      { location: description },
    );
  }
  return { kind: 'with-events' };
}

async function openKeys(where: KeyStoreLocation, backend: Backend, description: string): Promise<KeyStore> {
  if (where.kind === 'memory') return new InMemoryKeyStore();
  if (where.kind === 'sqlite') {
    const { openSqliteKeyStore } = await import('@taawun/adapter-sqlite');
    return openSqliteKeyStore(where.file);
  }
  if (!backend.openKeysBesideLog) throw new RuntimeError('keys-required', `${description} keeps no participants' keys: give a key store (sqlite:PATH)`, { location: description });
  return backend.openKeysBesideLog();
}

/** Throws `RuntimeError` (`store-missing`, `keys-missing`) when the store or its separate key file is not there. EventStoreDB cannot tell: it is not checked. */
async function assertStoreExists(location: StoreLocation, keys: KeyStoreLocation | undefined): Promise<void> {
  const description = describeLocation(location);
  if (location.kind === 'sqlite' && location.file !== ':memory:' && !existsSync(location.file)) {
    throw new RuntimeError('store-missing', `${description} does not exist: nothing was created`, { location: description });
  }
  if (keys?.kind === 'sqlite' && !existsSync(keys.file)) {
    throw new RuntimeError('keys-missing', `the key file ${keys.file} does not exist: nothing was created`, { file: keys.file });
  }
  if (location.kind === 'postgres') {
    const { postgresLogExists, DEFAULT_SCHEMA } = await import('@taawun/adapter-postgres');
    const schema = location.schema ?? DEFAULT_SCHEMA;
    if (!(await postgresLogExists(location.connectionString, { schema }))) {
      throw new RuntimeError('store-missing', `${description} holds no taawun log (no table ${schema}.events): nothing was created`, { location: description });
    }
  }
}

/** Where the witness's refusals and notices go by default. */
const toStderr = (line: string): void => void process.stderr.write(`taawun: witness: ${line}\n`);

/**
 * A writer's open: the head found is offered to the witness, and said when it
 * was not witnessed yet (positions a killed writer committed after its last
 * checkpoint, or appended without taawun: the only sign of either, so it is
 * never taken in silently).
 */
async function witnessAtOpen(log: WitnessedLog, witness: NonNullable<RuntimeOptions['witness']>): Promise<void> {
  const say = witness.onNotice ?? toStderr;
  const refused = witness.onRefused ?? toStderr;
  try {
    const outcome = await log.witnessHead((from, to) =>
      say(`${to === from + 1 ? `position ${to} was` : `positions ${from + 1}–${to} were`} in no witnessed checkpoint (a writer stopped before its next one, or they were appended without taawun): witnessed now`),
    );
    if (typeof outcome === 'object') refused(outcome.refused);
  } catch (error) {
    refused(`the checkpoint could not be witnessed: ${(error as Error).message}`);
  }
}

/**
 * Open what a store URL names (`sqlite:PATH`, `memory:`, `postgres://…[?schema=]`,
 * `esdb://…`, `esdb+discover://…`, `eventstoredb:esdb://…`): the log through its
 * adapter's factory, the participants' key store, and the personal-data
 * encryption over the log. Erasures a crash left unfinished are completed.
 */
export async function openRuntime(url: string, options: RuntimeOptions = {}): Promise<Runtime> {
  const cwd = options.cwd ?? process.cwd();
  const location = parseStoreUrl(url, cwd);
  const description = describeLocation(location);
  const keysWhere = options.personalData === false ? undefined : keysLocation(options.keys, location, cwd);
  if (options.mustExist) await assertStoreExists(location, keysWhere);
  const backend = await openBackend(location);
  let keys: KeyStore | undefined;
  try {
    keys = keysWhere === undefined ? undefined : await openKeys(keysWhere, backend, description);
    const witness = options.witness;
    // EventStoreDB keeps no tree: its client computes one from $all (read once, then what was appended since).
    const merkleLog = isMerkleLog(backend.log) ? (backend.log as EventStore & MerkleLog) : location.kind === 'eventstoredb' ? withClientSideMerkleLog(backend.log) : undefined;
    const witnessed =
      witness && merkleLog
        ? new WitnessedLog(merkleLog, witness, witness.onRefused ?? toStderr)
        : undefined;
    if (witnessed && witness?.atOpen && (await witnessed.treeHead()).size > 0) await witnessAtOpen(witnessed, witness);
    const written = witnessed ?? backend.log;
    const store = keys ? encryptPersonalData(written, keys) : written;
    if (keys) await completePendingErasures(store, keys);
    const opened = keys;
    const readModels = [...builtInReadModels, ...(options.readModels ?? [])];
    const projections = projectionsOf(readModels);
    const openReadModelsBesideLog = () => readModelsOf(backend, store, description, projections, keys);
    return {
      location,
      description,
      store,
      log: backend.log,
      keys,
      chain: backend.chain,
      merkle: witness && witnessed ? { log: witnessed, sign: witnessedSigner(witnessed, witness) } : undefined,
      notifier: backend.notifier,
      openReadModelsBesideLog,
      readModels,
      ownReadModels: options.readModels ?? [],
      openQueries: async (queryOptions = {}) => {
        const beside = await openReadModelsBesideLog();
        // Stored read models seal personal data when the runtime has keys (see `readModelsOf`).
        const queries = new QueryService({ store, ...(beside ? { storage: beside.storage } : {}) }, readModels, { sealsPersonalData: keys !== undefined, ...queryOptions });
        return { queries, close: async () => beside?.close() };
      },
      close: async () => {
        try {
          await witnessed?.finish();
          await opened?.close();
        } finally {
          await backend.close();
        }
      },
    };
  } catch (error) {
    await keys?.close().catch(() => undefined);
    await backend.close().catch(() => undefined);
    throw error;
  }
}
