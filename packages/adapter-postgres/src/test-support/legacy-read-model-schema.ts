import type { Migration } from '../schema.js';

/*
 * Steps 1 and 2 of the read-model component exactly as released before the
 * tables were described by the projections: they created the rm_ tables of the
 * built-in read models by hand-written SQL. Tests make databases with them, to
 * check that a database made by an earlier version upgrades.
 */

const generationsSql = (s: string) => `
CREATE TABLE ${s}.read_model_generations (
  name           text    NOT NULL,                 -- the projection: partner-history, agreements-register, ...
  generation     integer NOT NULL CHECK (generation >= 1),
  version        integer NOT NULL CHECK (version >= 1),
  status         text    NOT NULL CHECK (status IN ('building', 'active')),
  position       bigint  CHECK (position >= 0),    -- the checkpoint; null before the first commit
  events_applied bigint  NOT NULL CHECK (events_applied >= 0),
  state          json    NOT NULL,                 -- the projection's state, the exact text the engine wrote
  created_at     text    NOT NULL,
  updated_at     text    NOT NULL,
  PRIMARY KEY (name, generation)
);
CREATE UNIQUE INDEX read_model_generations_one_active ON ${s}.read_model_generations (name) WHERE status = 'active';

-- Which generation the rm_ tables of each read model show, and up to which log position.
CREATE TABLE ${s}.rm_read_models (
  read_model      text    PRIMARY KEY,
  generation      integer NOT NULL,
  version         integer NOT NULL,
  position        bigint,
  events_applied  bigint  NOT NULL,
  materialised_at text    NOT NULL
);`;

/* Figures (people trained, sessions held, ...) are bigint: the domain allows a
 * million people for each of ten thousand occurrences of one record.
 * Naming: a multilingual text is three columns (x_ar, x_fr, x_en); a partial date is
 * x_edtf (as recorded), x_label (in English), x_earliest and x_latest (its bounds; null
 * when open), and a `period` (the yearly report's: 2018, 2016-2020, by-2022, from-2002,
 * year-unknown). A count the record may know only in part is x (what is known) and
 * x_exact (false: a lower bound; the reasons are in rm_yearly_gaps). */
const partnerHistorySql = (s: string) => `
-- partner-history: every partner, its names through time, and its history.
CREATE TABLE ${s}.rm_partners (
  partner_id  text    PRIMARY KEY,
  name_ar     text,                                  -- the latest name
  name_fr     text,
  name_en     text,
  acronym     text,
  kind        text,                                  -- school, ministry, agency, ...
  country     text,
  entries     integer NOT NULL,                      -- rows in rm_partner_history
  corrections integer NOT NULL,
  source_refs text[]  NOT NULL                       -- facts of the source text: {F12}
);

CREATE TABLE ${s}.rm_partner_names (
  partner_id     text    NOT NULL,
  name_order     integer NOT NULL,                   -- 1: the registered name, then each rename in date order
  name_ar        text,
  name_fr        text,
  name_en        text,
  effective_edtf text,                               -- null for the registered name
  effective_earliest date,
  effective_latest   date,
  PRIMARY KEY (partner_id, name_order)
);

CREATE TABLE ${s}.rm_partner_history (
  partner_id     text    NOT NULL,
  entry_order    integer NOT NULL,                   -- 1, 2, 3, ... the order of the history
  kind           text    NOT NULL,                   -- agreement-signed, agreement-amended, agreement-terminated, programme-launched,
                                                     -- programme-closed, session, study-visit, publication-prepared|planned|published
  record_type    text    NOT NULL,                   -- agreement, programme, session, study-visit, publication
  record_id      text    NOT NULL,
  status         text,                               -- sessions: held|planned|cancelled; visits: completed|planned|cancelled; agreements: signed|terminated
  date_edtf      text    NOT NULL,                   -- 1998-11-16, 2018, ../2002, 2016/2020, XXXX-11-15/XXXX-11-25, XXXX
  date_label     text    NOT NULL,                   -- 16 November 1998, by 2002, 2016 – 2020, date unknown
  date_earliest  date,
  date_latest    date,
  known_year     integer,                            -- the year, when the date lies within one year
  year_unknown   boolean NOT NULL,
  period         text    NOT NULL,
  order_certain  boolean NOT NULL,                   -- false: the dates overlap a neighbour's, so the order is not certain
  what           text    NOT NULL,                   -- Agreement signed, Course held, Hosted study visit completed, ...
  title_ar       text,
  title_fr       text,
  title_en       text,
  partner_name_certainty   text NOT NULL,            -- stated, in-force, uncertain (name null), unknown
  partner_name_ar          text,
  partner_name_fr          text,
  partner_name_en          text,
  institute_name_certainty text NOT NULL,
  institute_name_ar        text,
  institute_name_fr        text,
  institute_name_en        text,
  institute_name_candidates jsonb NOT NULL,          -- the names it may have been: [{"ar": ..., "fr": ...}, ...]
  shared_with    text[]  NOT NULL,                   -- the other partners of the record
  sessions       bigint,                             -- sessions the record stands for ("6 regional sessions")
  sessions_exact boolean,
  attendance     bigint,
  attendance_basis text,                             -- total, each-occurrence
  named_trainees bigint,
  people_trained bigint,
  people_trained_exact boolean,
  participants   bigint,                             -- study visits
  participants_exact boolean,
  details        jsonb   NOT NULL,                   -- the rest of the entry, as the read model's JSON gives it
  corrections    integer NOT NULL,
  source_refs    text[]  NOT NULL,
  PRIMARY KEY (partner_id, entry_order)
);
CREATE INDEX rm_partner_history_record ON ${s}.rm_partner_history (record_type, record_id);`;

