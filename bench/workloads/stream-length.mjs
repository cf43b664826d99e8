/**
 * Commands against stream length: `handle` on one stream at revisions 10,
 * 1,000 and 10,000 (issue 19: ≤ 1.3x at 10,000 what it takes at 10). The
 * streams are partners renamed again and again (the handler's own rename
 * event, repeated) in a fresh SQLite file; then renames go to
 * the three streams in turn (alternating, so the shared machine weighs on each
 * alike), one transaction each, as a process that keeps folded states (the
 * default) and as one that folds every stream from its first event.
 */
import { StateCache, handle } from '@taawun/domain';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { percentile } from '../lib/measure.mjs';

const partnerId = (revision) => `long-${revision}`;
const rename = (revision, i) => ({ type: 'RenamePartner', partnerId: partnerId(revision), name: { fr: `Partenaire ${revision} nom ${i}` }, effectiveOn: '2020' });
const context = (actor) => {
  let clock = Date.parse('2024-01-01T08:00:00Z');
  return { actor, now: () => new Date((clock += 1000)), newId: () => crypto.randomUUID() };
};

/**
 * A partner stream whose last event is at `revision`: registered and renamed
 * once by the handler, then that rename's event repeated (new ids, new names)
 * in batches of 500, as an import appends.
 */
async function buildStream(store, revision) {
  const ctx = { ...context('bench:build'), stateCache: false };
  const registered = await handle(store, { type: 'RegisterPartner', partnerId: partnerId(revision), name: { fr: `Partenaire ${revision}` }, kind: 'school' }, ctx);
  const renamed = await handle(store, rename(revision, 1), ctx);
  if (!registered.ok || !renamed.ok) throw new Error('could not start the stream');
  const { type, schemaVersion, data, metadata, recordedAt } = renamed.value.events[0];
  for (let from = 2; from <= revision; from += 500) {
    const batch = [];
    for (let i = from; i <= Math.min(revision, from + 499); i++) {
      batch.push({ id: crypto.randomUUID(), type, schemaVersion, data: { ...data, name: { fr: `Partenaire ${revision} nom ${i}` } }, metadata, recordedAt });
    }
    const result = await store.append(`partner-${partnerId(revision)}`, batch, { expectedRevision: from - 1 });
    if (!result.ok) throw new Error(`build: partner-${partnerId(revision)} conflicted`);
  }
}

/**
 * @param {{ dbFile: string; revisions: number[]; commands: number; uncachedCommands: number }} args
 */
export async function streamLengthTaawun({ dbFile, revisions = [10, 1000, 10000], commands = 100, uncachedCommands = 20 }) {
  const builtAt = performance.now();
  const store = await openSqliteEventStore(dbFile);
  for (const revision of revisions) await buildStream(store, revision);
  const buildMs = Math.round(performance.now() - builtAt);

  const next = Object.fromEntries(revisions.map((r) => [r, r + 1]));
  /** One rename on each stream in turn, `rounds` times; latencies by revision. */
  const measure = async (rounds, stateCache) => {
    const latencies = Object.fromEntries(revisions.map((r) => [r, []]));
    const ctx = { ...context('bench:commands'), stateCache };
    for (let round = 0; round < rounds; round++) {
      for (const revision of round % 2 === 0 ? revisions : [...revisions].reverse()) {
        const t = performance.now();
        const result = await handle(store, rename(revision, next[revision]++), ctx);
        latencies[revision].push(performance.now() - t);
        if (!result.ok) throw new Error(`rename on ${partnerId(revision)}: ${result.error.message}`);
      }
    }
    return latencies;
  };

  // Keeping folded states: the first command on each stream folds it whole (a cold start), the rest start from the kept state.
  const cache = new StateCache();
  const cold = await measure(1, cache);
  const from = { ...next };
  const warm = await measure(commands, cache);
  // Folding every stream from its first event: the cost the cache takes away.
  const folded = await measure(uncachedCommands, false);
  await store.close();

  const bySize = {};
  for (const revision of revisions) {
    bySize[revision] = {
      revisionFrom: from[revision],
      cachedP50Ms: percentile(warm[revision], 50),
      cachedP99Ms: percentile(warm[revision], 99),
      coldMs: cold[revision][0],
      uncachedP50Ms: percentile(folded[revision], 50),
    };
  }
  const [smallest, largest] = [revisions[0], revisions.at(-1)];
  return {
    revisions: bySize,
    commands,
    uncachedCommands,
    buildMs,
    cacheStats: cache.stats,
    ratio: bySize[largest].cachedP50Ms / bySize[smallest].cachedP50Ms,
    uncachedRatio: bySize[largest].uncachedP50Ms / bySize[smallest].uncachedP50Ms,
  };
}
