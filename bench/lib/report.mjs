/**
 * The run as a markdown table of figures and ratios, and a summary of the
 * targets (ratios measured side by side in the same run).
 */

/** Workloads whose failure means the harness (or taawun's core path) is broken, not a finding. */
const mustSucceed = ['importFloor', 'importTaawun', 'readFloor', 'aggregateTaawun', 'commandsTaawun', 'merkleCost'];

const fmt = (n, digits = 0) => (n === undefined || n === null || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** A workload's figure for the table: its rate, or how far it got before it was stopped. */
function figure(result, key) {
  if (!result) return { text: 'not run', value: undefined };
  if (result.ok) return { text: fmt(result[key]), value: result[key] };
  if (result.timedOut) {
    const done = result.progress?.eventsDone;
    const rate = result.partialEventsPerSecond;
    return { text: rate ? `${fmt(rate)} (partial: stopped at ${fmt(done)} after ${fmt(result.wallMs / 1000)} s)` : `stopped after ${fmt(result.wallMs / 1000)} s`, value: rate, partial: true };
  }
  return { text: `failed: ${String(result.message).slice(0, 120)}`, value: undefined };
}

const ratio = (a, b) => (a && b ? a / b : undefined);
const check = (value, target, compare) => (value === undefined ? 'n/a' : compare(value, target) ? 'yes' : '**no**');

/** @param {any} run */
export function renderReport(run) {
  const lines = [];
  const targets = [];
  const harnessFailures = [];
  const sizes = Object.keys(run.sizes).map(Number).sort((a, b) => a - b);
  lines.push(`## taawun bench: ${run.mode} run, ${run.startedAt.slice(0, 10)}`);
  lines.push('');
  lines.push(`Machine: ${run.machine.cpu}, ${run.machine.cores} cores, ${run.machine.memoryGb} GB, Node ${run.machine.node} (${run.machine.platform}). Peer: Emmett ${run.peer.emmett}, emmett-sqlite ${run.peer.emmettSqlite} on sqlite3 ${run.peer.sqlite3}${run.peer.emmettPostgresql ? `, emmett-postgresql ${run.peer.emmettPostgresql}` : ""}. Seed ${run.options.seed}, batches of up to ${run.options.maxBatch} events, ${run.options.sample} single commands, budget ${run.options.budgetSeconds} s per workload.`);
  lines.push('');
  lines.push('| events | workload | taawun | floor (raw better-sqlite3) | taawun / floor | Emmett-sqlite | taawun / Emmett-sqlite | Emmett in-memory |');
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const n of sizes) {
    const r = run.sizes[n];
    for (const name of mustSucceed) if (r[name] && !r[name].ok && !r[name].timedOut) harnessFailures.push(`${name} at ${n}: ${r[name].message}`);
    const row = (label, ours, floor, peer, memory) =>
      lines.push(`| ${fmt(n)} | ${label} | ${ours.text} | ${floor?.text ?? ''} | ${floor ? fmt(ratio(ours.value, floor.value), 2) : ''} | ${peer?.text ?? ''} | ${peer ? fmt(ratio(ours.value, peer.value), 2) : ''} | ${memory?.text ?? ''} |`);
    const importOurs = figure(r.importTaawun, 'eventsPerSecond');
    const importFloor = figure(r.importFloor, 'eventsPerSecond');
    row('bulk import, events/s', importOurs, importFloor, figure(r.importEmmettSqlite, 'eventsPerSecond'), figure(r.importEmmettMemory, 'eventsPerSecond'));
    const commandsOurs = figure(r.commandsTaawun, 'commandsPerSecond');
    const commandsPeer = figure(r.commandsEmmettSqlite, 'commandsPerSecond');
    row('single commands, commands/s (one transaction each)', commandsOurs, undefined, commandsPeer);
    const readFloor = figure(r.readFloor, 'eventsPerSecond');
    const aggregatePeer = figure(r.aggregateEmmettSqlite, 'eventsPerSecond');
    row('per-stream read-and-aggregate, events/s', figure(r.aggregateTaawun, 'eventsPerSecond'), readFloor, aggregatePeer);
    const rebuilds = [['rebuild partner history, events/s', r.rebuildPartnerHistory], ['rebuild yearly report, events/s', r.rebuildYearlyReport]];
    for (const [label, result] of rebuilds) row(label, figure(result, 'eventsPerSecond'), readFloor, aggregatePeer);
    const inWorker = [['rebuild partner history, log decoded in a worker thread, events/s', r.rebuildPartnerHistoryWorker], ['rebuild yearly report, log decoded in a worker thread, events/s', r.rebuildYearlyReportWorker]];
    for (const [label, result] of inWorker) if (result) row(label, figure(result, 'eventsPerSecond'), readFloor, aggregatePeer);
    if (r.queryPartnerHistory) row('partner history query, p50 ms', { text: r.queryPartnerHistory.ok ? `${fmt(r.queryPartnerHistory.p50Ms, 2)} (p99 ${fmt(r.queryPartnerHistory.p99Ms, 2)})` : figure(r.queryPartnerHistory).text });
    if (r.lensQueries) {
      if (!r.lensQueries.ok) row('time lenses', figure(r.lensQueries));
      for (const query of r.lensQueries.ok ? ['history', 'agreements'] : []) {
        const q = r.lensQueries[query];
        for (const [lens, l] of Object.entries(q.lenses)) {
          row(`${query} through a lens (${lens}) / stored, p50 ms`, { text: `${fmt(l.p50Ms, 1)} / ${fmt(q.storedP50Ms, 1)} = ${fmt(l.ratioToStored, 1)}x` });
          targets.push({ size: n, target: `${query} through a lens (${lens}) <= 5x the same stored query`, measured: l.ratioToStored, met: check(l.ratioToStored, 5, (a, b) => a <= b) });
        }
      }
      // Whole-log answers: the stored model with the streams the lens changes folded through it (or, past half the log, the replay).
      const wholeLog = r.lensQueries.ok ? r.lensQueries.wholeLog : undefined;
      for (const query of wholeLog ? ['yearly', 'partners', 'agreements', 'sessions'] : []) {
        const q = wholeLog[query];
        for (const [lens, l] of Object.entries(q.lenses)) {
          const read = l.source === 'streams' ? `${fmt(l.streamsRead)} streams, ${fmt(l.eventsRead)} events read` : l.source;
          row(`whole-log ${query} through a lens (${lens}) / stored, p50 ms`, { text: `${fmt(l.p50Ms, 1)} / ${fmt(q.storedP50Ms, 1)} = ${fmt(l.ratioToStored, 1)}x (${read})` });
          if (query === 'yearly' && lens !== 'asOfMiddle') {
            targets.push({ size: n, target: `the yearly report through a lens near the head (${lens}) <= 5x the same stored query`, measured: l.ratioToStored, met: check(l.ratioToStored, 5, (a, b) => a <= b) });
          }
        }
      }
    }
    if (r.http) {
      if (!r.http.ok) row('HTTP', figure(r.http));
      for (const [label, h] of Object.entries(r.http.ok ? r.http.scenarios ?? {} : {})) {
        row(`HTTP ${label}, req/s (p50 / p99 ms)`, { text: h.ok === false ? `not run: ${h.message}` : `${fmt(h.requestsPerSecond)} (${fmt(h.p50Ms, 1)} / ${fmt(h.p99Ms, 1)})${h.bytes ? `, ${fmt(h.bytes)} bytes a response` : ''}${h.non2xx ? `, ${fmt(h.non2xx)} non-2xx` : ''}` });
      }
    }

    if (r.http?.serverRss) {
      row('HTTP server peak RSS while serving, MB (whole process, the models’ build included)', { text: `${fmt(r.http.serverRss.servingMb)} (${fmt(r.http.serverRss.processMb)})` });
      if (n >= 1_000_000) targets.push({ size: n, target: 'peak RSS of the HTTP server while serving these requests < 250 MB', measured: r.http.serverRss.servingMb, met: check(r.http.serverRss.servingMb, 250, (a, b) => a < b) });
    }

    // A stored page served at >= 0.5x the same server's floor (issue 19).
    const httpScenarios = r.http?.ok ? r.http.scenarios ?? {} : {};
    const httpFloor = Object.entries(httpScenarios).find(([label]) => label.startsWith('the floor'))?.[1];
    for (const [label, h] of Object.entries(httpScenarios)) {
      if (!httpFloor?.requestsPerSecond || !label.startsWith('read ') || !h.requestsPerSecond) continue;
      const measured = ratio(h.requestsPerSecond, httpFloor.requestsPerSecond);
      targets.push({ size: n, target: `HTTP ${label.split(' (')[0]} >= 0.5x the server's floor (an authenticated GET reading no model)`, measured, met: check(measured, 0.5, (a, b) => a >= b) });
    }
    targets.push({ size: n, target: 'bulk import >= 0.7 of the raw batched-insert floor', measured: ratio(importOurs.value, importFloor.value), met: check(ratio(importOurs.value, importFloor.value), 0.7, (a, b) => a >= b) });
    targets.push({ size: n, target: 'single commands >= 3x Emmett-sqlite at equal durability', measured: ratio(commandsOurs.value, commandsPeer.value), met: check(ratio(commandsOurs.value, commandsPeer.value), 3, (a, b) => a >= b) });
    for (const [label, result] of rebuilds) {
      const ours = figure(result, 'eventsPerSecond');
      const name = label.split(',')[0];
      targets.push({ size: n, target: `${name} >= 0.8 of the SELECT + JSON.parse floor`, measured: ratio(ours.value, readFloor.value), met: check(ratio(ours.value, readFloor.value), 0.8, (a, b) => a >= b), partial: ours.partial });
      targets.push({ size: n, target: `${name} >= 3x Emmett-sqlite read-and-aggregate`, measured: ratio(ours.value, aggregatePeer.value), met: check(ratio(ours.value, aggregatePeer.value), 3, (a, b) => a >= b), partial: ours.partial });
    }
  }
  const largest = sizes.at(-1);
  const smallest = sizes[0];
  const rss = [run.sizes[largest]?.rebuildPartnerHistory, run.sizes[largest]?.rebuildYearlyReport].map((r) => r?.peakRssMb ?? r?.progress?.rssMb);
  const peak = rss.some((v) => v !== undefined) ? Math.max(...rss.filter((v) => v !== undefined)) : undefined;
  targets.push({ size: largest, target: `peak RSS during the ${fmt(largest)}-event rebuild < 250 MB`, measured: peak, met: check(peak, 250, (a, b) => a < b) });
  // The side-by-side step when it ran (both sizes queried alternately in one process), else the per-size steps.
  const sideBySide = run.querySideBySide?.ok ? run.querySideBySide.sizes : undefined;
  const q = (n) => (sideBySide ? sideBySide[n]?.p50Ms : run.sizes[n]?.queryPartnerHistory?.ok ? run.sizes[n].queryPartnerHistory.p50Ms : undefined);
  if (largest !== smallest) {
    const how = sideBySide ? 'p50, queried side by side' : 'p50 of the per-size steps';
    targets.push({ size: largest, target: `query latency at ${fmt(largest)} <= 1.5x that at ${fmt(smallest)} (${how})`, measured: ratio(q(largest), q(smallest)), met: check(ratio(q(largest), q(smallest)), 1.5, (a, b) => a <= b) });
  }
  if (run.querySideBySide) {
    lines.push('');
    lines.push(run.querySideBySide.ok
      ? `Partner history query side by side (a page of ${sideBySide[smallest].pageSize} entries, ${fmt(sideBySide[smallest].queries)} queries at each size, alternating, in one process): ${sizes.filter((n) => sideBySide[n]).map((n) => `${fmt(n)} events p50 ${fmt(sideBySide[n].p50Ms, 2)} ms (p99 ${fmt(sideBySide[n].p99Ms, 2)})`).join(', ')}.`
      : `Partner history query side by side: ${figure(run.querySideBySide).text}`);
  }

  const pgSizes = sizes.filter((n) => run.sizes[n].postgres);
  if (pgSizes.length > 0) {
    lines.push('');
    lines.push(`### PostgreSQL (${run.sizes[pgSizes[0]].postgres.serverVersion ? `server ${run.sizes[pgSizes[0]].postgres.serverVersion}, ` : ''}a throwaway database per size; floor: raw \`pg\`)`);
    lines.push('');
    lines.push('| events | workload | taawun | floor (raw pg) | taawun / floor | emmett-postgresql | taawun / emmett-postgresql |');
    lines.push('|---:|---|---:|---:|---:|---:|---:|');
    for (const n of pgSizes) {
      const r = run.sizes[n];
      if (!r.postgres.ok) {
        lines.push(`| ${fmt(n)} | not run | ${r.postgres.message} | | |`);
        continue;
      }
      const pgRow = (label, ours, floor, peer) =>
        lines.push(`| ${fmt(n)} | ${label} | ${ours.text} | ${floor?.text ?? ''} | ${floor ? fmt(ratio(ours.value, floor.value), 2) : ''} | ${peer?.text ?? ''} | ${peer ? fmt(ratio(ours.value, peer.value), 2) : ''} |`);
      const peerOf = (result, key) => (r.pgImportEmmett ? figure(result, key) : undefined);
      const imp = figure(r.pgImportTaawun, 'eventsPerSecond');
      const impFloor = figure(r.pgImportFloor, 'eventsPerSecond');
      pgRow('bulk import, events/s', imp, impFloor, peerOf(r.pgImportEmmett, 'eventsPerSecond'));
      const commands = figure(r.pgCommandsTaawun, 'commandsPerSecond');
      const commandsPeer = peerOf(r.pgCommandsEmmett, 'commandsPerSecond');
      pgRow('single commands, commands/s (one transaction each)', commands, undefined, commandsPeer);
      const readFloorPg = figure(r.pgReadFloor, 'eventsPerSecond');
      const aggregatePeer = peerOf(r.pgAggregateEmmett, 'eventsPerSecond');
      const rebuildsPg = [['rebuild partner history', figure(r.pgRebuildPartnerHistory, 'eventsPerSecond')], ['rebuild yearly report', figure(r.pgRebuildYearlyReport, 'eventsPerSecond')]];
      for (const [label, ours] of rebuildsPg) pgRow(`${label}, events/s`, ours, readFloorPg, aggregatePeer);
      targets.push({ size: n, target: 'PostgreSQL bulk import >= 0.7 of the raw pg batched-insert floor', measured: ratio(imp.value, impFloor.value), met: check(ratio(imp.value, impFloor.value), 0.7, (a, b) => a >= b) });
      if (commandsPeer) targets.push({ size: n, target: 'PostgreSQL single commands >= 2x emmett-postgresql', measured: ratio(commands.value, commandsPeer.value), met: check(ratio(commands.value, commandsPeer.value), 2, (a, b) => a >= b) });
      if (aggregatePeer) {
        for (const [label, ours] of rebuildsPg) targets.push({ size: n, target: `PostgreSQL ${label} >= 2x emmett-postgresql read-and-aggregate`, measured: ratio(ours.value, aggregatePeer.value), met: check(ratio(ours.value, aggregatePeer.value), 2, (a, b) => a >= b) });
      }
    }
  }

  renderMerkleCost(run, sizes, lines, targets);
  renderCliMemory(run, sizes, lines, targets);

  const sl = run.streamLength;
  if (sl) {
    lines.push('');
    if (sl.ok) {
      const revs = Object.keys(sl.revisions).map(Number).sort((a, b) => a - b);
      lines.push(`Single commands against stream length (a rename, one transaction each, ${fmt(sl.commands)} per stream alternating, p50 ms): ${revs.map((n) => `revision ${fmt(n)}: ${fmt(sl.revisions[n].cachedP50Ms, 2)} (first command, folding the whole stream: ${fmt(sl.revisions[n].coldMs, 2)}; without kept states: ${fmt(sl.revisions[n].uncachedP50Ms, 2)})`).join(', ')}.`);
      targets.push({ size: Number(revs.at(-1)), target: `handle at revision ${fmt(revs.at(-1))} <= 1.3x at revision ${fmt(revs[0])} (p50, kept folded states)`, measured: sl.ratio, met: check(sl.ratio, 1.3, (a, b) => a <= b) });
    } else {
      if (!sl.timedOut) harnessFailures.push(`streamLength: ${sl.message}`);
      lines.push(`Single commands against stream length: ${figure(sl).text}`);
    }
  }

  lines.push('');
  lines.push('### Targets');
  lines.push('');
  lines.push('| events | target | measured | met |');
  lines.push('|---:|---|---:|---|');
  // A subset run (`--only`) lists only the targets it measured.
  for (const t of targets) if (!(run.options.only && t.met === 'n/a')) lines.push(`| ${fmt(t.size)} | ${t.target} | ${fmt(t.measured, 2)}${t.partial ? ' (partial run)' : ''} | ${t.met} |`);

  const peerErrors = sizes.flatMap((n) => ['importEmmettMemory', 'importEmmettSqlite', 'aggregateEmmettSqlite', 'commandsEmmettSqlite', 'pgImportEmmett', 'pgAggregateEmmett', 'pgCommandsEmmett']
    .map((w) => [w, run.sizes[n][w]])
    .filter(([, r]) => r && (!r.ok || r.errorCount > 0 || r.findings?.length > 0))
    .map(([w, r]) => `${fmt(n)} events, ${w}: ${r.ok ? [r.errorCount > 0 ? `${r.errorCount} errors, e.g. ${r.errors?.[0]}` : '', ...(r.findings ?? [])].filter(Boolean).join('; ') : r.message}`));
  if (peerErrors.length > 0) {
    lines.push('');
    lines.push('### Peer findings (Emmett errors and stops; not our failures)');
    lines.push('');
    for (const e of peerErrors) lines.push(`- ${e}`);
  }
  return { markdown: lines.join('\n'), summary: { targets, harnessFailures, peerFindings: peerErrors } };
}

