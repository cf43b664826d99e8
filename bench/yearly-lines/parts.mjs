// What a page of the yearly report holds, part by part (bytes, gzipped): `node parts.mjs <db file> [partners]` (a log measure.mjs imported; the model is caught up here; partners: the bound, none when not given).
import { gzipSync } from 'node:zlib';
import { openSqliteEventStore, openSqliteReadModelStorage } from '@taawun/adapter-sqlite';
import { ProjectionRunner, yearlyActivityReportPage, yearlyActivityReportProjection } from '@taawun/projections';
const store = await openSqliteEventStore(process.argv[2], { integrityCheck: 'none' });
const storage = await openSqliteReadModelStorage(store);
const runner = new ProjectionRunner(yearlyActivityReportProjection, { store, storage });
await runner.catchUp();
const model = await runner.read();
const partners = process.argv[3] === undefined ? {} : { limit: Number(process.argv[3]) };
const { report } = await yearlyActivityReportPage(model, {}, { offset: 0, limit: 5 }, { limit: 25 }, partners);
const size = (v) => `${JSON.stringify(v).length} B (${gzipSync(JSON.stringify(v)).length} gz)`;
console.log('page', size(report), 'partners', JSON.stringify(partners));
for (const part of ['totals', 'byPartner', 'byTheme', 'byFormat', 'sessions', 'studyVisits', 'publications']) console.log(part, size(report.periods.map((p) => p[part])), 'items', report.periods.map((p) => (Array.isArray(p[part]) ? p[part].length : '')).join(' '));
console.log('partnerCount', report.periods.map((p) => p.partnerCount).join(' '));
const gapsOf = (figures) => Object.values(figures).flatMap((c) => c.gaps ?? []);
for (const [name, gaps] of [
  ['byPartner', report.periods.flatMap((p) => p.byPartner.flatMap((b) => gapsOf(b.figures)))],
  ['byTheme', report.periods.flatMap((p) => p.byTheme.flatMap((b) => gapsOf(b.figures)))],
  ['byFormat', report.periods.flatMap((p) => p.byFormat.flatMap((b) => [...b.sessionsHeld.gaps, ...b.peopleTrained.gaps]))],
  ['period totals', report.periods.flatMap((p) => gapsOf(p.totals))],
  ['the report totals (every period)', gapsOf(report.totals)],
]) console.log(`gaps in ${name}`, gaps.length, size(gaps));
await store.close();
