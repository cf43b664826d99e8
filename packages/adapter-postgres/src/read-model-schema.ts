import type { Migration } from './schema.js';

/** The component row of the read-model tables in `schema_versions`. */
export const READ_MODELS_COMPONENT = 'read-models';

/*
 * The tables of the read-model storage itself, in versioned steps (the README
 * shows them; a test keeps the two equal). `read_model_generations` and its
 * documents and index entries are what the projection engine needs;
 * `rm_read_models` says which generation the rm_ tables show, `rm_layouts` how
 * they are laid out. The rm_ tables themselves are not versioned here: they are
 * laid out from the read models' descriptions when the storage opens (see
 * read-model-layout.ts), so a new column in a read model touches no SQL here.
 *
 * Steps 1 and 2 once created the rm_ tables of the built-in read models and
 * emptied them; databases made then keep those tables, which the layout adopts
 * (same columns) or replaces. In a database made now they never existed.
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

/** Step 1: generations with their whole state, and which generation the rm_ tables show. */
export const generationTablesSql = (s: string): string => generationsSql(s).trim();

/**
 * Read models as documents and index entries (the engine of @taawun/projections
 * from its keyed redesign): a generation's documents and index rows, deleted with
 * it. Keys and sorts use the "C" collation: index entries are read in binary
 * order, which is the order the engine sorts them in. The whole states of step 1
 * are dropped (read models are derived data, rebuilt from the log), and the rm_
 * tables show nothing until the rebuilt generations are activated.
 */
export const documentsSql = (s: string) => `
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
DELETE FROM ${s}.rm_read_models;`;

/** Step 3: how each read model's rm_ tables are laid out (the layout compares it with its description at every open). */
export const layoutsSql = (s: string) => `
CREATE TABLE ${s}.rm_layouts (
  read_model  text   PRIMARY KEY,
  tables      text[] NOT NULL,   -- the tables laid out for it
  structure   text   NOT NULL,   -- their DDL without schema or comments: a change lays them out again
  comments    text   NOT NULL,   -- their COMMENT statements: a change sets the comments again
  laid_out_at text   NOT NULL
);`;

/**
 * The read-model component's steps. Never change what a released step does to
 * the engine's tables: append one. (Steps 1 and 2 no longer create or empty the
 * rm_ tables: the layout does, for databases made before and after alike.)
 */
export const readModelMigrations: readonly Migration[] = [
  { description: 'read-model generations (state and checkpoint in one row), and which generation the rm_ tables show', sql: generationTablesSql },
  { description: 'read models as documents and index entries (whole states dropped, to be rebuilt from the log)', sql: documentsSql },
  { description: 'the layouts of the rm_ tables, laid out from the read models\' descriptions', sql: layoutsSql },
];
