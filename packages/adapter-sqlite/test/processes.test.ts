import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@taawun/domain';
import { openSqliteEventStore } from '../src/index.js';
// @ts-expect-error: a plain .mjs fixture shared with the child process
import { batchEvents } from './fixtures/batches.mjs';
import { tempDatabases } from './temp-files.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const newDatabase = tempDatabases();

beforeAll(() => {
  // The children run the compiled package: build it (a quick no-op when dist is current).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-b', 'packages/adapter-sqlite'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building packages/adapter-sqlite failed:\n${build.stdout}${build.stderr}`);
}, 180_000);

/** Lines a child writes on one of its pipes, and its exit. */
function watch(child: ChildProcess, fd: 1 | 3) {
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters: { test: (line: string) => boolean; resolve: () => void }[] = [];
  const stream = fd === 1 ? child.stdout! : (child.stdio[3] as NodeJS.ReadableStream);
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) if (w.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    lines,
    stderr: () => stderr,
    exited,
    /** The first line that passes `test`; fails at once, with what the child said, if it exits first. */
    line: (test: (line: string) => boolean) =>
      Promise.race([
        lines.some(test) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ test, resolve })),
        exited.then((exit) => {
          if (!lines.some(test)) throw new Error(`the child exited (${JSON.stringify(exit)}) before the line awaited:\n${lines.join('\n')}\n${stderr}`);
        }),
      ]),
  };
}

async function readEverything(path: string): Promise<StoredEvent[]> {
  const store = await openSqliteEventStore(path);
  const all: StoredEvent[] = [];
  for await (const e of store.readAll()) all.push(e);
  await store.close();
  return all;
}