/**
 * The Merkle log's cost: each store with its tree and without (`merkleLog: false`),
 * side by side in one process; the ratios are the figures (issue 17: >= 0.90).
 */
function renderMerkleCost(run, sizes, lines, targets) {
  const measured = sizes.flatMap((n) => [['SQLite', run.sizes[n].merkleCost], ['PostgreSQL', run.sizes[n].pgMerkleCost]].filter(([, r]) => r).map(([store, r]) => ({ n, store, r })));
  if (measured.length === 0) return;
  lines.push('');
  lines.push('### Cost of the Merkle log (with the tree and without it, side by side in one process)');
  lines.push('');
  lines.push('| events | store | bulk import with / without, events/s | ratio | single commands with / without, commands/s | ratio |');
  lines.push('|---:|---|---:|---:|---:|---:|');
  for (const { n, store, r } of measured) {
    if (!r.ok) {
      lines.push(`| ${fmt(n)} | ${store} | ${figure(r).text} | | | |`);
      continue;
    }
    lines.push(`| ${fmt(n)} | ${store} | ${fmt(r.withTree.importEventsPerSecond)} / ${fmt(r.withoutTree.importEventsPerSecond)} | ${fmt(r.importRatio, 2)} | ${fmt(r.withTree.commandsPerSecond)} / ${fmt(r.withoutTree.commandsPerSecond)} | ${fmt(r.commandsRatio, 2)} |`);
    targets.push({ size: n, target: `${store} bulk import with the Merkle log >= 0.90 of its rate without it`, measured: r.importRatio, met: check(r.importRatio, 0.9, (a, b) => a >= b) });
    targets.push({ size: n, target: `${store} single commands with the Merkle log >= 0.90 of their rate without it`, measured: r.commandsRatio, met: check(r.commandsRatio, 0.9, (a, b) => a >= b) });
  }
}

