-- Search: sentence embeddings of papers, per model, kept so the vector index can be rebuilt
-- without re-embedding. `text_hash` is a hash of the embedded text (re-embed only on change);
-- `key` is the paper's stable 63-bit key used by the indexes; `eseq` a change counter.
CREATE TABLE embeddings (
    model     TEXT NOT NULL,
    paper_id  TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    key       INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    dim       INTEGER NOT NULL,
    dtype     TEXT NOT NULL,                 -- 'f16' or 'f32', little-endian
    vec       BLOB NOT NULL,
    eseq      INTEGER NOT NULL,
    UNIQUE (model, paper_id)
);
CREATE INDEX embeddings_seq ON embeddings (model, eseq);
CREATE INDEX embeddings_key ON embeddings (key);
