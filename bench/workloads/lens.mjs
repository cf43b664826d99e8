/**
 * Time lenses against the same query without a lens, side by side in one
 * process: a partner's history (a page of 20), a partner's agreements, a
 * participant's record and a partner's sessions register (a page of 20), as of
 * a business date, as known on a recording date, and both; each answered from
 * the stored streams (`source.kind: 'streams'`) and, a few times, by the replay
 * of the whole log that lenses cost before (the reference). Also what the
 * catalogue of streams costs in storage.
 *
 * Then lenses on whole-log answers (the yearly report, the list of partners,
 * the whole agreements and sessions registers): the stored model with the
 * streams the lens changes folded through it (`lens-by-delta.ts`), for lenses
 * near the head (as of the last half-year, as known on the recording at 95% of
 * the log, both) and one in the middle of the log (as of mid-2015), which
 * changes so much of it that it is replayed; against the same stored query and
 * the replay.
 */
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { percentile } from '../lib/measure.mjs';

/**
 * `repeat`: samples of each query and lens over the partners in turn (their p50 is the figure); `wholeLogRepeat`:
 * of each whole-log lens near the head (a second or so each at 1M).
 * @param {{ dbFile: string; partners: string[]; repeat: number; wholeLogRepeat?: number; replays: number; pageSize?: number }} args
 */
export async function lensTaawun({ dbFile, partners, repeat, wholeLogRepeat = Math.max(3, Math.ceil(repeat / 2)), replays, pageSize = 20 }) {
  const projections = await import('@taawun/projections');
  const { openSqliteReadModelStorage } = await import('@taawun/adapter-sqlite');
  const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
  const storage = await openSqliteReadModelStorage(store);
  const service = projections.queryService({ store, storage });
  // The stored models and the catalogue, built as followers keep them.
  const built = {};
  const models = ['partner-history', 'agreements-register', 'participant-record', 'activity-register', 'yearly-activity-report', 'record-streams'];
  for (const projection of service.projections().filter((p) => models.includes(p.name))) {
    const t = performance.now();
    await new projections.ProjectionRunner(projection, { store, storage }).catchUp();
    built[projection.name] = Math.round(performance.now() - t);
  }
  const head = Number(await store.lastPosition());
  const middle = (await store.readAll({ after: BigInt(Math.floor(head / 2)), maxCount: 1 })[Symbol.asyncIterator]().next()).value;
  const lenses = { asOf: { asOf: '2015-06-30' }, asKnownOn: { asKnownOn: middle.recordedAt }, both: { asOf: '2015-06-30', asKnownOn: middle.recordedAt } };
  // Participants enrolled a quarter into the log: people with a few sessions each, as most are.
  const participants = new Set();
  for await (const e of store.readAll({ after: BigInt(Math.floor(head / 4)), filter: { types: ['ParticipantEnrolled'] }, maxCount: 500 })) if (participants.size < partners.length) participants.add(e.data.participantId);
  const paged = (lens) => ({ ...(lens ? { lens } : {}), page: { offset: 0, limit: pageSize } });
  const queries = {
    history: { keys: partners, ask: (partnerId, lens) => service.query('partner-history', { partnerId }, paged(lens)) },
    agreements: { keys: partners, ask: (partnerId, lens) => service.query('agreements-register', { partnerId }, lens ? { lens } : {}) },
    participant: { keys: [...participants], ask: (participantId, lens) => service.query('participant-record', { participantId }, lens ? { lens } : {}) },
    sessions: { keys: partners, ask: (partnerId, lens) => service.query('sessions', { partnerId }, paged(lens)) },
  };
  const timed = async (ask, expected) => {
    const t = performance.now();
    const answer = await ask();
    const ms = performance.now() - t;
    if (!answer.ok) throw new Error(`lens: ${answer.error.code}: ${answer.error.message}`);
    if (answer.value.source.kind !== expected) throw new Error(`lens: answered from ${answer.value.source.kind}, not ${expected} (${answer.value.source.reason ?? ''})`);
    return { ms, source: answer.value.source };
  };
  const figures = {};
  for (const [query, { keys, ask }] of Object.entries(queries)) {
    // A warm-up round, then the stored query and each lens in turn, partner (or participant) by partner.
    for (const key of keys) await ask(key);
    const stored = [];
    const lensed = Object.fromEntries(Object.keys(lenses).map((k) => [k, []]));
    const read = Object.fromEntries(Object.keys(lenses).map((k) => [k, { streams: 0, events: 0 }]));
    for (let i = 0; i < repeat; i++) {
      const key = keys[i % keys.length];
      stored.push((await timed(() => ask(key), 'stored')).ms);
      for (const [name, lens] of Object.entries(lenses)) {
        const { ms, source } = await timed(() => ask(key, lens), 'streams');
        lensed[name].push(ms);
        read[name] = { streams: Math.max(read[name].streams, source.streamsRead), events: Math.max(read[name].events, source.eventsRead) };
      }
    }
    const storedP50 = percentile(stored, 50);
    figures[query] = {
      storedP50Ms: storedP50,
      lenses: Object.fromEntries(
        Object.keys(lenses).map((name) => [name, { p50Ms: percentile(lensed[name], 50), p99Ms: percentile(lensed[name], 99), ratioToStored: percentile(lensed[name], 50) / storedP50, mostStreamsRead: read[name].streams, mostEventsRead: read[name].events }]),
      ),
    };
  }
  figures.wholeLog = await wholeLogLenses(service, store, head, wholeLogRepeat);
  // The reference: the replay of the whole log through a lens, as every lens cost before.
  const replaying = projections.queryService({ store });
  const replayMs = [];
  for (let i = 0; i < replays; i++) {
    const t = performance.now();
    const answer = await replaying.query('partner-history', { partnerId: partners[i % partners.length] }, { lens: lenses.asOf, page: { offset: 0, limit: pageSize } });
    if (!answer.ok || answer.value.source.kind !== 'replayed') throw new Error('lens: the reference did not replay');
    replayMs.push(performance.now() - t);
  }
  const catalogue = (await projections.activeGeneration(storage, 'record-streams'));
  const model = `(SELECT id FROM read_model_generations WHERE name = 'record-streams' AND generation = ${catalogue.generation})`;
  const documents = store.database.prepare(`SELECT count(*) FROM read_model_documents WHERE model = ${model}`).pluck().get();
  const documentBytes = store.database.prepare(`SELECT sum(length(key) + length(value)) FROM read_model_documents WHERE model = ${model}`).pluck().get() ?? 0;
  const indexEntries = store.database.prepare(`SELECT count(*) FROM read_model_index WHERE model = ${model}`).pluck().get();
  const indexBytes = store.database.prepare(`SELECT sum(length(idx) + length(key) + length(sort) + length(document)) FROM read_model_index WHERE model = ${model}`).pluck().get() ?? 0;
  await store.close();
  return {
    events: head,
    partners,
    participants: [...participants],
    pageSize,
    lenses,
    builtMs: built,
    ...figures,
    replayAsOfP50Ms: percentile(replayMs, 50),
    catalogue: { documents, indexEntries, mb: Math.round((Number(documentBytes) + Number(indexBytes)) / 1e5) / 10 },
  };
}

