/**
 * A partner's lens queries of two builds side by side, in one process, over one
 * imported log (its models and its catalogue of streams caught up, as
 * `lens.mjs` leaves them in bench/work/lens-n<size>/):
 *
 *   node bench/lens-side-by-side.mjs --db bench/work/lens-n100000/taawun.db \
 *     --before /dev/shm/before-<you> [--after <this worktree>] [--model agreements-register] [--rounds 60]
 *
 * Each build (a worktree with its packages' `dist` and `node_modules`) opens the
 * file with its own adapter; the builds are asked alternately (which goes first
 * alternates by round), partner by partner: the stored query, then as of
 * 2015-06-30, as known on the log's middle, and both (the lenses of
 * `workloads/lens.mjs`). Each build's answers must equal the other's (the
 * result and the lens report): the script stops otherwise. Prints, per build,
 * the p50 of each (wall clock and CPU time of the process) and its ratio to the
 * same build's stored query; the first 5 rounds are a warm-up, not counted.
 * `--profile` only asks the `--after` build (run it under `node --cpu-prof`);
 * `--cold` gives each lens query a query service of its own (made before the
 * clock starts), so nothing read by an earlier answer is kept for it.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from './lib/measure.mjs';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    before: { type: 'string' },
    after: { type: 'string', default: resolve(dirname(fileURLToPath(import.meta.url)), '..') },
    model: { type: 'string', default: 'agreements-register' },
    rounds: { type: 'string', default: '60' },
    profile: { type: 'boolean', default: false },
    cold: { type: 'boolean', default: false },
  },
});
if (!values.db || (!values.before && !values.profile)) throw new Error('usage: --db <file> --before <worktree> [--after <worktree>]');

const partners = ['enm-france', 'giz', 'aecid', 'enabel', 'ssm-italy'];
const warmUp = 5;

async function openBuild(root) {
  const from = (pkg) => import(pathToFileURL(resolve(root, 'packages', pkg, 'dist', 'index.js')).href);
  const [projections, sqlite] = await Promise.all([from('projections'), from('adapter-sqlite')]);
  const store = await sqlite.openSqliteEventStore(resolve(values.db), { integrityCheck: 'none' });
  const storage = await sqlite.openSqliteReadModelStorage(store);
  return { root, store, fresh: () => projections.queryService({ store, storage }), service: projections.queryService({ store, storage }) };
}

const builds = values.profile ? [await openBuild(values.after)] : [await openBuild(values.before), await openBuild(values.after)];
const { store } = builds[0];
const head = Number(await store.lastPosition());
const middle = (await store.readAll({ after: BigInt(Math.floor(head / 2)), maxCount: 1 })[Symbol.asyncIterator]().next()).value;
const lenses = { stored: undefined, asOf: { asOf: '2015-06-30' }, asKnownOn: { asKnownOn: middle.recordedAt }, both: { asOf: '2015-06-30', asKnownOn: middle.recordedAt } };
const paged = values.model === 'agreements-register' ? {} : { page: { offset: 0, limit: 20 } };

const times = builds.map(() => Object.fromEntries(Object.keys(lenses).map((k) => [k, { wall: [], cpu: [] }])));
const read = builds.map(() => Object.fromEntries(Object.keys(lenses).map((k) => [k, { streams: 0, events: 0 }])));
for (let round = 0; round < Number(values.rounds); round++) {
  const partnerId = partners[round % partners.length];
  const order = round % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => i).reverse();
  const answers = [];
  for (const b of order) {
    const own = {};
    for (const [name, lens] of Object.entries(lenses)) {
      const service = values.cold && lens ? builds[b].fresh() : builds[b].service;
      const cpu = process.cpuUsage();
      const t = performance.now();
      const answer = await service.query(values.model, { partnerId }, { ...paged, ...(lens ? { lens } : {}) });
      const wall = performance.now() - t;
      const used = process.cpuUsage(cpu);
      if (!answer.ok) throw new Error(`${builds[b].root}: ${answer.error.code}: ${answer.error.message}`);
      const expected = lens ? 'streams' : 'stored';
      if (answer.value.source.kind !== expected) throw new Error(`${builds[b].root}: answered from ${answer.value.source.kind}, not ${expected}`);
      if (lens) read[b][name] = { streams: Math.max(read[b][name].streams, answer.value.source.streamsRead), events: Math.max(read[b][name].events, answer.value.source.eventsRead) };
      if (round >= warmUp) {
        times[b][name].wall.push(wall);
        times[b][name].cpu.push((used.user + used.system) / 1000);
      }
      own[name] = JSON.stringify({ result: answer.value.result, lens: answer.value.lens, total: answer.value.total });
    }
    answers[b] = own;
  }
  if (answers.length === 2) for (const name of Object.keys(lenses)) if (answers[0][name] !== answers[1][name]) throw new Error(`the builds answer ${partnerId} ${name} differently`);
}
const p50 = (list) => percentile(list, 50);
const figures = builds.map((b, i) => ({
  build: b.root,
  storedMs: { wall: p50(times[i].stored.wall), cpu: p50(times[i].stored.cpu) },
  lenses: Object.fromEntries(
    Object.keys(lenses)
      .filter((k) => k !== 'stored')
      .map((k) => [
        k,
        {
          wallMs: p50(times[i][k].wall),
          cpuMs: p50(times[i][k].cpu),
          wallRatio: p50(times[i][k].wall) / p50(times[i].stored.wall),
          cpuRatio: p50(times[i][k].cpu) / p50(times[i].stored.cpu),
          mostStreamsRead: read[i][k].streams,
          mostEventsRead: read[i][k].events,
        },
      ]),
  ),
}));
for (const b of builds) await b.store.close();
process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), db: values.db, model: values.model, cold: values.cold, events: head, rounds: Number(values.rounds) - warmUp, figures }, null, 2)}\n`);
