import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  decodeVerifierKey,
  describeProvenPositions,
  encodeVerifierKey,
  openSignedCheckpoint,
  type ChainCheckpoint,
  type VerifierKey,
  type WitnessedCheckpoint,
} from '@taawun/domain';
import { describeLocation, keysLocation, loadSigningKey, openLogForAudit, openWitness, originOf, parseStoreUrl, witnessedCheckpoints } from '@taawun/runtime';
import { InvalidArgumentError, type Command } from 'commander';
import { CliError, exitCodes, type ExitCode } from '../errors.js';
import { withProgress } from '../output/progress.js';
import { runs, storeUrlOf, withStore, witnessLocationOf, type CliContext, type GlobalOptions, type Io } from '../io.js';
import { auditStoredModel, projectionsOf, type ModelAudit } from '@taawun/projections';

/** `POSITION:HASH`, as `taawun verify` printed it before signed checkpoints. */
export function parseCheckpoint(text: string): ChainCheckpoint {
  const match = /^(\d+):([0-9a-f]{64})$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError('expected POSITION:HASH, as printed by "taawun verify" (e.g. 52:9f2c…, 64 hex digits)');
  return { position: BigInt(match[1]!), headHash: match[2]!.toLowerCase() };
}

type Against = { readonly chain: ChainCheckpoint } | { readonly file: string };

/** A chain checkpoint (`POSITION:HASH`) or a file holding a signed checkpoint; repeatable. */
const parseAgainst = (text: string, previous: Against[] = []): Against[] => [...previous, /^\d+:/.test(text.trim()) ? { chain: parseCheckpoint(text) } : { file: text }];

const noChain = (description: string): CliError =>
  new CliError(`${description} keeps no hash chain: there is nothing to verify (SQLite, PostgreSQL and EventStoreDB stores do)`, exitCodes.usage);

/** `--key`: a verifier key, or a file holding one. */
function verifierKeyFrom(text: string, io: Io): VerifierKey {
  const path = resolve(io.cwd, text);
  try {
    return decodeVerifierKey(existsSync(path) ? readFileSync(path, 'utf8') : text);
  } catch (error) {
    throw new CliError(`--key ${text}: ${(error as Error).message} (give the key printed by "taawun key export", or a file holding it)`, exitCodes.usage);
  }
}

/** Every signed checkpoint verify knows for this log: all its witness ever accepted, and the `--against` files, each checked against the key. */
async function knownCheckpoints(globals: GlobalOptions, io: Io, against: readonly Against[], keyText: string | undefined): Promise<{ checkpoints: WitnessedCheckpoint[]; witness?: string; lookedIn?: string }> {
  const where = witnessLocationOf(globals, io);
  const own = where ? loadSigningKey(where.signingKeyFile, false) : undefined;
  const key = keyText !== undefined ? verifierKeyFrom(keyText, io) : own ? decodeVerifierKey(encodeVerifierKey(own)) : undefined;
  const files = against.flatMap((a) => ('file' in a ? [resolve(io.cwd, a.file)] : []));
  if (!key) {
    if (files.length > 0) throw new CliError(`no key to check ${files.join(', ')} with: give --key (the institute's public key, "taawun key export")`, exitCodes.usage);
    return { checkpoints: [] };
  }
  const checkpoints: WitnessedCheckpoint[] = [];
  let witness: string | undefined;
  if (where) {
    // Opened to read only: a database witness never written is no witness, and nothing is created.
    const opened = await openWitness(where, { create: false });
    try {
      const kept = await witnessedCheckpoints(opened, originOf(key, where.witnessFile), key);
      if (kept.problem) throw new CliError(`${kept.problem} (not a checkpoint signed by ${key.name})`, exitCodes.failed);
      checkpoints.push(...kept.checkpoints.map((checkpoint) => ({ ...checkpoint, source: opened.description })));
      if (kept.checkpoints.length > 0) witness = opened.description;
    } finally {
      await opened.close();
    }
  }
  for (const file of files) {
    if (!existsSync(file)) throw new CliError(`--against ${file} does not exist`, exitCodes.usage);
    const opened = openSignedCheckpoint(readFileSync(file, 'utf8'), key);
    if (!opened.ok) throw new CliError(`--against ${file}: ${opened.reason}`, exitCodes.failed);
    checkpoints.push({ ...opened.checkpoint, source: file });
  }
  const lookedIn = where ? (where.witnessDatabase === undefined ? `the witness file ${where.witnessFile}` : 'the witness database') : undefined;
  return { checkpoints: distinct(checkpoints), ...(witness ? { witness } : {}), ...(lookedIn ? { lookedIn } : {}) };
}

