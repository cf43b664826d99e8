/*
 * Every text taawun shows people, in English: the source of the message ids.
 * ICU MessageFormat (plurals, selects); `{value}` is a figure already written
 * ("6", "≥ 8", "8–14"), `n` the number its plural agrees with.
 * The French and Arabic catalogues must have every id (the compiler checks it)
 * with the same arguments (a test checks that).
 */
export const en = {
  // Partial dates
  'date.unknown': 'date unknown',
  'date.yearUnknown': '{date}, year unknown',
  'date.by': 'by {date}',
  'date.since': 'since {date}',
  'date.span': '{start} – {end}',

  // Figures
  'figure.notStated': 'not stated',
  'figure.atLeast': '≥ {n}',
  'figure.range': '{min}–{max}',
  'figure.sessions': '{n, plural, one {{value} session} other {{value} sessions}}',
  'figure.severalSessions': 'several sessions',
  'figure.trained': '{n, plural, one {{value} trained} other {{value} trained}}',
  'figure.attended': '{n, plural, one {{value} attended} other {{value} attended}}',
  'figure.hosted': '{n, plural, one {{value} hosted} other {{value} hosted}}',
  'figure.participants': '{n, plural, one {{value} participant} other {{value} participants}}',
  'figure.trainers': '{n, plural, one {{value} trainer} other {{value} trainers}}',
  'figure.entries': '{n, plural, one {# entry} other {# entries}}',
  'figure.lowerBoundNote': '≥ marks a lower bound: the record gives no number for {records}.',

  // Names
  'name.oneOf': 'one of: {candidates}',
  'name.unknown': 'name unknown',

  // Lenses
  'lens.everything': 'everything recorded',
  'lens.asOf': 'as of {date}',
  'lens.asKnownOn': 'as known on {date}',
  'lens.position': 'log position {position}',
  'lens.emptyLog': 'empty log',
  'lens.seen': 'Seen {view}: {n, plural, one {# event counted} other {# events counted}}.',
  'lens.notCounted': 'Not counted: {what}.',
  'lens.yearUnknown': '{n, plural, one {# event} other {# events}}{refs} with the year unknown',
  'lens.mayBeLater': '{n, plural, one {# event} other {# events}}{refs} that may be later',
  'lens.later': '{n} later',
  'lens.recordedLater': '{n} recorded later',
  'order.uncertain': '~ marks entries whose dates overlap another one: the record cannot tell which came first.',

  // Titles
  'title.partners': 'Partners ({n})',
  'title.agreements': 'Agreements register ({n})',
  'title.sessions': 'Sessions ({n})',
  'title.studyVisits': 'Study visits ({n})',
  'title.publications': 'Publications ({n})',
  'title.participants': 'Participants ({n})',
  'title.participant': 'Participant {id}',
  'title.yearly': 'Yearly activity report',
  'title.yearlyPeriod': 'Yearly activity report: {period}',
  'title.yearlyHint': 'Periods as precise as the record: a date known only as "by 2022" or "2016–2020" is never put in a single year.',
  'title.auditTrail': 'Audit trail of {stream}',
  'title.nothingInPeriod': 'Nothing is recorded in this period.',
  'title.total': 'TOTAL',

  // Column headers
  'column.partner': 'Partner',
  'column.acronym': 'Acronym',
  'column.kind': 'Kind',
  'column.country': 'Country',
  'column.entries': 'Entries',
  'column.first': 'First',
  'column.last': 'Last',
  'column.name': 'Name',
  'column.date': 'Date',
  'column.what': 'What',
  'column.record': 'Record',
  'column.figures': 'Figures',
  'column.partners': 'Partners',
  'column.with': 'With',
  'column.source': 'Source',
  'column.title': 'Title',
  'column.signed': 'Signed',
  'column.agreement': 'Agreement',
  'column.status': 'Status',
  'column.instituteAs': 'Institute as',
  'column.place': 'Place',
  'column.period': 'Period',
  'column.sessions': 'Sessions',
  'column.trained': 'Trained',
  'column.attended': 'Attended',
  'column.visits': 'Visits',
  'column.visitors': 'Visitors',
  'column.prepared': 'Prepared',
  'column.planned': 'Planned',
  'column.published': 'Published',
  'column.participant': 'Participant',
  'column.cohort': 'Cohort',
  'column.lowerBound': 'Lower bound',
  'column.earliest': 'Earliest',
  'column.latest': 'Latest',
  'column.recordedAt': 'Recorded at',
  'column.recordedBy': 'By',
  'column.type': 'Type',
  'column.businessDate': 'Business date',
  'column.note': 'Note',

  // Words in cells
  'cell.erased': '(erased)',
  'cell.amended': '{status}, amended {n}×',
  'cell.correctedFrom': '{date} (corrected from {previous})',
  'cell.none': 'none',

  // The report's chrome
  'report.index': 'Reports',
  'report.language': 'Language',
  'report.asOf': 'As of',
  'report.asKnownOn': 'As known on',
  'report.show': 'Show',
  'report.printed': 'Printed {date}',
  'report.computedFrom': 'Computed from log position {position}, head {hash}',
  'report.audit': 'Audit',
  'report.compare': 'Compare',
  'report.next': 'Next',
  'report.previous': 'Previous',
  'report.badDate': '"{value}" is not a date: write a day as YYYY-MM-DD, for example 2022-12-31.',
  'report.unknownKey': 'There is no {what} "{value}". Known: {known}.',
  'report.errorTitle': 'This report cannot be shown',
} as const;

export type MessageId = keyof typeof en;