/** Whole-log answers through lenses near the head and in the middle of the log: how each was read, and its time against the stored query. */
async function wholeLogLenses(service, store, head, repeat) {
  const at = async (share) => (await store.readAll({ after: BigInt(Math.floor(head * share)), maxCount: 1 })[Symbol.asyncIterator]().next()).value.recordedAt;
  const late = await at(0.95);
  const lenses = { asOfLate: { asOf: '2024-06-30' }, asKnownOnLate: { asKnownOn: late }, bothLate: { asOf: '2024-06-30', asKnownOn: late }, asOfMiddle: { asOf: '2015-06-30' } };
  const page = { offset: 0, limit: 20 };
  const queries = {
    yearly: (lens) => service.query('yearly-activity-report', {}, lens ? { lens } : {}),
    partners: (lens) => service.query('partners', {}, { ...(lens ? { lens } : {}), page }),
    agreements: (lens) => service.query('agreements-register', {}, { ...(lens ? { lens } : {}), page }),
    sessions: (lens) => service.query('sessions', {}, { ...(lens ? { lens } : {}), page }),
  };
  const figures = { lenses };
  for (const [query, ask] of Object.entries(queries)) {
    const timed = async (lens) => {
      const t = performance.now();
      const answer = await ask(lens);
      const ms = performance.now() - t;
      if (!answer.ok) throw new Error(`whole-log lens ${query}: ${answer.error.code}: ${answer.error.message}`);
      return { ms, source: answer.value.source };
    };
    await timed();
    const stored = [];
    for (let i = 0; i < repeat; i++) stored.push((await timed()).ms);
    const storedP50 = percentile(stored, 50);
    const byLens = {};
    for (const [name, lens] of Object.entries(lenses)) {
      const times = [];
      let source;
      // The middle of the log replays: once is enough.
      for (let i = 0; i < (name === 'asOfMiddle' ? 1 : repeat); i++) {
        const answered = await timed(lens);
        times.push(answered.ms);
        source = answered.source;
      }
      const p50 = percentile(times, 50);
      byLens[name] = { p50Ms: p50, ratioToStored: p50 / storedP50, source: source.kind, streamsRead: source.streamsRead ?? null, eventsRead: source.eventsRead ?? null };
    }
    figures[query] = { storedP50Ms: storedP50, lenses: byLens };
  }
  return figures;
}
