// Presentations of the query service's answers: the words and the tables the CLI prints and the report shows.
export * from './texts.js';
export * from './table.js';
export { presentAnswer } from './answers.js';
export { presentComparison } from './comparison.js';
export { analysisRecords, recordColumns, type AnalysisRecords, type RecordColumns, type RecordValue } from './records.js';
export * from './i18n/index.js';
export { agreementFactLines, entryFactLines, instituteSignedAs } from './facts.js';
export { entryWhat, eventTypeText, readModelDescription, readModelTitle, recordTypeText, selectKey, vocabText } from './vocabulary.js';
export { queryErrorText } from './errors.js';