describe('two processes appending to one file at once', () => {
  it('both succeed or get a clean conflict, nothing is lost, positions stay gap-free', async () => {
    const path = newDatabase(); // does not exist yet: both processes create and migrate it at once
    const rounds = 120;
    const children = ['alpha', 'beta'].map((name) => {
      const child = spawn(process.execPath, [fixture('appender.mjs'), path, name, String(rounds)], { stdio: ['pipe', 'pipe', 'pipe'] });
      return { name, child, out: watch(child, 1) };
    });
    await Promise.all(children.map((c) => c.out.line((l) => l === 'ready')));
    for (const c of children) c.child.stdin!.end('go\n');
    const exits = await Promise.all(children.map((c) => c.out.exited));
    const summaries = children.map((c) => JSON.parse(c.out.lines.at(-1)!) as { name: string; written: string[]; conflicts: number; failed?: unknown });
    for (const [i, summary] of summaries.entries()) {
      expect(summary.failed, children[i]!.out.stderr()).toBeUndefined();
      expect(exits[i]).toEqual({ code: 0, signal: null });
      expect(summary.written).toHaveLength(rounds * 4);
    }

    const all = await readEverything(path);
    expect(all.map((e) => e.position)).toEqual(all.map((_, i) => BigInt(i + 1)));
    expect(new Set(all.map((e) => e.id))).toEqual(new Set(summaries.flatMap((s) => s.written)));
    for (const stream of ['shared', 'own-alpha', 'own-beta', 'any-writer']) {
      const revisions = all.filter((e) => e.stream === stream).map((e) => e.revision);
      expect(revisions).toEqual(revisions.map((_, i) => i));
    }
    // The shared stream holds whole pairs: no batch was split by the other writer.
    const shared = all.filter((e) => e.stream === 'shared');
    for (let i = 0; i < shared.length; i += 2) expect(shared[i]!.metadata.actor).toBe(shared[i + 1]!.metadata.actor);
    // The writers really did interleave.
    const switches = all.filter((e, i) => i > 0 && e.metadata.actor !== all[i - 1]!.metadata.actor).length;
    expect(switches).toBeGreaterThanOrEqual(4);
    const store = await openSqliteEventStore(path);
    expect(await store.verify()).toMatchObject({ intact: true, events: rounds * 8 });
    await store.close();
    console.info(`two writers: ${all.length} events, ${switches} hand-overs between writers, ${summaries.map((s) => `${s.name} ${s.conflicts} conflicts`).join(', ')}`);
  }, 60_000);

  it('a follower sees events committed by another process (by polling)', async () => {
    const path = newDatabase();
    const store = await openSqliteEventStore(path, { pollIntervalMs: 40 });
    const controller = new AbortController();
    const seen: StoredEvent[] = [];
    const following = (async () => {
      for await (const e of store.follow({ signal: controller.signal })) {
        seen.push(e);
        if (seen.length === 12) controller.abort();
      }
    })();
    const child = spawn(process.execPath, [fixture('appender.mjs'), path, 'solo', '3'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = watch(child, 1);
    await out.line((l) => l === 'ready');
    child.stdin!.end('go\n');
    expect(await out.exited).toEqual({ code: 0, signal: null });
    await Promise.race([following, new Promise((_, reject) => setTimeout(() => reject(new Error('the follower did not see 12 events in 10 s')), 10_000))]);
    expect(seen.map((e) => e.position)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
    await store.close();
  }, 30_000);
});

describe('crash: a writer killed with SIGKILL at random moments', () => {
  interface Intent { seq: number; batchId: string; size: number; ids: string[]; expected: number | 'no-stream' }

  it('after every kill: integrity ok, no partial batch, every acknowledged batch present, no revision gap, and the unacknowledged batch can be retried', async () => {
    const path = newDatabase();
    const stream = 'partner-crash';
    const acknowledged = new Map<string, number>(); // batch id -> size
    const figures = { rounds: 0, killedWhileOpening: 0, unacknowledged: 0, retriedAndWritten: 0, retriedAlreadyStored: 0, events: 0 };

    for (let round = 0; round < 24; round++) {
      const child = spawn(process.execPath, [fixture('crash-appender.mjs'), path, stream], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
      const reports = watch(child, 3);
      if (round % 6 === 5) {
        // Now and then, kill it while it opens the file (WAL recovery, migrations, pragmas).
        await new Promise((r) => setTimeout(r, Math.random() * 60));
        figures.killedWhileOpening++;
      } else {
        await reports.line((l) => l.includes('"ready"'));
        await new Promise((r) => setTimeout(r, Math.random() * 80));
      }
      child.kill('SIGKILL');
      const exit = await reports.exited;
      expect(exit.signal === 'SIGKILL' || exit.code === 0, reports.stderr()).toBe(true);
      expect(reports.stderr()).toBe('');
      figures.rounds++;

      const messages = reports.lines.map((l) => JSON.parse(l) as { kind: string } & Partial<Intent>);
      const intents = new Map(messages.filter((m) => m.kind === 'intent').map((m) => [m.seq!, m as Intent]));
      const acks = new Set(messages.filter((m) => m.kind === 'ack').map((m) => m.seq!));
      for (const seq of acks) acknowledged.set(intents.get(seq)!.batchId, intents.get(seq)!.size);
      const pending = [...intents.values()].filter((i) => !acks.has(i.seq));
      expect(pending.length).toBeLessThanOrEqual(1);

      const raw = new Database(path);
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      raw.close();

      const store = await openSqliteEventStore(path);
      const events = await store.readStream(stream);
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
      const batches = new Map<string, { size: number; count: number }>();
      for (const e of events) {
        const { batch, size } = e.data as { batch: string; size: number };
        const entry = batches.get(batch) ?? { size, count: 0 };
        entry.count++;
        batches.set(batch, entry);
      }
      for (const [batchId, { size, count }] of batches) expect(count, `batch ${batchId}`).toBe(size);
      for (const batchId of acknowledged.keys()) expect(batches.has(batchId), `acknowledged batch ${batchId}`).toBe(true);
      expect((await store.verify()).intact).toBe(true);

      // The client did not hear back about this batch: it sends it again, with the same ids.
      for (const intent of pending) {
        figures.unacknowledged++;
        const wasStored = batches.has(intent.batchId);
        const retry = await store.append(stream, batchEvents(intent), { expectedRevision: intent.expected });
        expect(retry.ok).toBe(true);
        if (!retry.ok) continue;
        expect(retry.events.map((e) => e.id)).toEqual(intent.ids);
        if (wasStored) figures.retriedAlreadyStored++;
        else figures.retriedAndWritten++;
        acknowledged.set(intent.batchId, intent.size);
        const after = await store.readStream(stream);
        expect(after).toHaveLength(events.length + (wasStored ? 0 : intent.size));
        expect(new Set(after.map((e) => e.id)).size).toBe(after.length);
      }
      figures.events = Number((await store.lastPosition()) ?? 0n);
      await store.close();
    }
    expect(figures.rounds).toBeGreaterThanOrEqual(20);
    console.info(`crash test: ${JSON.stringify(figures)}`);
  }, 120_000);
});
