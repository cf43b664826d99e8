export { run, buildProgram } from './program.js';
export { exportEvents, importEvents, checkImportFile, parseEventLine, ImportRejected, type ImportReport, type ImportCheck, type ImportOptions, type PendingCorrection, type PersonalEvent } from './ndjson.js';
export { CliError, exitCodes, describeFailure, type ExitCode } from './errors.js';
export { displayWidth } from './output/width.js';
export { render, renderTable, renderMarkdown, renderCsv, renderJson, formats, type Format, type Column } from './output/render.js';
