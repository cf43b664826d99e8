export { loadAndShowHistory, type PartnerHistoryRun } from './partner-history.js';
// The record itself lives in @taawun/runtime (the CLI seeds it from there); it is
// re-exported for the test suites of the packages below the runtime, which load
// it as a fixture without depending on the runtime's adapters.
export { institute, instituteRecord, loadInstituteRecord, partners, type LoadReport, type RecordEntry } from '@taawun/runtime/institute-record';