const agreementsSql = (s: string) => `
-- agreements-register: every agreement, its parties, signatories and areas of cooperation.
CREATE TABLE ${s}.rm_agreements (
  agreement_id    text    PRIMARY KEY,
  register_order  integer NOT NULL UNIQUE,           -- by date of signature
  kind            text    NOT NULL,                  -- convention, protocol, memorandum, agreement
  title_ar        text,
  title_fr        text,
  title_en        text,
  status          text    NOT NULL,                  -- signed, terminated
  signed_edtf     text    NOT NULL,
  signed_label    text    NOT NULL,
  signed_earliest date,
  signed_latest   date,
  known_year      integer,
  period          text    NOT NULL,
  order_certain   boolean NOT NULL,
  place_ar        text,
  place_fr        text,
  place_en        text,
  amendments      integer NOT NULL,
  terminated_edtf text,
  termination_reason text,
  programmes      text[]  NOT NULL,                  -- programmes launched under it
  corrections     integer NOT NULL,
  source_refs     text[]  NOT NULL
);

CREATE TABLE ${s}.rm_agreement_parties (
  agreement_id   text    NOT NULL,
  party_order    integer NOT NULL,                   -- 0: the institute, then the partners
  party          text    NOT NULL,                   -- 'institute' or the partner's id
  name_certainty text    NOT NULL,                   -- stated (on the document), in-force, uncertain, unknown
  name_ar        text,                               -- the name at signature
  name_fr        text,
  name_en        text,
  acronym        text,
  kind           text,
  country        text,
  PRIMARY KEY (agreement_id, party_order)
);

CREATE TABLE ${s}.rm_agreement_signatories (
  agreement_id    text    NOT NULL,
  signatory_order integer NOT NULL,
  party           text    NOT NULL,                  -- 'institute' or the partner's id
  role_ar         text,
  role_fr         text,
  role_en         text,
  name_ar         text,                              -- null when the record does not name them
  name_fr         text,
  name_en         text,
  PRIMARY KEY (agreement_id, signatory_order)
);

CREATE TABLE ${s}.rm_agreement_areas (
  agreement_id text    NOT NULL,
  area_order   integer NOT NULL,                     -- the areas in force, after the amendments
  area_ar      text,
  area_fr      text,
  area_en      text,
  PRIMARY KEY (agreement_id, area_order)
);`;

