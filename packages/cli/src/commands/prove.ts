import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  consistencyDocument,
  decodeVerifierKey,
  inclusionDocument,
  encodeVerifierKey,
  leafHash,
  openSignedCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
  type MerkleLog,
  type VerifierKey,
} from '@taawun/domain';
import { loadSigningKey, originOf } from '@taawun/runtime';
import { type Command } from 'commander';
import { z } from 'zod';
import { CliError, exitCodes, type ExitCode } from '../errors.js';
import { runs, withStore, witnessLocationOf, type CliContext, type GlobalOptions, type Io } from '../io.js';

const hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 SHA-256 hash').transform((text) => new Uint8Array(Buffer.from(text, 'base64')));

/** The JSON proofs `taawun prove` writes and `taawun verify-proof` reads (checked by these schemas before use). */
const inclusionSchema = z.object({
  format: z.literal('taawun-inclusion-proof/1'),
  position: z.number().int().min(1),
  size: z.number().int().min(1),
  leaf: hash,
  proof: z.array(hash),
  checkpoint: z.string(),
});
const consistencySchema = z.object({
  format: z.literal('taawun-consistency-proof/1'),
  first: z.number().int().min(0),
  second: z.number().int().min(0),
  proof: z.array(hash),
  checkpoints: z.array(z.string()),
});
const proofSchema = z.discriminatedUnion('format', [inclusionSchema, consistencySchema]);

function signingContext(globals: GlobalOptions, io: Io) {
  const where = witnessLocationOf(globals, io);
  const key = where ? loadSigningKey(where.signingKeyFile, false) : undefined;
  if (!where || !key) {
    throw new CliError(`no signing key${where ? ` at ${where.signingKeyFile}` : ' for this store'}: it is made at the first write (seed, import, serve); give --signing-key`, exitCodes.failed);
  }
  return { key, origin: originOf(key, where.witnessFile) };
}

function output(io: Io, file: string | undefined, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (file === undefined) io.stdout.write(text);
  else writeFileSync(resolve(io.cwd, file), text);
}

async function positionOf(log: MerkleLog & { readAll: (o?: object) => AsyncIterable<{ id: string; position: bigint }> }, target: string): Promise<bigint> {
  if (/^\d+$/.test(target)) return BigInt(target);
  for await (const event of log.readAll()) if (event.id === target) return event.position;
  throw new CliError(`no event with id ${target} in the log`, exitCodes.failed);
}

