-- Enrichment (paperradar.enrich): PostgreSQL 16 twin of sqlite/migrations/0012_enrichment.sql.
CREATE TABLE paper_enrichment (
    paper_id   TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    text_hash  TEXT NOT NULL,
    keyphrases JSONB NOT NULL DEFAULT '[]'::jsonb,
    summary    TEXT
);

CREATE TABLE paper_keyphrases (
    phrase   TEXT NOT NULL,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    rank     INTEGER NOT NULL,
    PRIMARY KEY (phrase, paper_id)
);
CREATE INDEX paper_keyphrases_paper ON paper_keyphrases (paper_id);

CREATE TABLE paper_authors (
    name_key  TEXT NOT NULL,
    paper_id  TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    published TEXT,
    PRIMARY KEY (name_key, paper_id)
);
CREATE INDEX paper_authors_paper ON paper_authors (paper_id);
CREATE INDEX paper_authors_newest ON paper_authors (name_key, published);

CREATE TABLE author_claims (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    name_key   TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
    created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (user_id, paper_id)
);
CREATE INDEX author_claims_status ON author_claims (status, name_key);
CREATE INDEX author_claims_paper ON author_claims (paper_id);
