-- Enrichment (paperradar.enrich): PostgreSQL 16 twin of sqlite/migrations/0012_enrichment.sql.
-- Keys and sorted text use the "C" collation (byte order, as SQLite sorts) like 0001/0003;
-- the keyphrase list stays JSON text as on SQLite (never queried inside, copied verbatim
-- by ``paperradar db copy``, as daily_entries.ai_keywords).
CREATE TABLE paper_enrichment (
    paper_id   TEXT COLLATE "C" PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    text_hash  TEXT NOT NULL,
    keyphrases TEXT NOT NULL DEFAULT '[]',   -- JSON list of surface forms, best first
    summary    TEXT                          -- extracted sentence; NULL when none
);

CREATE TABLE paper_keyphrases (
    phrase   TEXT COLLATE "C" NOT NULL,      -- topic key (paperradar.enrich.text.topic_key)
    paper_id TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    rank     INTEGER NOT NULL,               -- 0 = the paper's best keyphrase
    PRIMARY KEY (phrase, paper_id)
);
CREATE INDEX paper_keyphrases_paper ON paper_keyphrases (paper_id);

CREATE TABLE paper_authors (
    name_key  TEXT COLLATE "C" NOT NULL,     -- paperradar.enrich.text.author_key
    paper_id  TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT COLLATE "C" NOT NULL,     -- as written on this paper
    published TEXT COLLATE "C",
    PRIMARY KEY (name_key, paper_id)
);
CREATE INDEX paper_authors_paper ON paper_authors (paper_id);
-- The author page's order (newest first, NULL dates last as on SQLite) read off the index.
CREATE INDEX paper_authors_newest ON paper_authors (name_key, published DESC NULLS LAST, paper_id DESC);

-- Authorship claims: a signed-in user says "these papers under this name are mine"; an
-- administrator confirms or rejects. Confirmed claims show on the user's profile.
CREATE TABLE author_claims (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id   TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    name_key   TEXT COLLATE "C" NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
    created_at TEXT COLLATE "C" NOT NULL
               DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
    decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (user_id, paper_id)
);
CREATE INDEX author_claims_status ON author_claims (status, name_key);
CREATE INDEX author_claims_paper ON author_claims (paper_id);
