// The institute's record (DOMAIN.md, facts F1 to F18) as data, and its loader.
// Also exported as `@taawun/runtime/institute-record`, which loads no adapter.
export { instituteRecord, type RecordEntry } from './record.js';
export { institute, partners } from './partners.js';
export { loadInstituteRecord, type LoadReport } from './load.js';
