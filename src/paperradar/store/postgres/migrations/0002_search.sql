-- Search: sentence embeddings of papers per model (little-endian f16/f32 bytes), computed
-- once and shared by every node; `eseq` is a per-model change counter in commit order.
CREATE TABLE embeddings (
    model     TEXT COLLATE "C" NOT NULL,
    paper_id  TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    key       BIGINT NOT NULL,
    text_hash TEXT NOT NULL,
    dim       INTEGER NOT NULL,
    dtype     TEXT NOT NULL,
    vec       BYTEA NOT NULL,
    eseq      BIGINT NOT NULL,
    UNIQUE (model, paper_id)
);
CREATE INDEX embeddings_seq ON embeddings (model, eseq);
CREATE INDEX embeddings_key ON embeddings (key);
