-- Sessions also end after a period without use (settings.session_idle_days).
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE sessions SET last_seen_at = created_at;
