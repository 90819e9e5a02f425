-- Core: papers (merged over sources), categories for filters, daily-papers entries,
-- harvest checkpoints. The full paper is kept as JSON in `data`; queried fields are columns.
CREATE TABLE papers (
    id               TEXT PRIMARY KEY,
    version          INTEGER,
    title            TEXT NOT NULL,
    published        TEXT,
    updated          TEXT,
    primary_category TEXT,
    has_code         INTEGER NOT NULL DEFAULT 0,
    data             TEXT NOT NULL,          -- JSON of paperradar.models.Paper
    seq              INTEGER NOT NULL         -- change counter, for incremental indexers
);
CREATE INDEX papers_seq ON papers (seq);
CREATE INDEX papers_published ON papers (published);

CREATE TABLE paper_categories (
    category TEXT NOT NULL,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (category, paper_id)
) WITHOUT ROWID;
CREATE INDEX paper_categories_paper ON paper_categories (paper_id);

CREATE TABLE daily_entries (
    date          TEXT NOT NULL,             -- YYYY-MM-DD featured
    paper_id      TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    submitted_by  TEXT,
    submitted_at  TEXT,
    upvotes       INTEGER NOT NULL DEFAULT 0, -- as imported
    num_comments  INTEGER NOT NULL DEFAULT 0, -- as imported
    github_repo   TEXT,
    github_stars  INTEGER,
    project_page  TEXT,
    ai_summary    TEXT,
    ai_keywords   TEXT NOT NULL DEFAULT '[]',
    source        TEXT NOT NULL,
    PRIMARY KEY (date, paper_id)
) WITHOUT ROWID;
CREATE INDEX daily_entries_paper ON daily_entries (paper_id);
CREATE INDEX daily_entries_submitter ON daily_entries (submitted_by);

CREATE TABLE checkpoints (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
