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
