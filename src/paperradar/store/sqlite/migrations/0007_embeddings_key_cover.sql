-- Vector hits come back as keys; mapping them to paper ids must not touch the table rows
-- (each carries a vector blob, so they are scattered over the file): a covering index.
CREATE INDEX embeddings_key_paper ON embeddings (key, paper_id);
DROP INDEX embeddings_key;
