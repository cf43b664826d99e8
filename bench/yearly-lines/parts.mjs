// What a page of the yearly report holds, part by part (bytes, gzipped): `node parts.mjs <db file>` (a log measure.mjs imported and built).
import { gzipSync } from 'node:zlib';
import { openSqliteEventStore, openSqliteReadModelStorage } from '@taawun/adapter-sqlite';
import { ProjectionRunner, yearlyActivityReportPage, yearlyActivityReportProjection } from '@taawun/projections';
const store = await openSqliteEventStore(process.argv[2], { integrityCheck: 'none' });
const storage = await openSqliteReadModelStorage(store);
const model = await new ProjectionRunner(yearlyActivityReportProjection, { store, storage }).read();
const { report } = await yearlyActivityReportPage(model, {}, { offset: 0, limit: 5 }, { limit: 25 });
const size = (v) => `${JSON.stringify(v).length} B (${gzipSync(JSON.stringify(v)).length} gz)`;
for (const part of ['totals', 'byPartner', 'byTheme', 'byFormat', 'sessions', 'studyVisits', 'publications']) console.log(part, size(report.periods.map((p) => p[part])), 'items', report.periods.map((p) => (Array.isArray(p[part]) ? p[part].length : '')).join(' '));
const gaps = report.periods.flatMap((p) => p.byPartner.flatMap((b) => Object.values(b.figures).flatMap((c) => c.gaps ?? [])));
console.log('gaps in byPartner', gaps.length, size(gaps));
await store.close();
