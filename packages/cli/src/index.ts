export { run, buildProgram } from './program.js';
export { openStore, parseStoreUrl, describeLocation, hasHashChain, redact, DEFAULT_STORE_URL, type OpenedStore, type OpenOptions, type StoreLocation, type ChainedStore } from './store-url.js';
export { exportEvents, importEvents, checkImportFile, parseEventLine, ImportRejected, type ImportReport, type ImportCheck, type ImportOptions, type PendingCorrection, type PersonalEvent } from './ndjson.js';
export { CliError, exitCodes, describeFailure, type ExitCode } from './errors.js';
export { displayWidth } from './output/width.js';
export { render, renderTable, renderMarkdown, renderCsv, renderJson, formats, type Format, type Column } from './output/render.js';
