-- Vector hits come back as keys; mapping them to paper ids reads the index only.
CREATE INDEX embeddings_key_paper ON embeddings (key) INCLUDE (paper_id);
DROP INDEX embeddings_key;
