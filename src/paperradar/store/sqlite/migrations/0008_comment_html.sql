-- Comments are rendered once, when written: the sanitised HTML is stored with the version of
-- the renderer that made it (web/community/text.py RENDERER_VERSION); rows with another
-- version (0: never rendered, e.g. written before this migration) are re-rendered on read.
ALTER TABLE comments ADD COLUMN html TEXT;
ALTER TABLE comments ADD COLUMN html_version INTEGER NOT NULL DEFAULT 0;