export function registerProve(program: Command, context: CliContext): void {
  const { io } = context;
  program
    .command('key')
    .description("the institute's checkpoint signing key")
    .command('export')
    .description('print the public (verifier) key, in the signed-note form auditors give to verify-proof --key and verify --key')
    .action(
      runs(context, async (_options: object, command: Command): Promise<ExitCode> => {
        const { key } = signingContext(command.optsWithGlobals<GlobalOptions>(), io);
        io.stdout.write(`${encodeVerifierKey(key)}\n`);
        return exitCodes.ok;
      }),
    );

  program
    .command('prove')
    .argument('[event]', 'the event: its id or its position')
    .description('write a JSON proof, with a signed checkpoint, that a third party checks offline with verify-proof: that an event is in the log, or (--consistency N1 N2) that the log of size N2 extends the one of size N1')
    .option('--size <n>', 'the size of the log the event is proven in (default: now)', (v) => Number(v))
    .option('--consistency <sizes...>', 'N1 N2: prove the log of size N2 extends the log of size N1 unchanged')
    .option('-o, --output <file>', 'write the proof there instead of to standard output')
    .action(
      runs(context, async (event: string | undefined, options: { size?: number; consistency?: string[]; output?: string }, command: Command): Promise<ExitCode> => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        // No key made here: a proof is signed by the key the log's writers sign with.
        signingContext(globals, io);
        return withStore(globals, io, async ({ merkle, description }) => {
          // Signed only when the log extends what its witness holds (`witnessedSigner`): never a rewritten log.
          if (!merkle) throw new CliError(`${description} keeps no Merkle tree: there is nothing to prove`, exitCodes.usage);
          const { log, sign } = merkle;
          if (options.consistency) {
            const [first, second] = options.consistency.map(Number);
            if (options.consistency.length !== 2 || !Number.isSafeInteger(first) || !Number.isSafeInteger(second)) throw new CliError('--consistency takes two sizes, N1 N2', exitCodes.usage);
            output(io, options.output, await consistencyDocument(log, sign, first!, second!));
            return exitCodes.ok;
          }
          if (event === undefined) throw new CliError('give an event (id or position), or --consistency N1 N2', exitCodes.usage);
          output(io, options.output, await inclusionDocument(log, sign, await positionOf(log as never, event), options.size));
          return exitCodes.ok;
        }, { personalData: false });
      }),
    );

  program
    .command('verify-proof')
    .argument('<proof>', 'a JSON proof written by taawun prove (or fetched from /log/proof/…)')
    .description('check a proof offline, without the store: exit 0 when it holds, 1 when it does not')
    .requiredOption('--key <key>', 'the institute\'s public key (taawun key export), or a file holding it')
    .option('--checkpoint <file...>', 'signed checkpoints to check it against (default: those inside the proof)')
    .action(
      runs(context, async (file: string, options: { key: string; checkpoint?: string[] }): Promise<ExitCode> => {
        const keyPath = resolve(io.cwd, options.key);
        let key: VerifierKey;
        try {
          key = decodeVerifierKey(existsSync(keyPath) ? readFileSync(keyPath, 'utf8') : options.key);
        } catch (error) {
          throw new CliError(`--key: ${(error as Error).message}`, exitCodes.usage);
        }
        let text: unknown;
        try {
          text = JSON.parse(readFileSync(resolve(io.cwd, file), 'utf8'));
        } catch (error) {
          // Not JSON at all (or unreadable): the file is named, and the parser's words kept to one line.
          if (error instanceof SyntaxError) return refuse(io, `${file} is not a taawun proof: not JSON (${error.message.split('\n')[0]!.replace(/\s+/g, ' ').slice(0, 120)})`);
          throw error;
        }
        const parsed = proofSchema.safeParse(text);
        if (!parsed.success) return refuse(io, `${file} is not a taawun proof: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
        const proof = parsed.data;
        const notes = options.checkpoint?.map((f) => readFileSync(resolve(io.cwd, f), 'utf8')) ?? (proof.format === 'taawun-inclusion-proof/1' ? [proof.checkpoint] : proof.checkpoints);
        const checkpoints: Checkpoint[] = [];
        for (const note of notes) {
          const opened = openSignedCheckpoint(note, key);
          if (!opened.ok) return refuse(io, `a checkpoint does not verify: ${opened.reason}`);
          checkpoints.push(opened.checkpoint);
        }
        const ofSize = (size: number) => checkpoints.find((c) => c.size === size);
        if (proof.format === 'taawun-inclusion-proof/1') {
          const head = ofSize(proof.size);
          if (!head) return refuse(io, `no signed checkpoint of size ${proof.size} to check the proof against`);
          if (!verifyInclusion(leafHash(proof.leaf), proof.position - 1, proof.size, proof.proof, head.root)) return refuse(io, `the proof does not show the event in the log of size ${proof.size}`);
          io.stdout.write(`holds: the event at position ${proof.position} (leaf ${Buffer.from(proof.leaf).toString('hex')}) is in ${head.origin} of size ${proof.size}, signed by ${key.name}\n`);
          return exitCodes.ok;
        }
        const [first, second] = [ofSize(proof.first), ofSize(proof.second)];
        if (!first || !second) return refuse(io, `signed checkpoints of sizes ${proof.first} and ${proof.second} are both needed`);
        if (first.origin !== second.origin) return refuse(io, 'the two checkpoints are of different logs');
        if (!verifyConsistency(proof.first, proof.second, proof.proof, first.root, second.root)) return refuse(io, `the log of size ${proof.second} does not extend the log of size ${proof.first}`);
        io.stdout.write(`holds: ${second.origin} of size ${proof.second} extends its log of size ${proof.first} unchanged, signed by ${key.name}\n`);
        return exitCodes.ok;
      }),
    );
}

function refuse(io: Io, reason: string): ExitCode {
  io.stdout.write(`does not hold: ${reason}\n`);
  return exitCodes.failed;
}