const yearlySql = (s: string) => `
-- yearly-activity-report: per period, the totals and each breakdown; the lines counted; the gaps.
CREATE TABLE ${s}.rm_yearly_activity (
  period          text    NOT NULL,                  -- 2018, 2016-2020, by-2022, from-2002, year-unknown
  period_order    integer NOT NULL,                  -- the report's order of periods
  period_kind     text    NOT NULL,                  -- year, span, by, from, unknown
  period_label    text    NOT NULL,
  from_year       integer,
  to_year         integer,
  breakdown       text    NOT NULL CHECK (breakdown IN ('total', 'partner', 'theme', 'format')),
  breakdown_order integer NOT NULL,                  -- 0 for the total
  partner_id      text,                              -- breakdown = partner
  partner_acronym text,
  partner_name_ar text,
  partner_name_fr text,
  partner_name_en text,
  theme           text,                              -- breakdown = theme (null: no theme stated)
  format          text,                              -- breakdown = format: in-person, remote, not-stated
  sessions_held                  bigint  NOT NULL,
  sessions_held_exact            boolean NOT NULL,
  people_trained                 bigint  NOT NULL,
  people_trained_exact           boolean NOT NULL,
  study_visits                   bigint,             -- null for the format breakdown (sessions only)
  study_visits_exact             boolean,
  study_visit_participants       bigint,
  study_visit_participants_exact boolean,
  publications_prepared          bigint,
  publications_planned           bigint,             -- planned for publication, not yet published
  publications_published         bigint,
  PRIMARY KEY (period, breakdown, breakdown_order)
);

CREATE TABLE ${s}.rm_yearly_gaps (
  period     text    NOT NULL,
  figure     text    NOT NULL,                       -- sessions_held, people_trained, study_visits, study_visit_participants
  gap_order  integer NOT NULL,
  record_id  text    NOT NULL,                       -- the session or visit that gives no number
  reason     text    NOT NULL,                       -- sessions-not-numbered, no-attendance-figure, ...
  PRIMARY KEY (period, figure, gap_order)
);

CREATE TABLE ${s}.rm_activities (
  period         text    NOT NULL,
  line           text    NOT NULL,                   -- session, study-visit, publication-prepared, publication-planned, publication-published
  line_order     integer NOT NULL,
  record_id      text    NOT NULL,
  kind           text,                               -- the session's or publication's kind
  format         text,                               -- sessions: in-person, remote, not-stated
  direction      text,                               -- study visits: hosted, outgoing
  title_ar       text,
  title_fr       text,
  title_en       text,
  date_edtf      text    NOT NULL,
  date_label     text    NOT NULL,
  date_earliest  date,
  date_latest    date,
  partners       text[]  NOT NULL,
  themes         text[]  NOT NULL,
  sessions_held  bigint,
  sessions_held_exact  boolean,
  people_trained bigint,
  people_trained_exact boolean,
  attendance     bigint,
  attendance_basis text,
  named_trainees bigint,
  participants   bigint,
  participants_exact boolean,
  note_ar        text,                               -- publication plans
  note_fr        text,
  note_en        text,
  corrected      boolean NOT NULL,
  source_refs    text[]  NOT NULL,
  PRIMARY KEY (period, line, line_order)
);
CREATE INDEX rm_activities_record ON ${s}.rm_activities (record_id);`;

