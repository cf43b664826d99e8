/**
 * Time lenses against the same query without a lens, side by side in one
 * process: a partner's history (a page of 20), a partner's agreements, a
 * participant's record and a partner's sessions register (a page of 20), as of
 * a business date, as known on a recording date, and both; each answered from
 * the stored streams (`source.kind: 'streams'`) and, a few times, by the replay
 * of the whole log that lenses cost before (the reference). Also what the
 * catalogue of streams costs in storage.
 */
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { percentile } from '../lib/measure.mjs';

/**
 * @param {{ dbFile: string; partners: string[]; repeat: number; replays: number; pageSize?: number }} args
 */
export async function lensTaawun({ dbFile, partners, repeat, replays, pageSize = 20 }) {
  const projections = await import('@taawun/projections');
  const { openSqliteReadModelStorage } = await import('@taawun/adapter-sqlite');
  const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
  const storage = await openSqliteReadModelStorage(store);
  const service = projections.queryService({ store, storage });
  // The stored models and the catalogue, built as followers keep them.
  const built = {};
  const models = ['partner-history', 'agreements-register', 'participant-record', 'activity-register', 'record-streams'];
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