/** One checkpoint per tree head: the latest is also in the history, and an auditor's copy may be one the witness has. */
function distinct(checkpoints: readonly WitnessedCheckpoint[]): WitnessedCheckpoint[] {
  const seen = new Set<string>();
  return checkpoints.filter((c) => {
    const id = `${c.size}:${Buffer.from(c.root).toString('hex')}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
}

export function registerVerify(program: Command, context: CliContext): void {
  const { io } = context;
  program
    .command('verify')
    .description('check the log against its hash chain, its Merkle tree and every signed checkpoint kept outside it (the tamper check): exit 0 intact, 1 broken, 2 for memory: (no log to check)')
    .option('--against <checkpoint>', 'also a signed checkpoint file (kept by an auditor: GET /log/checkpoint, or a witness file), or POSITION:HASH printed by an older verify; repeatable', parseAgainst)
    .option('--key <key>', "the public key checkpoints are signed with (default: the institute's own, from --signing-key)")
    .option('--read-models', 'also check every stored read model against the log (each folded again in memory up to its checkpoint): what queries, reports and printed pages answer from')
    .addHelpText(
      'after',
      '\nSQLite and PostgreSQL stores keep a SHA-256 chain and a Merkle tree over every event; for EventStoreDB, verify computes\nthem over $all (every event read) and checks them against the witnessed checkpoints; memory: is refused with exit code 2.\nThe log is only read: a SQLite file is checked from a private copy, never opened in place.',
    )
    .action(
      runs(context, async (options: { against?: Against[]; key?: string; readModels?: boolean }, command: Command): Promise<ExitCode> => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const location = parseStoreUrl(storeUrlOf(globals, io), io.cwd);
        if (location.kind === 'memory') throw noChain(describeLocation(location));
        // The read models are read through the participants' keys: asked for before the log is checked, not after it is said intact.
        if (options.readModels) keysLocation(globals.keys, location, io.cwd);
        const chainCheckpoint = options.against?.flatMap((a) => ('chain' in a ? [a.chain] : []))[0];
        // The chain is over the log as stored (personal data sealed): no keys needed, and nothing is written.
        const audited = await openLogForAudit(storeUrlOf(globals, io), { cwd: io.cwd });
        if (!audited) throw noChain(describeLocation(location));
        try {
          const { checkpoints, witness, lookedIn } = await knownCheckpoints(globals, io, options.against ?? [], options.key);
          const total = Number((await audited.chain.checkpoint()).position);
          const report = await withProgress(io, 'verify', (shown) =>
            audited.chain.verify({ ...(chainCheckpoint ? { against: chainCheckpoint } : {}), checkpoints, onProgress: (done) => shown.update(done, total) }),
          );
          if (report.intact) {
            const head = report.headPosition === undefined ? 'the log is empty' : `checkpoint ${report.headPosition}:${report.headHash}`;
            const proof =
              checkpoints.length > 0
                ? `; proven by ${checkpoints.length} signed checkpoint(s) kept outside the log, through position ${report.provenThrough ?? 0n}`
                : witness === undefined
                  ? // Where it looked: the witness is named after the store's location as written here, beside this configuration.
                    `; no witnessed checkpoint for this log${lookedIn ? ` in ${lookedIn}` : ''} (nothing outside the log proves it; a witness kept beside another configuration or under another spelling of the store's location is not looked for: give it with --against)`
                  : '';
            io.stdout.write(`intact: ${report.events} events in ${audited.description}; ${head}${proof}\n`);
            return options.readModels ? auditReadModels(globals, io) : exitCodes.ok;
          }
          io.stdout.write(`BROKEN at position ${report.position} (${report.problem}): ${report.message}; ${describeProvenPositions(report)}\n`);
          if (options.readModels) io.stdout.write('read models: not checked (a broken log is no reference to check them against)\n');
          return exitCodes.failed;
        } finally {
          await audited.close();
        }
      }),
    );
}

/**
 * Every stored read model beside the log, checked against it (`auditStoredModel`):
 * one line each; exit 1 when one differs. Read where the log is (a read-only
 * file from a private copy); nothing is written.
 */
async function auditReadModels(globals: GlobalOptions, io: Io): Promise<ExitCode> {
  return withStore(
    globals,
    io,
    async (opened) => {
      const beside = await opened.openReadModelsBesideLog();
      if (!beside) {
        io.stdout.write(`read models: none are stored beside ${opened.description}\n`);
        return exitCodes.ok;
      }
      try {
        let differs = false;
        for (const projection of projectionsOf(opened.readModels)) {
          const audit = await auditStoredModel(opened.store, beside.storage, projection);
          differs ||= audit.outcome === 'differs';
          io.stdout.write(`${auditLine(audit)}\n`);
        }
        return differs ? exitCodes.failed : exitCodes.ok;
      } finally {
        await beside.close();
      }
    },
    { onlyReads: true },
  );
}

const auditLine = (audit: ModelAudit): string => {
  const stored = (a: { generation: number; position: bigint | undefined }) => `generation ${a.generation}, through position ${a.position ?? 0n}`;
  switch (audit.outcome) {
    case 'matches':
      return `read model ${audit.name} (${stored(audit)}): as the log gives it, ${audit.documents} documents and ${audit.indexEntries} index entries`;
    case 'differs':
      return `read model ${audit.name} (${stored(audit)}): DIFFERS from the log: ${audit.difference} (taawun replay ${audit.name} rebuilds it from the log)`;
    case 'not-checked':
      return `read model ${audit.name}: not checked (${audit.reason})`;
  }
};