const participantsSql = (s: string) => `
-- participant-record, without personal data (names stay in the log, sealed, and in the API).
CREATE TABLE ${s}.rm_participants (
  participant_id text    PRIMARY KEY,
  kind           text    NOT NULL,                   -- judge, prosecutor, trainer, ...
  cohort         integer,
  nationality    text,
  erased         boolean NOT NULL,                   -- personal data erased
  erased_at      text,                               -- when the erasure was recorded
  sessions       integer NOT NULL,
  study_visits   integer NOT NULL,
  corrections    integer NOT NULL,
  source_refs    text[]  NOT NULL
);

CREATE TABLE ${s}.rm_participant_activities (
  participant_id text    NOT NULL,
  activity_order integer NOT NULL,                   -- sessions by date, then study visits by date
  activity       text    NOT NULL,                   -- session, study-visit
  record_id      text    NOT NULL,
  title_ar       text,
  title_fr       text,
  title_en       text,
  date_edtf      text    NOT NULL,
  date_label     text    NOT NULL,
  date_earliest  date,
  date_latest    date,
  status         text    NOT NULL,                   -- held|planned|cancelled, completed|planned|cancelled
  kind           text,                               -- sessions
  format         text,
  role           text,                               -- trainee, trainer
  enrolment      text,                               -- enrolled, withdrawn
  direction      text,                               -- study visits
  partners       text[]  NOT NULL,
  PRIMARY KEY (participant_id, activity_order)
);
CREATE INDEX rm_participant_activities_record ON ${s}.rm_participant_activities (record_id);`;

/** The SQL of the read-model tables in `schema` (already quoted), in the order the README shows it. */
const step1Sql = (s: string): string =>
  [generationsSql(s), partnerHistorySql(s), agreementsSql(s), yearlySql(s), participantsSql(s)].map((part) => part.trim()).join('\n\n');

/**
 * Read models as documents and index entries (the engine of @taawun/projections
 * from its keyed redesign): a generation's documents and index rows, deleted with
 * it. Keys and sorts use the "C" collation: index entries are read in binary
 * order, which is the order the engine sorts them in. The whole states of step 1
 * are dropped (read models are derived data, rebuilt from the log), and the rm_
 * tables emptied until the rebuilt generations are activated.
 */
const step2Sql = (s: string) => `
DELETE FROM ${s}.read_model_generations;
ALTER TABLE ${s}.read_model_generations DROP COLUMN state;
CREATE TABLE ${s}.read_model_documents (
  name       text    NOT NULL,
  generation integer NOT NULL,
  key        text    COLLATE "C" NOT NULL,   -- the record's stream name: session-giz-tot-2018
  value      text    NOT NULL,               -- the document, the exact JSON text the engine wrote
  PRIMARY KEY (name, generation, key),
  FOREIGN KEY (name, generation) REFERENCES ${s}.read_model_generations (name, generation) ON DELETE CASCADE
);
CREATE TABLE ${s}.read_model_index (
  name       text    NOT NULL,
  generation integer NOT NULL,
  idx        text    COLLATE "C" NOT NULL,   -- the index: history, lines, gaps, ...
  key        text    COLLATE "C" NOT NULL,   -- what it is read by: a partner id, a period, ...
  sort       text    COLLATE "C" NOT NULL,   -- the order entries are read in
  document   text    NOT NULL,               -- the key of the document it comes from
  value      text,                           -- JSON text, or null
  PRIMARY KEY (name, generation, idx, key, sort),
  FOREIGN KEY (name, generation) REFERENCES ${s}.read_model_generations (name, generation) ON DELETE CASCADE
);
DELETE FROM ${s}.rm_read_models;
${['rm_partners', 'rm_partner_names', 'rm_partner_history', 'rm_agreements', 'rm_agreement_parties', 'rm_agreement_signatories', 'rm_agreement_areas', 'rm_yearly_activity', 'rm_yearly_gaps', 'rm_activities', 'rm_participants', 'rm_participant_activities'].map((t) => `DELETE FROM ${s}.${t};`).join('\n')}`;

/** The read-model component's steps 1 and 2, as an earlier version ran them. */
export const legacyReadModelMigrations: readonly Migration[] = [
  { description: 'read-model generations (state and checkpoint in one row) and the rm_ tables of the built-in read models', sql: step1Sql },
  { description: 'read models as documents and index entries (whole states dropped, to be rebuilt from the log)', sql: step2Sql },
];