/** What each CLI command is, as the memory table names it. */
const cliCommands = {
  partnersCatchUp: 'partners --limit 100 (first run: builds the partner history)',
  partnersPage: 'partners --limit 100',
  partnersAll: 'partners (the whole list)',
  participantsCatchUp: 'report participants --limit 100 (first run: builds the participant records)',
  participantsPage: 'report participants --limit 100',
  participantsAll: 'report participants (the whole list)',
  yearlyCatchUp: 'report yearly --limit 100 (first run: builds the yearly report)',
  yearlyPage: 'report yearly --limit 100',
  yearlyAll: 'report yearly (every period)',
  export: 'export (to a file)',
  import: 'import (the export, into a new file)',
};

/** Peak RSS of the CLI's long commands, each in its own process (issue 19: < 250 MB each at 1M events). */
function renderCliMemory(run, sizes, lines, targets) {
  const measured = sizes.map((n) => ({ n, r: run.sizes[n].cliMemory })).filter(({ r }) => r);
  if (measured.length === 0) return;
  lines.push('');
  lines.push("### The CLI's peak memory (each command in a process of its own, output to a file)");
  lines.push('');
  lines.push('| events | command | peak RSS, MB | time, s | output, bytes |');
  lines.push('|---:|---|---:|---:|---:|');
  for (const { n, r } of measured) {
    if (!r.ok) {
      lines.push(`| ${fmt(n)} | ${figure(r).text} | | | |`);
      continue;
    }
    for (const [key, label] of Object.entries(cliCommands)) {
      const c = r.results[key];
      if (!c) continue;
      lines.push(`| ${fmt(n)} | \`taawun ${label}\` | ${fmt(c.peakRssMb)} | ${fmt(c.ms / 1000, 1)} | ${fmt(c.outputBytes)} |`);
      if (n >= 1_000_000) targets.push({ size: n, target: `peak RSS of taawun ${label} < 250 MB`, measured: c.peakRssMb, met: check(c.peakRssMb, 250, (a, b) => a < b) });
    }
  }
}
