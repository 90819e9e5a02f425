-- Enrichment (paperradar.enrich): keyphrases and an extracted one-line summary per paper,
-- with a hash of the text they were computed from (recomputed only when it changes), and
-- the keyphrase and author rows behind topic and author pages (rewritten with them).
CREATE TABLE paper_enrichment (
    paper_id   TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    text_hash  TEXT NOT NULL,
    keyphrases TEXT NOT NULL DEFAULT '[]',   -- JSON list of surface forms, best first
    summary    TEXT                          -- extracted sentence; NULL when none
);

CREATE TABLE paper_keyphrases (
    phrase   TEXT NOT NULL,                  -- topic key (paperradar.enrich.text.topic_key)
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    rank     INTEGER NOT NULL,               -- 0 = the paper's best keyphrase
    PRIMARY KEY (phrase, paper_id)
) WITHOUT ROWID;
CREATE INDEX paper_keyphrases_paper ON paper_keyphrases (paper_id);

CREATE TABLE paper_authors (
    name_key  TEXT NOT NULL,                 -- paperradar.enrich.text.author_key
    paper_id  TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,                 -- as written on this paper
    published TEXT,
    PRIMARY KEY (name_key, paper_id)
) WITHOUT ROWID;
CREATE INDEX paper_authors_paper ON paper_authors (paper_id);
CREATE INDEX paper_authors_newest ON paper_authors (name_key, published);

-- Authorship claims: a signed-in user says "these papers under this name are mine"; an
-- administrator confirms or rejects. Confirmed claims show on the user's profile.
CREATE TABLE author_claims (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    name_key   TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (user_id, paper_id)
) WITHOUT ROWID;
CREATE INDEX author_claims_status ON author_claims (status, name_key);
CREATE INDEX author_claims_paper ON author_claims (paper_id);
