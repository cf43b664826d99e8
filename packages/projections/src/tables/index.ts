import { agreementsRegisterTables } from './agreements-register.js';
import { participantRecordTables } from './participant-record.js';
import { partnerHistoryTables } from './partner-history.js';
import type { AnyReadModelTables } from './read-model-tables.js';
import { yearlyActivityReportTables } from './yearly-report.js';

export { agreementsRegisterTables, participantRecordTables, partnerHistoryTables, yearlyActivityReportTables };

/** The built-in read models that have relational tables, by read-model name (the audit trail has none: it is the log). */
export const readModelTables: Readonly<Record<string, AnyReadModelTables>> = Object.fromEntries(
  [partnerHistoryTables, agreementsRegisterTables, yearlyActivityReportTables, participantRecordTables].map((t) => [t.projection.name, t]),
);

/** Every table of the built-in read models, in order. */
export const readModelTableNames: readonly string[] = Object.values(readModelTables).flatMap((t) => t.tables.map((table) => table.name));
