-- Core: papers (merged over sources), categories for filters, daily-papers entries,
-- harvest checkpoints (PostgreSQL twin of the SQLite 0001). Keys and sorted text use the
-- "C" collation so orderings are byte orderings, as in SQLite, whatever the server locale.
CREATE TABLE papers (
    id               TEXT COLLATE "C" PRIMARY KEY,
    version          INTEGER,
    title            TEXT NOT NULL,
    published        TEXT COLLATE "C",
    updated          TEXT COLLATE "C",
    primary_category TEXT COLLATE "C",
    has_code         BOOLEAN NOT NULL DEFAULT false,
    data             TEXT NOT NULL,          -- canonical JSON of paperradar.models.Paper
    seq              BIGINT NOT NULL         -- change counter, assigned in commit order
);
CREATE INDEX papers_seq ON papers (seq);
CREATE INDEX papers_published ON papers (published);

CREATE TABLE paper_categories (
    category TEXT COLLATE "C" NOT NULL,
    paper_id TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (category, paper_id)
);
CREATE INDEX paper_categories_paper ON paper_categories (paper_id);

CREATE TABLE daily_entries (
    date          TEXT COLLATE "C" NOT NULL,
    paper_id      TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    submitted_by  TEXT COLLATE "C",
    submitted_at  TEXT COLLATE "C",
    upvotes       INTEGER NOT NULL DEFAULT 0,
    num_comments  INTEGER NOT NULL DEFAULT 0,
    github_repo   TEXT,
    github_stars  INTEGER,
    project_page  TEXT,
    ai_summary    TEXT,
    ai_keywords   TEXT NOT NULL DEFAULT '[]',
    source        TEXT NOT NULL,
    PRIMARY KEY (date, paper_id)
);
CREATE INDEX daily_entries_paper ON daily_entries (paper_id);
CREATE INDEX daily_entries_submitter ON daily_entries (submitted_by);

CREATE TABLE checkpoints (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);
