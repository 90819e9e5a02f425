-- PostgreSQL 16 twin of sqlite/migrations/0008_comment_html.sql: comments keep the sanitised
-- HTML rendered at write time and the renderer version that produced it.
ALTER TABLE comments ADD COLUMN html TEXT;
ALTER TABLE comments ADD COLUMN html_version INTEGER NOT NULL DEFAULT 0;
